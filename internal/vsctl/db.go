package vsctl

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ovskit/ovskit/ovsdb"
)

// Opts are the options of the generic database commands.
type Opts struct {
	IfExists bool   // --if-exists: a missing record is not an error
	ID       string // --id=@name (create, get)
	All      bool   // --all (destroy)
	// Partial makes add a mutation that inserts the values, as ovs-vsctl
	// writes its last command's: not read nor verified; the server
	// checks the column's limits.
	Partial bool
}

// ColumnArg is a parsed COLUMN[:KEY][OP VALUE] argument.
type ColumnArg struct {
	Column   *Column
	Key      string // raw key text, when HasKey
	HasKey   bool
	Op       string // operator, when a value was parsed
	Value    string
	HasValue bool
}

// SetOps are the operators of set-like arguments; FindOps those of
// conditions (find, wait-until).
var (
	SetOps  = []string{"="}
	FindOps = []string{"=", "!=", "<", ">", "<=", ">=", "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}"}
)

// ParseColumnArg parses arg against table. With ops nil no value may
// follow; otherwise one of ops and a value must.
func ParseColumnArg(s *ovsdb.Schema, table, arg string, ops []string) (ColumnArg, error) {
	var a ColumnArg
	name, p, err := Token(arg)
	if err != nil {
		return a, err
	}
	if name == "" {
		return a, fmt.Errorf("%s: missing column name: %w", arg, ovsdb.ErrInvalid)
	}
	if a.Column, err = LookupColumn(s, table, name); err != nil {
		return a, err
	}
	if strings.HasPrefix(p, ":") {
		if a.Key, p, err = Token(p[1:]); err != nil {
			return a, err
		}
		a.HasKey = true
	}
	if ops == nil {
		if p != "" {
			return a, fmt.Errorf("%s: trailing garbage %q in argument: %w", arg, p, ovsdb.ErrInvalid)
		}
		return a, nil
	}
	best := ""
	for _, op := range ops {
		if len(op) > len(best) && strings.HasPrefix(p, op) && len(p) > len(op) {
			best = op
		}
	}
	if best == "" {
		// ovs-vsctl's words: "A", "A" or "B", "A", "B", or "C".
		quoted := make([]string, len(ops))
		for i, op := range ops {
			quoted[i] = `"` + op + `"`
		}
		list := strings.Join(quoted, " or ")
		if len(quoted) > 2 {
			list = strings.Join(quoted[:len(quoted)-1], ", ") + ", or " + quoted[len(quoted)-1]
		}
		return a, fmt.Errorf("%s: argument does not end in %s followed by a value.: %w", arg, list, ovsdb.ErrInvalid)
	}
	a.Op, a.Value, a.HasValue = best, p[len(best):], true
	return a, nil
}

// keyAtom is the argument's key, for a verb ("set", "check") that
// ovs-vsctl's message names.
func (a ColumnArg) keyAtom(syms *Symbols, verb string) (any, error) {
	if !a.Column.IsMap() {
		return nil, fmt.Errorf("cannot specify key to %s for non-map column %s: %w", verb, a.Column.Name, ovsdb.ErrInvalid)
	}
	return ParseAtom(a.Column.Key, a.Key, syms)
}

func checkMutable(row ovsdb.Model, c *Column) error {
	if !c.Mutable && ovsdb.IsUUID(ovsdb.UUIDOf(row)) {
		return fmt.Errorf("cannot modify read-only column %s in table %s: %w", c.Name, c.Table, ovsdb.ErrInvalid)
	}
	return nil
}

// setting is a parsed COLUMN[:KEY]=VALUE: a whole value, or one pair of a
// map.
type setting struct {
	c        *Column
	pair     bool
	key, val any   // the pair
	whole    Datum // the whole value
}

func parseSetting(tx *ovsdb.Tx, table, arg string) (setting, error) {
	syms := SymbolsOf(tx)
	a, err := ParseColumnArg(tx.Schema(), table, arg, SetOps)
	if err != nil {
		return setting{}, err
	}
	st := setting{c: a.Column, pair: a.HasKey}
	if !a.HasKey {
		st.whole, err = ParseDatum(a.Column, a.Value, syms, a.Column.Min, a.Column.Max)
		return st, err
	}
	if st.key, err = a.keyAtom(syms, "set"); err != nil {
		return setting{}, err
	}
	st.val, err = ParseAtom(a.Column.Value, a.Value, syms)
	return st, err
}

// apply writes the setting into row, in memory.
func (st setting) apply(row ovsdb.Model) error {
	if !st.pair {
		return st.c.Set(row, st.whole)
	}
	cur, err := st.c.Get(row)
	if err != nil {
		return err
	}
	k := Datum{Keys: []any{st.key}}
	return st.c.Set(row, cur.Subtract(k, true).Union(Datum{Keys: k.Keys, Values: []any{st.val}}))
}

// SetColumn applies one COLUMN[:KEY]=VALUE to row and records the write in
// tx (ovs-vsctl's set_column).
func SetColumn(tx *ovsdb.Tx, row ovsdb.Model, arg string) error {
	st, err := parseSetting(tx, row.Table(), arg)
	if err != nil {
		return err
	}
	if err := checkMutable(row, st.c); err != nil {
		return err
	}
	if st.pair && ovsdb.IsUUID(ovsdb.UUIDOf(row)) {
		// A committed row: edit the one key with a mutation, so that
		// concurrent writers of other keys do not conflict.
		keys, err := st.c.KeysValue([]any{st.key})
		if err != nil {
			return err
		}
		m, err := st.c.GoValue(Datum{Keys: []any{st.key}, Values: []any{st.val}})
		if err != nil {
			return err
		}
		return tx.Mutate(row, ovsdb.Delete(st.c.Name, keys), ovsdb.Insert(st.c.Name, m))
	}
	if err := st.apply(row); err != nil {
		return err
	}
	return tx.Update(row, st.c.Name)
}

// Get returns, for each COLUMN[:KEY] of specs, the value as ovs-vsctl
// prints it ("_uuid" gives the UUID). A missing record with IfExists gives
// found false; a missing key with IfExists gives an empty string.
func Get(tx *ovsdb.Tx, table, record string, specs []string, o Opts) (out []string, found bool, err error) {
	if o.ID != "" && o.IfExists {
		return nil, false, fmt.Errorf("--if-exists and --id may not be specified together: %w", ovsdb.ErrInvalid)
	}
	row, err := GetRecord(tx, table, record, !o.IfExists)
	if err != nil || row == nil {
		return nil, false, err
	}
	if o.ID != "" {
		syms := SymbolsOf(tx)
		if syms.Lookup(o.ID) != nil {
			return nil, false, fmt.Errorf("row id %q specified on \"get\" command was used before it was defined: %w", o.ID, ovsdb.ErrInvalid)
		}
		sym, err := syms.Define(o.ID)
		if err != nil {
			return nil, false, err
		}
		// A row that exists: nothing need refer to it.
		sym.UUID, sym.Strong = ovsdb.UUIDOf(row), true
	}
	for _, spec := range specs {
		if strings.EqualFold(spec, "_uuid") || strings.EqualFold(spec, "-uuid") {
			out = append(out, ovsdb.UUIDOf(row))
			continue
		}
		a, err := ParseColumnArg(tx.Schema(), table, spec, nil)
		if err != nil {
			return nil, false, err
		}
		if err := tx.Verify(row, a.Column.Name); err != nil && !errors.Is(err, ovsdb.ErrNotFound) {
			return nil, false, err
		}
		d, err := a.Column.Get(row)
		if err != nil {
			return nil, false, err
		}
		if !a.HasKey {
			out = append(out, a.Column.Format(d))
			continue
		}
		if !a.Column.IsMap() {
			return nil, false, fmt.Errorf("cannot specify key to get for non-map column %s: %w", a.Column.Name, ovsdb.ErrInvalid)
		}
		key, err := ParseAtom(a.Column.Key, a.Key, SymbolsOf(tx))
		if err != nil {
			return nil, false, err
		}
		i := d.Find(key)
		if i < 0 {
			if !o.IfExists {
				return nil, false, fmt.Errorf("no key %q in %s record %q column %s: %w", a.Key, table, record, a.Column.Name, ovsdb.ErrNotFound)
			}
			out = append(out, "")
			continue
		}
		out = append(out, FormatAtom(a.Column.Value, d.Values[i]))
	}
	return out, true, nil
}

// Set applies settings to a record (ovs-vsctl set).
func Set(tx *ovsdb.Tx, table, record string, settings []string, o Opts) error {
	row, err := GetRecord(tx, table, record, !o.IfExists)
	if err != nil || row == nil {
		return err
	}
	for _, s := range settings {
		// Re-read between settings: each one applies to the row as the
		// previous ones left it.
		if row, err = tx.Row(table, ovsdb.UUIDOf(row)); err != nil {
			return err
		}
		if err := SetColumn(tx, row, s); err != nil {
			return err
		}
	}
	return nil
}

// Add adds values to a set or map column (ovs-vsctl add).
func Add(tx *ovsdb.Tx, table, record, column string, values []string, o Opts) error {
	c, row, cur, err := editTarget(tx, table, record, column, o)
	if err != nil || row == nil {
		return err
	}
	if o.Partial {
		cur = Datum{}
	}
	for _, v := range values {
		d, err := ParseDatum(c, v, SymbolsOf(tx), 1, math.MaxInt)
		if err != nil {
			return err
		}
		cur = cur.Union(d)
	}
	if o.Partial {
		v, err := c.MutationValue(cur)
		if err != nil {
			return err
		}
		return tx.Mutate(row, ovsdb.Insert(c.Name, v))
	}
	if c.Max >= 0 && cur.Len() > c.Max {
		what := "values"
		if c.IsMap() {
			what = "pairs"
		}
		return fmt.Errorf("\"add\" operation would put %d %s in column %s of table %s but the maximum number is %d: %w",
			cur.Len(), what, c.Name, table, c.Max, ovsdb.ErrInvalid)
	}
	return writeVerified(tx, row, c, cur)
}

// AddPartial is Add with Partial, the table named as ovs-vsctl names
// tables (a unique prefix).
func AddPartial(tx *ovsdb.Tx, tableName, record, column string, values []string, ifExists bool) error {
	t, err := LookupTable(tx.Schema(), tableName)
	if err != nil {
		return err
	}
	return Add(tx, t, record, column, values, Opts{IfExists: ifExists, Partial: true})
}

// editTarget finds what add and remove edit: the column, the record (nil
// when missing under IfExists) and the column's current value.
func editTarget(tx *ovsdb.Tx, table, record, column string, o Opts) (*Column, ovsdb.Model, Datum, error) {
	c, err := LookupColumn(tx.Schema(), table, column)
	if err != nil {
		return nil, nil, Datum{}, err
	}
	row, err := GetRecord(tx, table, record, !o.IfExists)
	if err != nil || row == nil {
		return nil, nil, Datum{}, err
	}
	if err := checkMutable(row, c); err != nil {
		return nil, nil, Datum{}, err
	}
	cur, err := c.Get(row)
	return c, row, cur, err
}

func writeVerified(tx *ovsdb.Tx, row ovsdb.Model, c *Column, d Datum) error {
	if err := tx.Verify(row, c.Name); err != nil && !errors.Is(err, ovsdb.ErrNotFound) {
		return err
	}
	if err := c.Set(row, d); err != nil {
		return err
	}
	return tx.Update(row, c.Name)
}

// Remove removes values (or, from a map, keys or pairs) from a column
// (ovs-vsctl remove).
func Remove(tx *ovsdb.Tx, table, record, column string, values []string, o Opts) error {
	c, row, cur, err := editTarget(tx, table, record, column, o)
	if err != nil || row == nil {
		return err
	}
	for _, v := range values {
		d, err := ParseDatum(c, v, SymbolsOf(tx), 1, math.MaxInt)
		if err != nil && c.IsMap() {
			keysOnly := *c
			keysOnly.Value = nil
			keysOnly.Max = -1
			d, err = ParseDatum(&keysOnly, v, SymbolsOf(tx), 1, math.MaxInt)
			d.Values = nil
		}
		if err != nil {
			return err
		}
		cur = cur.Subtract(d, c.IsMap())
	}
	if cur.Len() < c.Min {
		what := "values"
		if c.IsMap() {
			what = "pairs"
		}
		return fmt.Errorf("\"remove\" operation would put %d %s in column %s of table %s but the minimum number is %d: %w",
			cur.Len(), what, c.Name, table, c.Min, ovsdb.ErrInvalid)
	}
	return writeVerified(tx, row, c, cur)
}

// Clear empties columns (ovs-vsctl clear).
func Clear(tx *ovsdb.Tx, table, record string, columns []string, o Opts) error {
	row, err := GetRecord(tx, table, record, !o.IfExists)
	if err != nil || row == nil {
		return err
	}
	for _, name := range columns {
		c, err := LookupColumn(tx.Schema(), table, name)
		if err != nil {
			return err
		}
		if err := checkMutable(row, c); err != nil {
			return err
		}
		if c.Min > 0 {
			return fmt.Errorf("\"clear\" operation cannot be applied to column %s of table %s, which is not allowed to be empty: %w",
				c.Name, table, ovsdb.ErrInvalid)
		}
		if err := c.Set(row, Datum{}); err != nil {
			return err
		}
		if err := tx.Update(row, c.Name); err != nil {
			return err
		}
	}
	return nil
}

// List returns the named records of table, or all of them.
func List(tx *ovsdb.Tx, table string, records []string, o Opts) ([]ovsdb.Model, error) {
	if len(records) == 0 {
		return tx.Rows(table)
	}
	var out []ovsdb.Model
	for _, id := range records {
		r, err := GetRecord(tx, table, id, !o.IfExists)
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// Find returns the rows of table that satisfy every condition.
func Find(tx *ovsdb.Tx, table string, conditions []string) ([]ovsdb.Model, error) {
	rows, err := tx.Rows(table)
	if err != nil {
		return nil, err
	}
	conds := make([]ColumnArg, len(conditions))
	for i, cond := range conditions {
		if conds[i], err = ParseColumnArg(tx.Schema(), table, cond, FindOps); err != nil {
			return nil, err
		}
	}
	var out []ovsdb.Model
rows:
	for _, r := range rows {
		for _, c := range conds {
			ok, err := Satisfied(tx, r, c)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue rows
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Satisfied evaluates a condition on row (ovs-vsctl's check_condition).
func Satisfied(tx *ovsdb.Tx, row ovsdb.Model, a ColumnArg) (bool, error) {
	syms := SymbolsOf(tx)
	c := a.Column
	have, err := c.Get(row)
	if err != nil {
		return false, err
	}
	setOp := strings.HasPrefix(a.Op, "{")
	if a.HasKey {
		key, err := a.keyAtom(syms, "check")
		if err != nil {
			return false, err
		}
		valueCol := &Column{Table: c.Table, Name: c.Name, Key: c.Value, Max: -1}
		want, err := ParseDatum(valueCol, a.Value, syms, 0, -1)
		if err != nil {
			return false, err
		}
		i := have.Find(key)
		if i < 0 && !setOp {
			return false, nil
		}
		var got Datum
		if i >= 0 {
			got.Keys = []any{have.Values[i]}
		}
		return relop(got, want, a.Op), nil
	}
	want, err := ParseDatum(c, a.Value, syms, c.Min, c.Max)
	if err != nil {
		return false, err
	}
	return relop(have, want, a.Op), nil
}

func relop(a, b Datum, op string) bool {
	switch op {
	case "=", "{=}":
		return Compare(a, b) == 0
	case "!=", "{!=}":
		return Compare(a, b) != 0
	case "<":
		return Compare(a, b) < 0
	case ">":
		return Compare(a, b) > 0
	case "<=":
		return Compare(a, b) <= 0
	case ">=":
		return Compare(a, b) >= 0
	case "{<}":
		return b.Len() > a.Len() && IncludesAll(a, b)
	case "{>}":
		return a.Len() > b.Len() && IncludesAll(b, a)
	case "{<=}", "{in}":
		return IncludesAll(a, b)
	case "{>=}":
		return IncludesAll(b, a)
	case "{not-in}":
		return ExcludesAll(a, b)
	}
	return false
}

// Create inserts a row with the given settings and returns its row name
// (the real UUID is in the commit's Result). id "@name" lets other
// commands of the transaction refer to it.
func Create(tx *ovsdb.Tx, table string, settings []string, o Opts) (string, error) {
	row, err := tx.Schema().NewRow(table)
	if err != nil {
		return "", err
	}
	if o.ID != "" && ovsdb.IsUUID(o.ID) {
		// The UUID the row is to have: the other commands name it by it.
		ovsdb.SetUUID(row, o.ID)
	} else if o.ID != "" {
		sym, err := SymbolsOf(tx).Define(o.ID)
		if err != nil {
			return "", err
		}
		// A row of a root table stays unreferenced: nothing need refer
		// to it (so no warning that it will not appear).
		sym.Strong = sym.Strong || tx.Schema().IsRoot(table)
		ovsdb.SetUUID(row, sym.UUID)
	}
	// Apply settings to the row before inserting it: the insert carries
	// every column at once.
	for _, arg := range settings {
		st, err := parseSetting(tx, table, arg)
		if err != nil {
			return "", err
		}
		if err := st.apply(row); err != nil {
			return "", err
		}
	}
	return tx.Insert(row)
}

// Destroy deletes records (ovs-vsctl destroy).
func Destroy(tx *ovsdb.Tx, table string, records []string, o Opts) error {
	if o.All && len(records) > 0 {
		return fmt.Errorf("--all and records argument should not be specified together: %w", ovsdb.ErrInvalid)
	}
	if o.All && o.IfExists {
		return fmt.Errorf("--all and --if-exists should not be specified together: %w", ovsdb.ErrInvalid)
	}
	if o.All {
		return deleteAll(tx, table)
	}
	for _, id := range records {
		r, err := GetRecord(tx, table, id, !o.IfExists)
		if err != nil {
			return err
		}
		if r != nil {
			if err := tx.Delete(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// WaitUntil succeeds once the record exists and satisfies every condition;
// until then it returns ovsdb.ErrTryAgain, so that the transaction runs
// again after the next change (ovs-vsctl wait-until).
func WaitUntil(tx *ovsdb.Tx, table, record string, conditions []string) error {
	row, err := GetRecord(tx, table, record, false)
	if err != nil {
		return err
	}
	if row == nil {
		return fmt.Errorf("wait-until %s %s: no such record yet: %w", table, record, ovsdb.ErrTryAgain)
	}
	for _, cond := range conditions {
		a, err := ParseColumnArg(tx.Schema(), table, cond, FindOps)
		if err != nil {
			return err
		}
		ok, err := Satisfied(tx, row, a)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("wait-until %s %s: %s not satisfied yet: %w", table, record, cond, ovsdb.ErrTryAgain)
		}
	}
	return nil
}
