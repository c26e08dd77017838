package ovsdb

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Command is one step of a transaction, like one ovs-vsctl command between
// "--" separators. Run reads through tx and records writes in it; it must
// not do I/O or keep state between runs, because the whole command list
// runs again when a concurrent writer changes what it read.
type Command interface {
	Run(tx *Tx) error
}

// CommandFunc adapts a function to a Command.
type CommandFunc func(tx *Tx) error

// Run calls f(tx).
func (f CommandFunc) Run(tx *Tx) error { return f(tx) }

// Tx is a transaction being built: one immutable snapshot of the database
// (taken when the transaction's fn starts) plus the transaction's own
// writes, and the operations to commit. Every read records what the commit
// must verify, so a transaction built on a snapshot that a concurrent
// writer has since changed fails atomically and is re-run. Rows it hands
// out are deep copies, the caller's to edit. A Tx is used by one
// goroutine, only inside Do, Transact or View.
type Tx struct {
	// info, when the client has an observer, collects what it reports.
	info     *TxInfo
	schema   *Schema
	snap     *snapshot
	readOnly bool
	closed   bool

	waits []Operation
	// waitKeys holds the waits' JSON, to send each once, with its index.
	waitKeys smallMap[string, int]
	// fetchOnFail are the waits on tables the cache holds only part of
	// (monitor conditions), by index: when one fails, the rows the server
	// has are fetched (see Do) instead of waiting for the cache to move.
	fetchOnFail smallMap[int, fetchSpec]
	// fetched are rows of such tables that the server had and the cache
	// does not, fetched by earlier runs of this transaction's fn.
	fetched []Model
	// rowWaited holds the rows some wait already pins to their UUID:
	// such a row needs no separate existence check.
	rowWaited smallMap[rowRef, bool]
	// verified holds the columns of committed rows whose values some wait
	// already verifies.
	verified smallMap[colRef, bool]
	ops      []Operation
	// encoded holds each operation's JSON, made once when it is added:
	// waits first, then ops, as they are sent.
	waitJSON [][]byte
	opJSON   [][]byte
	inserts  []*pending
	// pend finds the rows the transaction touched; pendList has them in
	// the order they were.
	pend     smallMap[rowRef, *pending]
	pendList []*pending
	// names are the row names of inserts: one namespace for all tables.
	names map[string]bool
	// byValue finds pending rows by the value they were given for a unique
	// column. An entry may be stale (a later Update changed the value), so
	// readers re-check the row.
	byValue smallMap[valueRef, []*pending]
	seq     int

	// absent are index lookups that found nothing. The commit verifies
	// each with a wait, unless the transaction inserts a row with that
	// value: then the server's unique index refuses a concurrent duplicate
	// by itself, and a wait (a full table scan in ovsdb-server) is saved.
	absent   []absence
	encErr   error
	comments []string
	noWait   bool
	dryRun   bool
	locals   map[any]any
	// client made the transaction (nil in some tests); nameBase is the
	// start of the row names Insert makes up.
	client   *Client
	nameBase string
	// coveredAbsence is set when the commit leaves an absence to the
	// server's unique index (see absent): a constraint violation may then
	// be a concurrent insert of that value.
	coveredAbsence bool
	// failedFetch is set when the commit (or the confirmation of fn's
	// error) failed on a wait of fetchOnFail.
	failedFetch *fetchSpec
}

type absence struct {
	table, column, value string
	enc                  any // value, encoded
}

// wait is the operation that verifies the absence: no row has the value.
func (a absence) wait() Operation {
	return Operation{Op: "wait", Table: a.table, Timeout: zero(), Where: []Condition{{a.column, "==", a.enc}},
		Columns: []string{"_uuid"}, Until: "==", Rows: []map[string]any{}}
}

// pending is a row the transaction inserted, changed or deleted.
type pending struct {
	table    string
	uuid     string
	base     Model
	inserted bool
	deleted  bool
	edits    []edit
	mat      Model // the row with edits[:applied] applied
	applied  int
	// For a row inserted by the transaction: the index of its insert
	// operation, and whether later edits changed it. Edits of an inserted
	// row send no operation of their own: the insert is re-encoded with
	// the final content at commit (see finishInserts).
	op    int
	dirty bool
}

type edit struct {
	col string
	set any       // new value, when mut is nil
	mut *Mutation // Go-valued mutation
}

// rowRef names a row.
type rowRef struct{ table, uuid string }

// colRef names a column of a row.
type colRef struct{ table, uuid, column string }

// valueRef names a value of a column.
type valueRef struct{ table, column, value string }

// unsupported is the error of a write the server's schema cannot take.
func (tx *Tx) unsupported(table, column string) error {
	l := tx.snap.c.lacks
	if l.table(table) {
		column = ""
	}
	return &UnsupportedError{Table: table, Column: column, Server: l.server}
}

// checkValue refuses a value of column that the server's schema does not
// allow (an enumerated value newer than the server).
func (tx *Tx) checkValue(table, column string, v any) error {
	l := tx.snap.c.lacks
	if bad, ok := l.badValue(table, column, v); ok {
		return &UnsupportedError{Table: table, Column: column, Value: bad, Server: l.server}
	}
	return nil
}

func newTx(schema *Schema, snap *snapshot) *Tx {
	// The maps are made on first write: most transactions fill few.
	return &Tx{schema: schema, snap: snap}
}

func (tx *Tx) check() error {
	if tx.closed {
		return fmt.Errorf("transaction used after it ended: %w", ErrInvalid)
	}
	return nil
}

func (p *pending) row() (Model, error) {
	if p.deleted {
		return nil, nil
	}
	if p.mat != nil && p.applied == len(p.edits) {
		return p.mat, nil
	}
	// Apply only the edits made since the last materialisation. p.mat is
	// never handed out (every accessor returns a clone), so it is updated
	// in place: adding N ports to a bridge in one transaction does not
	// copy its port set N times.
	r := p.mat
	if r == nil {
		r = p.base.OVSDBClone()
		p.applied = 0
	}
	for _, e := range p.edits[p.applied:] {
		v := e.set
		if e.mut != nil {
			cur, _ := r.OVSDBColumn(e.col)
			var err error
			if v, err = applyMutation(cur, *e.mut); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", p.table, e.col, err)
			}
		}
		if err := r.OVSDBSetColumn(e.col, v); err != nil {
			return nil, err
		}
	}
	p.mat, p.applied = r, len(p.edits)
	return r, nil
}

// row returns the transaction's view of a row, or nil.
func (tx *Tx) row(table, uuid string) (Model, error) {
	if err := tx.snap.c.readable(table); err != nil {
		return nil, err
	}
	if p := tx.pending(table, uuid); p != nil {
		return p.row()
	}
	return tx.snap.get(table, uuid), nil
}

// rows returns the transaction's view of a table, sorted by UUID.
func (tx *Tx) rows(table string) ([]Model, error) {
	if err := tx.snap.c.readable(table); err != nil {
		return nil, err
	}
	base := tx.snap.rows(table)
	out := make([]Model, 0, len(base)+len(tx.pendList))
	for _, r := range base {
		if p := tx.pending(table, r.OVSDBUUID()); p != nil {
			if r, err := p.row(); err != nil {
				return nil, err
			} else if r != nil {
				out = append(out, r)
			}
			continue
		}
		out = append(out, r)
	}
	for _, p := range tx.inserts {
		if p.table != table || p.deleted {
			continue
		}
		r, err := p.row()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// addWait adds a wait (once) and returns its index.
func (tx *Tx) addWait(op Operation) int {
	b, err := op.MarshalJSON()
	if err != nil {
		// Values come from the schema-checked encoder; a failure here is
		// a bug, reported at commit.
		tx.encErr = fmt.Errorf("encode wait on %s: %w", op.Table, err)
		return -1
	}
	key := string(b)
	if i, dup := tx.waitKeys.get(key); dup {
		return i
	}
	tx.waitKeys.put(key, len(tx.waits))
	tx.waits = append(tx.waits, op)
	tx.waitJSON = append(tx.waitJSON, b)
	return len(tx.waits) - 1
}

// fetchSpec names the rows of a partly cached table that a lookup's
// outcome rests on: those whose column equals a value.
type fetchSpec struct {
	table, column string
	enc           any
}

// key names the rows of the spec.
func (f fetchSpec) key() string {
	b, _ := json.Marshal(f.enc)
	return f.table + "\x00" + f.column + "\x00" + string(b)
}

// addOp records a write operation with its JSON.
func (tx *Tx) addOp(op Operation) error {
	b, err := op.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encode %s on %s: %w", op.Op, op.Table, err)
	}
	if tx.ops == nil {
		// Room for a typical command's operations in one allocation.
		tx.ops, tx.opJSON = make([]Operation, 0, 4), make([][]byte, 0, 4)
	}
	tx.ops = append(tx.ops, op)
	tx.opJSON = append(tx.opJSON, b)
	return nil
}

func zero() *int { z := 0; return &z }

// smallMax is the size up to which a smallMap is a slice.
const smallMax = 16

// smallMap is a map for a transaction's indexes: a slice searched in
// order up to smallMax entries (most transactions hold a few, for which a
// map costs more than it saves), a Go map past that.
type smallMap[K comparable, V any] struct {
	list []smallEntry[K, V]
	m    map[K]V
}

type smallEntry[K comparable, V any] struct {
	k K
	v V
}

func (s *smallMap[K, V]) get(k K) (V, bool) {
	if s.m != nil {
		v, ok := s.m[k]
		return v, ok
	}
	for _, e := range s.list {
		if e.k == k {
			return e.v, true
		}
	}
	var zero V
	return zero, false
}

func (s *smallMap[K, V]) len() int { return len(s.list) + len(s.m) }

func (s *smallMap[K, V]) put(k K, v V) {
	if s.m != nil {
		s.m[k] = v
		return
	}
	for i := range s.list {
		if s.list[i].k == k {
			s.list[i].v = v
			return
		}
	}
	if s.list == nil {
		s.list = make([]smallEntry[K, V], 0, 4) // a command's few entries, in one allocation
	}
	s.list = append(s.list, smallEntry[K, V]{k, v})
	if len(s.list) > smallMax {
		s.m = make(map[K]V, 2*len(s.list))
		for _, e := range s.list {
			s.m[e.k] = e.v
		}
		s.list = nil
	}
}

// waitRow records that a wait pins row uuid of table.
func (tx *Tx) waitRow(table, uuid string) { tx.rowWaited.put(rowRef{table, uuid}, true) }

func uuidCond(u string) Condition {
	a, _ := uuidAtom(u)
	return Condition{"_uuid", "==", a}
}

// verifyExists makes the commit fail (and the transaction re-run) if the
// committed row was deleted meanwhile.
func (tx *Tx) verifyExists(table, uuid string) {
	if p := tx.pending(table, uuid); p != nil && p.inserted {
		return
	}
	if _, ok := tx.rowWaited.get(rowRef{table, uuid}); ok {
		return // a wait on the row's columns fails as well if it is gone
	}
	tx.waitRow(table, uuid)
	tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{uuidCond(uuid)},
		Columns: []string{"_uuid"}, Until: "==", Rows: []map[string]any{{"_uuid": [2]string{"uuid", uuid}}}})
}

// Get returns a copy of the row of table T with the given UUID, as this
// transaction sees it, or an error wrapping ErrNotFound. The commit verifies
// that the row still exists.
func Get[T any, PT ModelPtr[T]](tx *Tx, uuid string) (PT, error) {
	table := tableOf[T, PT]()
	if err := tx.check(); err != nil {
		return nil, err
	}
	r, err := tx.row(table, uuid)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("%s row %s: %w", table, uuid, ErrNotFound)
	}
	tx.verifyExists(table, uuid)
	return r.OVSDBClone().(PT), nil
}

// Lookup returns a copy of the row of table T whose column equals value
// (for example a Bridge by "name"), or an error wrapping ErrNotFound. The
// commit verifies the lookup's outcome: the same row, or still no row, has
// that value. Indexed columns are found in constant time.
func Lookup[T any, PT ModelPtr[T]](tx *Tx, column string, value any) (PT, error) {
	r, err := tx.lookup(tableOf[T, PT](), column, value)
	if err != nil {
		return nil, err
	}
	return r.OVSDBClone().(PT), nil
}

// FindByKey returns copies of the rows of table T whose map column has
// key set to value (Interface rows by external_ids:iface-id, say), as this
// transaction sees them, sorted by UUID; none is not an error. A key the
// client indexes (WithKeyIndex; iface-id, attached-mac and vm-uuid of
// Interface always) is found in constant time, another by a scan. The
// commit verifies that the same rows, and no others, have that value.
func FindByKey[T any, PT ModelPtr[T]](tx *Tx, column, key, value string) ([]PT, error) {
	table := tableOf[T, PT]()
	if err := tx.check(); err != nil {
		return nil, err
	}
	if cur, ok := tx.schema.model.zero(table).OVSDBColumn(column); !ok {
		return nil, unknownColumnError(table, column)
	} else if _, isMap := cur.(map[string]string); !isMap {
		return nil, fmt.Errorf("find %s by %s:%s: not a string-to-string map: %w", table, column, key, ErrInvalid)
	}
	for _, s := range []string{key, value} {
		if err := checkString(s); err != nil {
			return nil, err
		}
	}
	if tx.snap.c.lacks.column(table, column) {
		return nil, nil // the server has no such map: no row has the key
	}
	return findIndexed[T, PT](tx, KeyIndex{table, column, key}, value,
		Condition{column, "includes", []any{"map", []any{[]any{key, value}}}})
}

// FindBy returns copies of the rows of table T whose column has value (a
// set column: includes it; an optional one: is it), as this transaction
// sees them, sorted by UUID; none is not an error: the Logical_Flow rows
// of a datapath, say (FindBy[sbdb.LogicalFlow](tx, "logical_datapath",
// uuid)). value is of the type of the column's elements (a string for a
// reference). A column the client indexes (WithIndex) is answered in time
// proportional to the rows found, however large the table; another by a
// scan. The commit verifies that the same rows, and no others, have that
// value. Map columns are found by key (FindByKey).
func FindBy[T any, PT ModelPtr[T]](tx *Tx, column string, value any) ([]PT, error) {
	table := tableOf[T, PT]()
	if err := tx.check(); err != nil {
		return nil, err
	}
	if err := tx.snap.c.readableColumns(table, column); err != nil {
		return nil, err
	}
	cur, ok := tx.schema.model.zero(table).OVSDBColumn(column)
	if !ok {
		return nil, unknownColumnError(table, column)
	}
	ct := reflect.TypeOf(cur)
	et := ct
	if ct.Kind() == reflect.Pointer || ct.Kind() == reflect.Slice {
		et = ct.Elem()
	}
	rv := reflect.ValueOf(value)
	if ct.Kind() == reflect.Map || !rv.IsValid() || !rv.Type().ConvertibleTo(et) || rv.Kind() != et.Kind() {
		return nil, fmt.Errorf("find %s by %s: %w", table, column, columnTypeError(table, column, et.String(), value))
	}
	elem := rv.Convert(et)
	text, _ := atomText(elem)
	if err := checkString(text); err != nil {
		return nil, err
	}
	if tx.snap.c.lacks.column(table, column) {
		return nil, nil // every row reads the zero value: the server has no such column
	}
	// The condition the commit verifies, in the column's own type.
	fn := "=="
	var cv reflect.Value
	switch ct.Kind() {
	case reflect.Slice:
		fn = "includes"
		cv = reflect.Append(reflect.MakeSlice(ct, 0, 1), elem)
	case reflect.Pointer:
		p := reflect.New(et)
		p.Elem().Set(elem)
		cv = p
	default:
		cv = elem
	}
	enc, err := tx.schema.encode(table, column, cv.Interface())
	if err != nil {
		return nil, err
	}
	return findIndexed[T, PT](tx, KeyIndex{Table: table, Column: column}, text, Condition{column, fn, enc})
}

// findIndexed returns the rows whose index values (indexValues) under k
// include value, from the index when the client has it, and makes the
// commit verify them with cond.
func findIndexed[T any, PT ModelPtr[T]](tx *Tx, k KeyIndex, value string, cond Condition) ([]PT, error) {
	table := k.Table
	has := func(r Model) bool {
		var buf [2]string
		return slices.Contains(indexValues(r, k, buf[:0]), value)
	}
	committed, indexed := tx.snap.findByKey(k, value)
	if !indexed {
		for _, r := range tx.snap.rows(table) {
			if has(r) {
				committed = append(committed, r)
			}
		}
	}
	want := make([]map[string]any, 0, len(committed))
	for _, r := range committed {
		want = append(want, map[string]any{"_uuid": [2]string{"uuid", r.OVSDBUUID()}})
	}
	tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{cond},
		Columns: []string{"_uuid"}, Until: "==", Rows: want})
	// The transaction's view: committed rows as it changed them, then its
	// own rows with the value.
	var out []PT
	for _, r := range committed {
		if p := tx.pending(table, r.OVSDBUUID()); p != nil {
			continue // seen below, as changed
		}
		out = append(out, r.OVSDBClone().(PT))
	}
	for _, p := range tx.pendList {
		if p.table != table {
			continue
		}
		r, err := p.row()
		if err != nil {
			return nil, err
		}
		if r != nil && has(r) {
			out = append(out, r.OVSDBClone().(PT))
		}
	}
	slices.SortFunc(out, func(a, b PT) int { return strings.Compare(Model(a).OVSDBUUID(), Model(b).OVSDBUUID()) })
	return out, nil
}

// LookupUUID is Lookup for a caller that needs only the row's UUID (to
// refer to it, or to Mutate or Delete it through a row holding just the
// UUID): it verifies the same and copies nothing, however large the row.
func LookupUUID[T any, PT ModelPtr[T]](tx *Tx, column string, value any) (string, error) {
	r, err := tx.lookup(tableOf[T, PT](), column, value)
	if err != nil {
		return "", err
	}
	return r.OVSDBUUID(), nil
}

// tableOf returns the table of the rows of type T, without making one:
// generated models' Table does not read its receiver.
func tableOf[T any, PT ModelPtr[T]]() string { return PT(nil).Table() }

// lookup finds the row of table whose column equals value, as the
// transaction sees it, and records the verification. The row is not a
// copy: never hand it out.
func (tx *Tx) lookup(table, column string, value any) (Model, error) {
	if err := tx.check(); err != nil {
		return nil, err
	}
	if err := tx.snap.c.readableColumns(table, column); err != nil {
		return nil, err
	}
	if cur, ok := tx.schema.model.zero(table).OVSDBColumn(column); ok && reflect.TypeOf(cur) != reflect.TypeOf(value) {
		return nil, fmt.Errorf("look up %s by %s: %w", table, column, columnTypeError(table, column, fmt.Sprintf("%T", cur), value))
	}
	if tx.snap.c.lacks.column(table, column) {
		// Every row reads the zero value there, and no row of the
		// transaction can have another: nothing to ask the server.
		if isZero(value) {
			return nil, fmt.Errorf("look up %s by %s: %w", table, column, tx.unsupported(table, column))
		}
		return nil, &lookupError{table, column, value}
	}
	enc, err := tx.schema.encode(table, column, value)
	if err != nil {
		return nil, err
	}
	match := func(r Model) bool {
		v, _ := r.OVSDBColumn(column)
		if vs, ok := v.(string); ok {
			if s, ok := value.(string); ok {
				return vs == s
			}
		}
		return reflect.DeepEqual(v, value)
	}
	// What the committed state says, ignoring this transaction's writes:
	// that outcome is what the commit verifies.
	var committed []Model
	s, isString := value.(string)
	var indexed bool
	if isString {
		var r Model
		if r, indexed = tx.snap.lookup(table, column, s); r != nil {
			committed = append(committed, r)
		}
	}
	if !indexed {
		for _, r := range tx.snap.rows(table) {
			if match(r) {
				committed = append(committed, r)
			}
		}
	}
	filtered := tx.snap.c.filtered(table)
	if filtered {
		for _, r := range tx.fetched {
			if r.Table() == table && match(r) && tx.snap.get(table, r.OVSDBUUID()) == nil {
				committed = append(committed, r)
			}
		}
	}
	// The transaction's view: committed rows as it changed them, then
	// its own rows with the value.
	var found []Model
	var seen smallMap[*pending, bool]
	consider := func(p *pending) error {
		if _, ok := seen.get(p); ok {
			return nil
		}
		seen.put(p, true)
		pr, err := p.row()
		if pr != nil && match(pr) {
			found = append(found, pr)
		}
		return err
	}
	for _, r := range committed {
		if p := tx.pending(table, r.OVSDBUUID()); p != nil {
			if err := consider(p); err != nil {
				return nil, err
			}
			continue
		}
		found = append(found, r)
	}
	var candidates []*pending
	if isString && indexed {
		candidates, _ = tx.byValue.get(valueRef{table, column, s})
	} else {
		for _, p := range tx.pendList {
			if p.table == table {
				candidates = append(candidates, p)
			}
		}
	}
	for _, p := range candidates {
		if err := consider(p); err != nil {
			return nil, err
		}
	}
	switch {
	case isString && indexed && len(committed) == 1:
		// A unique value found on row U: verifying that U still holds it
		// is a lookup by UUID on the server, not a scan.
		u := committed[0].OVSDBUUID()
		tx.waitRow(table, u)
		tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{uuidCond(u)},
			Columns: []string{column}, Until: "==", Rows: []map[string]any{{column: enc}}})
	case filtered:
		// The cache holds only the rows the monitor's conditions keep:
		// the server verifies that exactly the rows seen have the value.
		// When others have it too, Do fetches them and runs fn again
		// with them in view: an absence in the cache is not an absence.
		want := make([]map[string]any, 0, len(committed))
		for _, r := range committed {
			want = append(want, map[string]any{"_uuid": [2]string{"uuid", r.OVSDBUUID()}})
		}
		i := tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{{column, "==", enc}},
			Columns: []string{"_uuid"}, Until: "==", Rows: want})
		if i >= 0 {
			tx.fetchOnFail.put(i, fetchSpec{table, column, enc})
		}
	case isString && indexed && len(committed) == 0:
		tx.absent = append(tx.absent, absence{table, column, s, enc})
	default:
		want := make([]map[string]any, 0, len(committed))
		for _, r := range committed {
			want = append(want, map[string]any{"_uuid": [2]string{"uuid", r.OVSDBUUID()}})
		}
		tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{{column, "==", enc}},
			Columns: []string{"_uuid"}, Until: "==", Rows: want})
	}
	switch len(found) {
	case 0:
		return nil, &lookupError{table, column, value}
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%s with %s %v: %d rows match: %w", table, column, value, len(found), ErrInvalid)
}

// lookupError is a lookup that found no row: formatted only if printed,
// as lookups that find nothing are how commands check that a name is free.
type lookupError struct {
	table, column string
	value         any
}

func (e *lookupError) Error() string {
	return fmt.Sprintf("%s with %s %v: %v", e.table, e.column, e.value, ErrNotFound)
}

func (e *lookupError) Unwrap() error { return ErrNotFound }

// List returns copies of all rows of table T as this transaction sees them,
// sorted by UUID (the transaction's own inserts last). It verifies nothing:
// verify what a decision depends on with Tx.Verify.
func List[T any, PT ModelPtr[T]](tx *Tx) ([]PT, error) {
	rows, err := tx.Rows(tableOf[T, PT]())
	if err != nil {
		return nil, err
	}
	return typed[T, PT](rows), nil
}

// typed is rows, all of table T, as T's models.
func typed[T any, PT ModelPtr[T]](rows []Model) []PT {
	out := make([]PT, len(rows))
	for i, r := range rows {
		out[i] = r.(PT)
	}
	return out
}

// Verify makes the commit fail, and the transaction re-run, if any of the
// columns of the committed row changed since this transaction's view was
// taken (ovs-vsctl's verify). Rows inserted by the transaction need no
// verification.
func (tx *Tx) Verify(row Model, columns ...string) error {
	if err := tx.check(); err != nil {
		return err
	}
	table, u := row.Table(), row.OVSDBUUID()
	if p := tx.pending(table, u); p != nil && p.inserted {
		return nil
	}
	base := tx.snap.get(table, u)
	if base == nil {
		return fmt.Errorf("verify %s row %s: %w", table, u, ErrNotFound)
	}
	if lk := tx.snap.c.lacks; lk != nil {
		// The server lacks them: they hold their zero value on both
		// sides, and there is nothing to verify.
		columns = slices.DeleteFunc(slices.Clone(columns), func(col string) bool { return lk.column(table, col) })
	}
	if len(columns) == 0 {
		tx.verifyExists(table, u)
		return nil
	}
	if err := tx.snap.c.readableColumns(table, columns...); err != nil {
		return err
	}
	want := map[string]any{}
	for _, col := range columns {
		v, ok := base.OVSDBColumn(col)
		if !ok {
			return unknownColumnError(table, col)
		}
		enc, err := tx.schema.encode(table, col, v)
		if err != nil {
			return err
		}
		want[col] = enc
	}
	cols := append([]string(nil), columns...)
	sort.Strings(cols)
	for _, col := range cols {
		tx.verified.put(colRef{table, u, col}, true)
	}
	tx.waitRow(table, u)
	tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{uuidCond(u)},
		Columns: cols, Until: "==", Rows: []map[string]any{want}})
	return nil
}

// VerifyContains makes the commit fail, and the transaction re-run,
// unless the committed row's set or map column still contains value (an
// element, a slice of elements, or a map of key-value pairs) and the row
// still exists. Unlike Verify of the whole column, it does not conflict
// with concurrent writers of other elements: "this bridge still holds
// this port" without "no port was added to it".
func (tx *Tx) VerifyContains(row Model, column string, value any) error {
	if err := tx.check(); err != nil {
		return err
	}
	table, u := row.Table(), row.OVSDBUUID()
	if p := tx.pending(table, u); p != nil && p.inserted {
		return nil
	}
	if tx.snap.get(table, u) == nil {
		return fmt.Errorf("verify %s row %s: %w", table, u, ErrNotFound)
	}
	if err := tx.snap.c.readableColumns(table, column); err != nil {
		return err
	}
	if tx.snap.c.lacks.column(table, column) {
		return fmt.Errorf("verify %s.%s contains %v: %w", table, column, value, tx.unsupported(table, column))
	}
	enc, err := tx.schema.encode(table, column, value)
	if err != nil {
		return fmt.Errorf("verify %s.%s: %w", table, column, err)
	}
	tx.waitRow(table, u)
	tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{uuidCond(u), {column, "includes", enc}},
		Columns: []string{"_uuid"}, Until: "==", Rows: []map[string]any{{"_uuid": [2]string{"uuid", u}}}})
	return nil
}

// VerifyEmpty makes the commit fail, and the transaction re-run, unless
// the table has no row at commit: it verifies the "none yet" that creating
// a table's only row rests on (another client, or ovn-northd, may create
// it meanwhile).
func (tx *Tx) VerifyEmpty(table string) error {
	if err := tx.check(); err != nil {
		return err
	}
	if _, ok := tx.schema.kinds[table]; !ok {
		return fmt.Errorf("table %q: %w", table, ErrUnknownTable)
	}
	if tx.snap.c.lacks.table(table) {
		return nil
	}
	tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{},
		Columns: []string{"_uuid"}, Until: "==", Rows: []map[string]any{}})
	return nil
}

// VerifyNone makes the commit fail, and the transaction re-run, if at
// commit a row of table has column equal to value: it verifies an
// absence that a decision rests on, found without Lookup (by a scan of
// Rows, say). The column holds one value (an optional one too), and value
// is an atom of its type: a string, an integer (int or int64), a float64
// or a bool; for "_uuid", a UUID.
func (tx *Tx) VerifyNone(table, column string, value any) error {
	if err := tx.check(); err != nil {
		return err
	}
	if tx.snap.c.lacks.column(table, column) {
		return nil // the server has no such column: no row has the value
	}
	if column == "_uuid" {
		u, _ := value.(string)
		if !isUUID(u) {
			return fmt.Errorf("verify no %s with _uuid %v: not a UUID: %w", table, value, ErrInvalid)
		}
		if _, ok := tx.schema.kinds[table]; !ok {
			return fmt.Errorf("table %q: %w", table, ErrUnknownTable)
		}
		tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{uuidCond(u)},
			Columns: []string{"_uuid"}, Until: "==", Rows: []map[string]any{}})
		return nil
	}
	cs, err := tx.schema.column(table, column)
	if err != nil {
		return err
	}
	var enc any
	ok := false
	switch cs.TypeObj.Key.Type {
	case "string":
		var s string
		if s, ok = value.(string); ok {
			if err := checkString(s); err != nil {
				return err
			}
		}
		enc = s
	case "integer":
		switch v := value.(type) {
		case int:
			enc, ok = int64(v), true
		case int64:
			enc, ok = v, true
		}
	case "real":
		enc, ok = value.(float64)
	case "boolean":
		enc, ok = value.(bool)
	}
	if !ok || cs.TypeObj.Value != nil || cs.TypeObj.Max() > 1 {
		return fmt.Errorf("verify no %s with %s %v: %w", table, column, value, columnTypeError(table, column, cs.TypeObj.Key.Type, value))
	}
	tx.addWait(Operation{Op: "wait", Table: table, Timeout: zero(), Where: []Condition{{column, "==", enc}},
		Columns: []string{"_uuid"}, Until: "==", Rows: []map[string]any{}})
	return nil
}

// finishAbsences adds the waits of the absent lookups that no insert of
// the transaction covers (see Tx.absent).
func (tx *Tx) finishAbsences() error {
	for _, a := range tx.absent {
		covered := false
		rows, _ := tx.byValue.get(valueRef{a.table, a.column, a.value})
		for _, p := range rows {
			if !p.inserted {
				continue
			}
			r, err := p.row()
			if err != nil {
				return err
			}
			if r != nil {
				if v, _ := r.OVSDBColumn(a.column); v == any(a.value) {
					covered = true
					break
				}
			}
		}
		if !covered {
			tx.addWait(a.wait())
		} else {
			tx.coveredAbsence = true
		}
	}
	tx.absent = nil
	return tx.encErr
}

// readsPartial reports whether the transaction read a table the cache
// holds only part of: only the server can confirm such reads.
func (tx *Tx) readsPartial() bool { return tx.fetchOnFail.len() > 0 }

// readWaits returns the encoded waits that verify every read, absences
// included (a transaction that is not committed inserts nothing that
// would cover one).
func (tx *Tx) readWaits() ([][]byte, error) {
	out := slices.Clone(tx.waitJSON)
	for _, a := range tx.absent {
		b, err := a.wait().MarshalJSON()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, tx.encErr
}

func (tx *Tx) writable() error {
	if err := tx.check(); err != nil {
		return err
	}
	if tx.readOnly {
		return fmt.Errorf("write in a read-only transaction (View): %w", ErrInvalid)
	}
	return nil
}

// Insert adds a row. Its UUID, if set, must be a name of the transaction
// (like ovs-vsctl's --id=@name, without the @), or a UUID, the one the
// row is to have (ovs-vsctl's --id=UUID; ovsdb-server refuses one in
// use); if empty, a name is made up. Insert stores the name in row.UUID and returns it: other rows of the
// transaction refer to the new row by it, and Result.UUIDs maps it to the
// real UUID after the commit. Columns at their zero value are left to the
// server's defaults.
func (tx *Tx) Insert(row Model) (string, error) {
	if err := tx.writable(); err != nil {
		return "", err
	}
	table := row.Table()
	u := row.OVSDBUUID()
	if u == "" {
		if tx.nameBase == "" {
			tx.nameBase = "row"
			if tx.client != nil {
				// Unique to the transaction, so that a made-up name
				// cannot be mistaken for a name in the data (a switch
				// called row1) or for the start of another (row1 in
				// row10) by whoever maps names to UUIDs in text.
				tx.nameBase = "row_" + tx.client.id + strconv.FormatUint(tx.client.names.Add(1), 36) + "_"
			}
		}
		for {
			tx.seq++
			if u = tx.nameBase + strconv.Itoa(tx.seq); !tx.names[u] {
				break
			}
		}
	}
	persist := isUUID(u)
	if !persist && !isNamedUUID(u) {
		return "", fmt.Errorf("insert into %s: row name %q must match [_a-zA-Z][_a-zA-Z0-9]* (or be the UUID the row is to have): %w", table, u, ErrInvalid)
	}
	if tx.names[u] {
		return "", fmt.Errorf("insert into %s: row name %q used twice: %w", table, u, ErrInvalid)
	}
	enc, err := tx.encodeRow(row)
	if err != nil {
		return "", err
	}
	if tx.names == nil {
		tx.names = map[string]bool{}
	}
	tx.names[u] = true
	row.OVSDBSetUUID(u)
	p := &pending{table: table, uuid: u, base: row.OVSDBClone(), inserted: true, op: len(tx.ops)}
	tx.track(p)
	tx.indexValues(p, row, tx.schema.uniqueColumns(table))
	tx.inserts = append(tx.inserts, p)
	op := Operation{Op: "insert", Table: table, Row: enc, UUIDName: u}
	if persist {
		op.UUIDName, op.UUID = "", u
	}
	if err := tx.addOp(op); err != nil {
		return "", err
	}
	return u, nil
}

// encodeRow encodes the non-default columns of a row to insert.
func (tx *Tx) encodeRow(row Model) (map[string]any, error) {
	table := row.Table()
	lk := tx.snap.c.lacks
	if lk.table(table) {
		return nil, fmt.Errorf("insert into %s: %w", table, tx.unsupported(table, ""))
	}
	enc := map[string]any{}
	for _, col := range row.OVSDBColumns() {
		if col == "_uuid" {
			continue
		}
		v, _ := row.OVSDBColumn(col)
		if isZero(v) {
			continue
		}
		if lk.column(table, col) {
			return nil, fmt.Errorf("insert into %s: %w", table, tx.unsupported(table, col))
		}
		if err := tx.checkValue(table, col, v); err != nil {
			return nil, fmt.Errorf("insert into %s: %w", table, err)
		}
		e, err := tx.schema.encode(table, col, v)
		if err != nil {
			return nil, fmt.Errorf("insert into %s: %w", table, err)
		}
		enc[col] = e
	}
	return enc, nil
}

// finishInserts re-encodes the insert operation of each inserted row that
// later edits changed, with its final content: one insert with 200 ports
// rather than an insert and 200 mutations.
func (tx *Tx) finishInserts() error {
	for _, p := range tx.inserts {
		if !p.dirty || p.deleted {
			continue
		}
		r, err := p.row()
		if err != nil {
			return err
		}
		enc, err := tx.encodeRow(r)
		if err != nil {
			return err
		}
		op := tx.ops[p.op]
		op.Row = enc
		b, err := op.MarshalJSON()
		if err != nil {
			return fmt.Errorf("encode insert on %s: %w", op.Table, err)
		}
		tx.ops[p.op], tx.opJSON[p.op] = op, b
		p.dirty = false
	}
	return nil
}

// indexValues records p under the values row has for the given unique
// columns (see Tx.byValue).
func (tx *Tx) indexValues(p *pending, row Model, columns []string) {
	for _, col := range columns {
		v, _ := row.OVSDBColumn(col)
		s, ok := v.(string)
		if !ok {
			continue
		}
		k := valueRef{p.table, col, s}
		rows, _ := tx.byValue.get(k)
		tx.byValue.put(k, append(rows, p))
	}
}

// pending returns the entry of a row the transaction touched, or nil.
func (tx *Tx) pending(table, uuid string) *pending {
	p, _ := tx.pend.get(rowRef{table, uuid})
	return p
}

func (tx *Tx) track(p *pending) {
	tx.pend.put(rowRef{p.table, p.uuid}, p)
	tx.pendList = append(tx.pendList, p)
}

// touch returns the pending entry of an existing row, creating it.
func (tx *Tx) touch(row Model) (*pending, error) {
	table, u := row.Table(), row.OVSDBUUID()
	if p := tx.pending(table, u); p != nil {
		if p.deleted {
			return nil, fmt.Errorf("%s row %s was deleted by this transaction: %w", table, u, ErrNotFound)
		}
		return p, nil
	}
	base := tx.snap.get(table, u)
	if base == nil {
		return nil, fmt.Errorf("%s row %q: %w", table, u, ErrNotFound)
	}
	tx.verifyExists(table, u)
	p := &pending{table: table, uuid: u, base: base}
	tx.track(p)
	return p, nil
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func (tx *Tx) checkWritable(p *pending, col string) error {
	cs, err := tx.schema.column(p.table, col)
	if err != nil {
		return err
	}
	if !cs.Mutable() && !p.inserted {
		return fmt.Errorf("column %s.%s is immutable: %w", p.table, col, ErrInvalid)
	}
	return nil
}

// Update writes the named columns of an existing row (or of one inserted
// earlier in the transaction) with the values they have in row.
//
// Update is a read-modify-write under snapshot isolation: the commit
// verifies that each column it overwrites still holds the value of the
// transaction's snapshot, so when a concurrent writer changed one the
// commit fails and fn runs again on the new state (the first committer
// wins; no update is lost). Overwrite is the blind write.
func (tx *Tx) Update(row Model, columns ...string) error {
	return tx.update(row, false, columns)
}

// Overwrite is Update without the verification: a blind write, where the
// last writer wins (ovs-vsctl's set). Use it for values that do not depend
// on what the transaction read.
func (tx *Tx) Overwrite(row Model, columns ...string) error {
	return tx.update(row, true, columns)
}

func (tx *Tx) update(row Model, blind bool, columns []string) error {
	if err := tx.writable(); err != nil {
		return err
	}
	if len(columns) == 0 {
		return fmt.Errorf("update %s: no columns named: %w", row.Table(), ErrInvalid)
	}
	p, err := tx.touch(row)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	for _, col := range columns {
		if err := tx.checkWritable(p, col); err != nil {
			return fmt.Errorf("update: %w", err)
		}
	}
	lk := tx.snap.c.lacks
	for _, col := range columns {
		// A column the server lacks reads as its zero value: writing that
		// is no change, writing anything else is refused.
		v, _ := row.OVSDBColumn(col)
		if lk.column(p.table, col) && !isZero(v) {
			return fmt.Errorf("update: %w", tx.unsupported(p.table, col))
		}
		if err := tx.checkValue(p.table, col, v); err != nil {
			return fmt.Errorf("update: %w", err)
		}
	}
	if !blind && !p.inserted {
		var unverified []string
		for _, col := range columns {
			if lk.column(p.table, col) {
				continue
			}
			if _, ok := tx.verified.get(colRef{p.table, p.uuid, col}); !ok && !slices.Contains(unverified, col) {
				unverified = append(unverified, col)
			}
		}
		if len(unverified) > 0 {
			if err := tx.snap.c.readableColumns(p.table, unverified...); err != nil {
				return fmt.Errorf("update (a column the client does not monitor cannot be verified; Overwrite writes it blind): %w", err)
			}
			if err := tx.Verify(row, unverified...); err != nil {
				return fmt.Errorf("update: %w", err)
			}
		}
	}
	// The transaction keeps its own copy: the caller may go on editing
	// row's maps and slices without changing what is committed.
	row = row.OVSDBClone()
	enc := map[string]any{}
	var edits []edit
	for _, col := range columns {
		v, _ := row.OVSDBColumn(col)
		edits = append(edits, edit{col: col, set: v})
		if lk.column(p.table, col) {
			continue // its zero value, which the server has by default
		}
		e, err := tx.schema.encode(p.table, col, v)
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		enc[col] = e
	}
	p.edits = append(p.edits, edits...)
	tx.indexValues(p, row, intersect(columns, tx.schema.uniqueColumns(p.table)))
	if p.inserted {
		p.dirty = true
		return nil
	}
	if len(enc) == 0 {
		return nil
	}
	return tx.addOp(Operation{Op: "update", Table: p.table, Where: []Condition{uuidCond(p.uuid)}, Row: enc})
}

// Mutate applies mutations to an existing row: set and map edits that do
// not read the column, so concurrent writers of the same column (ports of a
// bridge, say) do not conflict.
func (tx *Tx) Mutate(row Model, muts ...Mutation) error {
	if err := tx.writable(); err != nil {
		return err
	}
	p, err := tx.touch(row)
	if err != nil {
		return fmt.Errorf("mutate: %w", err)
	}
	enc := make([]Mutation, 0, len(muts))
	for _, m := range muts {
		if err := tx.checkWritable(p, m.Column); err != nil {
			return fmt.Errorf("mutate: %w", err)
		}
		if tx.snap.c.lacks.column(p.table, m.Column) {
			return fmt.Errorf("mutate: %w", tx.unsupported(p.table, m.Column))
		}
		if m.Mutator == MutateInsert {
			if err := tx.checkValue(p.table, m.Column, m.Value); err != nil {
				return fmt.Errorf("mutate: %w", err)
			}
		}
		cur, _ := p.base.OVSDBColumn(m.Column)
		if err := checkMutation(cur, m); err != nil {
			return fmt.Errorf("mutate %s.%s: %w", p.table, m.Column, err)
		}
		// A map column's keys to delete (a key or a slice of keys) encode
		// as a set of the key type, as any non-map value does.
		v, err := tx.schema.encode(p.table, m.Column, m.Value)
		if err != nil {
			return fmt.Errorf("mutate: %w", err)
		}
		enc = append(enc, Mutation{m.Column, m.Mutator, v})
	}
	for i := range muts {
		m := muts[i]
		m.Value = cloneValue(m.Value)
		p.edits = append(p.edits, edit{col: m.Column, mut: &m})
	}
	if p.inserted {
		p.dirty = true
		return nil
	}
	return tx.addOp(Operation{Op: "mutate", Table: p.table, Where: []Condition{uuidCond(p.uuid)}, Mutations: enc})
}

// Delete removes a row. Rows of non-root tables (Port, Interface, ...) are
// also removed by the server once nothing refers to them; deleting one that
// is still referred to fails at commit with a referential integrity error.
func (tx *Tx) Delete(row Model) error {
	if err := tx.writable(); err != nil {
		return err
	}
	p, err := tx.touch(row)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	p.deleted = true
	p.mat = nil
	return tx.addOp(Operation{Op: "delete", Table: p.table, Where: []Condition{uuidCond(p.uuid)}})
}

// Comment adds a comment to the transaction; ovsdb-server writes it to its
// log and database file. Equivalent to: ovs-vsctl comment TEXT
func (tx *Tx) Comment(text string) { tx.comments = append(tx.comments, text) }

// NoWait leaves the database's Policy out of the commit: for Open_vSwitch,
// next_cfg is not incremented and the commit does not wait for
// ovs-vswitchd to apply the change. Equivalent to: ovs-vsctl --no-wait
func (tx *Tx) NoWait() { tx.noWait = true }

// DryRun makes the transaction return its operations without committing.
// Equivalent to: ovs-vsctl --dry-run
func (tx *Tx) DryRun() { tx.dryRun = true }

// Schema returns the schema the transaction's models follow.
func (tx *Tx) Schema() *Schema { return tx.schema }

// Local returns the transaction-scoped value stored under key, creating it
// with init on first use. Commands that cooperate within one transaction
// (a symbol table of row names, say) share state this way; a re-run starts
// from a new Tx, hence from fresh values.
func (tx *Tx) Local(key any, init func() any) any {
	if tx.locals == nil {
		tx.locals = map[any]any{}
	}
	v, ok := tx.locals[key]
	if !ok {
		v = init()
		tx.locals[key] = v
	}
	return v
}

// Writes reports whether the transaction has written anything so far.
func (tx *Tx) Writes() bool { return len(tx.ops) > 0 }

// setting is a Command that sets how the transaction is committed rather
// than reading or writing: Transact does not count it when it numbers the
// commands in an error.
type setting func(tx *Tx)

func (f setting) Run(tx *Tx) error { f(tx); return nil }

// Comment returns a Command that comments the transaction (ovs-vsctl's
// comment command).
func Comment(text string) Command { return setting(func(tx *Tx) { tx.Comment(text) }) }

// NoWait returns a Command that leaves the database's Policy out of the
// transaction (ovs-vsctl --no-wait: no waiting for ovs-vswitchd). WithNoWait makes it a client's
// default.
func NoWait() Command { return setting(func(tx *Tx) { tx.NoWait() }) }

// DryRun returns a Command that makes the transaction return its operations
// without committing (ovs-vsctl --dry-run).
func DryRun() Command { return setting(func(tx *Tx) { tx.DryRun() }) }

// checkMutation reports whether applyMutation would accept m on a column
// holding cur, without building the result (a bridge's ports can be large).
func checkMutation(cur any, m Mutation) error {
	ct, mt := reflect.TypeOf(cur), reflect.TypeOf(m.Value)
	if mt == nil {
		return fmt.Errorf("nil mutation value: %w", ErrInvalid)
	}
	ok := false
	switch ct.Kind() {
	case reflect.Slice, reflect.Pointer:
		ok = (m.Mutator == MutateInsert || m.Mutator == MutateDelete) &&
			(mt == ct.Elem() || mt.Kind() == reflect.Slice && mt.Elem() == ct.Elem())
	case reflect.Map:
		ok = mt == ct && (m.Mutator == MutateInsert || m.Mutator == MutateDelete) ||
			m.Mutator == MutateDelete && (mt == ct.Key() || mt.Kind() == reflect.Slice && mt.Elem() == ct.Key())
	case reflect.Int:
		switch m.Mutator {
		case MutateAdd, MutateSub, MutateMul:
			ok = mt.Kind() == reflect.Int
		case MutateDiv, MutateMod:
			ok = mt.Kind() == reflect.Int && reflect.ValueOf(m.Value).Int() != 0
		}
	}
	if !ok {
		return fmt.Errorf("mutator %q with %T on a %T column: %w", m.Mutator, m.Value, cur, ErrInvalid)
	}
	return nil
}

// applyMutation applies a Go-valued mutation to a Go column value and
// returns the new value, leaving cur untouched.
func applyMutation(cur any, m Mutation) (any, error) {
	// The common case, adding UUIDs to a set such as Bridge.ports, without
	// reflection.
	if cs, ok := cur.([]string); ok && m.Mutator == MutateInsert {
		add, ok := m.Value.([]string)
		if one, isOne := m.Value.(string); isOne {
			add, ok = []string{one}, true
		}
		if ok {
			out := make([]string, len(cs), len(cs)+len(add))
			copy(out, cs)
			for _, x := range add {
				if !slices.Contains(out, x) {
					out = append(out, x)
				}
			}
			if len(out) == 0 {
				return []string(nil), nil
			}
			return out, nil
		}
	}
	cv := reflect.ValueOf(cur)
	mv := reflect.ValueOf(m.Value)
	if !mv.IsValid() {
		return nil, fmt.Errorf("nil mutation value: %w", ErrInvalid)
	}
	bad := func() (any, error) {
		return nil, fmt.Errorf("mutator %q with %T on a %T column: %w", m.Mutator, m.Value, cur, ErrInvalid)
	}
	// elems lists the elements of a set value given as a slice or one atom.
	elems := func(elemType reflect.Type) ([]reflect.Value, bool) {
		if mv.Kind() == reflect.Slice && mv.Type().Elem() == elemType {
			out := make([]reflect.Value, mv.Len())
			for i := range out {
				out[i] = mv.Index(i)
			}
			return out, true
		}
		if mv.Type() == elemType {
			return []reflect.Value{mv}, true
		}
		return nil, false
	}
	switch cv.Kind() {
	case reflect.Slice:
		add, ok := elems(cv.Type().Elem())
		if !ok {
			return bad()
		}
		out := reflect.MakeSlice(cv.Type(), 0, cv.Len()+len(add))
		has := func(s reflect.Value, x reflect.Value) bool {
			for i := 0; i < s.Len(); i++ {
				if s.Index(i).Equal(x) {
					return true
				}
			}
			return false
		}
		switch m.Mutator {
		case MutateInsert:
			out = reflect.AppendSlice(out, cv)
			for _, x := range add {
				if !has(out, x) {
					out = reflect.Append(out, x)
				}
			}
		case MutateDelete:
			del := reflect.MakeSlice(cv.Type(), 0, len(add))
			for _, x := range add {
				del = reflect.Append(del, x)
			}
			for i := 0; i < cv.Len(); i++ {
				if !has(del, cv.Index(i)) {
					out = reflect.Append(out, cv.Index(i))
				}
			}
		default:
			return bad()
		}
		if out.Len() == 0 {
			return reflect.Zero(cv.Type()).Interface(), nil
		}
		return out.Interface(), nil
	case reflect.Pointer:
		vals, ok := elems(cv.Type().Elem())
		if !ok || len(vals) > 1 {
			return bad()
		}
		switch m.Mutator {
		case MutateInsert:
			if !cv.IsNil() || len(vals) == 0 {
				return cur, nil
			}
			p := reflect.New(cv.Type().Elem())
			p.Elem().Set(vals[0])
			return p.Interface(), nil
		case MutateDelete:
			if len(vals) == 1 && !cv.IsNil() && cv.Elem().Equal(vals[0]) {
				return reflect.Zero(cv.Type()).Interface(), nil
			}
			return cur, nil
		}
		return bad()
	case reflect.Map:
		out := reflect.MakeMapWithSize(cv.Type(), cv.Len())
		iter := cv.MapRange()
		for iter.Next() {
			out.SetMapIndex(iter.Key(), iter.Value())
		}
		switch {
		case m.Mutator == MutateInsert && mv.Type() == cv.Type():
			it := mv.MapRange()
			for it.Next() {
				if !out.MapIndex(it.Key()).IsValid() {
					out.SetMapIndex(it.Key(), it.Value())
				}
			}
		case m.Mutator == MutateDelete && mv.Type() == cv.Type():
			it := mv.MapRange()
			for it.Next() {
				if v := out.MapIndex(it.Key()); v.IsValid() && v.Equal(it.Value()) {
					out.SetMapIndex(it.Key(), reflect.Value{})
				}
			}
		case m.Mutator == MutateDelete:
			keys, ok := elems(cv.Type().Key())
			if !ok {
				return bad()
			}
			for _, k := range keys {
				out.SetMapIndex(k, reflect.Value{})
			}
		default:
			return bad()
		}
		if out.Len() == 0 {
			return reflect.Zero(cv.Type()).Interface(), nil
		}
		return out.Interface(), nil
	case reflect.Int:
		if mv.Kind() != reflect.Int {
			return bad()
		}
		a, b := cv.Int(), mv.Int()
		var r int64
		switch m.Mutator {
		case MutateAdd:
			r = a + b
		case MutateSub:
			r = a - b
		case MutateMul:
			r = a * b
		case MutateDiv, MutateMod:
			if b == 0 {
				return nil, fmt.Errorf("division by zero: %w", ErrInvalid)
			}
			if m.Mutator == MutateDiv {
				r = a / b
			} else {
				r = a % b
			}
		default:
			return bad()
		}
		return reflect.ValueOf(r).Convert(cv.Type()).Interface(), nil
	}
	return bad()
}

// Result is what a committed transaction produced.
type Result struct {
	// Operations are the operations sent (or, for a dry run, not sent).
	Operations []Operation
	// UUIDs maps the names of inserted rows to their real UUIDs.
	UUIDs map[string]string
	// Report is what the database's Policy reported after the commit,
	// if anything (for Open_vSwitch, read it with vswitchdb.ReportOf).
	Report any
	// DryRun is set when nothing was committed.
	DryRun bool
}

// UUID returns the real UUID of the row inserted under the name, or "".
func (r *Result) UUID(name string) string { return r.UUIDs[name] }

// String summarises the result.
func (r *Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d operations", len(r.Operations))
	if r.DryRun {
		b.WriteString(" (dry run)")
	}
	if s, ok := r.Report.(fmt.Stringer); ok {
		fmt.Fprintf(&b, "; %s", s)
	}
	return b.String()
}

// Row returns a copy of the row of table with the given UUID as the
// transaction sees it, or an error wrapping ErrNotFound. Unlike Get it
// verifies nothing: it is the by-name access that generic tools (record
// lookup across any table) build on; verify what a decision depends on
// with Tx.Verify.
func (tx *Tx) Row(table, uuid string) (Model, error) {
	if err := tx.check(); err != nil {
		return nil, err
	}
	if _, ok := tx.schema.kinds[table]; !ok {
		return nil, fmt.Errorf("table %q: %w", table, ErrUnknownTable)
	}
	r, err := tx.row(table, uuid)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("%s row %s: %w", table, uuid, ErrNotFound)
	}
	return r.OVSDBClone(), nil
}

// Rows returns copies of all rows of table as the transaction sees them,
// like List for a table named at run time. It verifies nothing.
func (tx *Tx) Rows(table string) ([]Model, error) {
	if err := tx.check(); err != nil {
		return nil, err
	}
	if _, ok := tx.schema.kinds[table]; !ok {
		return nil, fmt.Errorf("table %q: %w", table, ErrUnknownTable)
	}
	rows, err := tx.rows(table)
	if err != nil {
		return nil, err
	}
	out := make([]Model, len(rows))
	for i, r := range rows {
		out[i] = r.OVSDBClone()
	}
	return out, nil
}

// IsUUID reports whether s is a textual UUID (8-4-4-4-12 hex digits), as
// opposed to the name of a row inserted by the transaction.
func IsUUID(s string) bool { return isUUID(s) }

// IsRowName reports whether s can name a row inserted by a transaction
// (an RFC 7047 <id>: [_a-zA-Z][_a-zA-Z0-9]*).
func IsRowName(s string) bool { return isNamedUUID(s) }
