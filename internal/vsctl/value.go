package vsctl

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ovskit/ovskit/ovsdb"
)

// Column describes one column for the string syntax: its OVSDB type and
// the Go type the generated models give it.
type Column struct {
	Table, Name string
	Key, Value  *ovsdb.BaseType // Value is nil unless the column is a map
	Min, Max    int             // Max < 0: unlimited
	Mutable     bool
	goType      reflect.Type
}

// IsMap reports whether the column is a map.
func (c *Column) IsMap() bool { return c.Value != nil }

// multi reports whether values print with brackets even when they hold
// one element (ovs-vsctl prints "[]" or "{}" unless n_max is 1).
func (c *Column) multi() bool { return c.Max != 1 }

// LookupColumn returns the column of table that name designates. Like
// ovs-vsctl, a unique prefix is enough and "-" matches "_".
func LookupColumn(s *ovsdb.Schema, table, name string) (*Column, error) {
	best := bestMatches(name, s.Columns(table))
	switch {
	case len(best) == 0:
		return nil, fmt.Errorf("%s does not contain a column whose name matches %q: %w", table, name, ovsdb.ErrUnknownColumn)
	case len(best) > 1:
		return nil, fmt.Errorf("%s contains more than one column whose name matches %q: %s: %w", table, name, strings.Join(best, ", "), ovsdb.ErrUnknownColumn)
	}
	full := best[0]
	cs, err := s.Column(table, full)
	if err != nil {
		return nil, err
	}
	row, err := s.NewRow(table)
	if err != nil {
		return nil, err
	}
	v, err := ovsdb.Column(row, full)
	if err != nil {
		return nil, err
	}
	key := cs.Key
	return &Column{Table: table, Name: full, Key: &key, Value: cs.Value, Min: cs.Min, Max: cs.Max,
		Mutable: cs.Mutable, goType: reflect.TypeOf(v)}, nil
}

// LookupTable returns the table of schema s that name designates (a
// unique prefix, case-insensitive, "-" for "_").
func LookupTable(s *ovsdb.Schema, name string) (string, error) {
	best := bestMatches(name, s.Tables())
	switch {
	case len(best) == 0:
		return "", fmt.Errorf("unknown table %q: %w", name, ovsdb.ErrUnknownTable)
	case len(best) > 1:
		return "", fmt.Errorf("%q matches multiple table names: %s: %w", name, strings.Join(best, ", "), ovsdb.ErrUnknownTable)
	}
	return best[0], nil
}

func fold(c byte) byte {
	if c == '-' {
		return '_'
	}
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// score rates how well user input s matches name, as ovs-vsctl does: an
// exact match wins, then a case/dash-insensitive full match, then the
// longest prefix.
func score(name, s string) int {
	if name == s {
		return math.MaxInt
	}
	i := 0
	for ; i < len(name) && i < len(s); i++ {
		if fold(name[i]) != fold(s[i]) {
			break
		}
	}
	if i == len(name) && i == len(s) {
		return math.MaxInt - 1
	}
	if i == len(s) {
		return i
	}
	return 0
}

// bestMatches are the names that s matches best (the highest score),
// sorted.
func bestMatches(s string, names []string) []string {
	best, bestScore := []string(nil), 0
	for _, n := range names {
		sc := score(n, s)
		if sc == 0 || sc < bestScore {
			continue
		}
		if sc > bestScore {
			best = best[:0]
			bestScore = sc
		}
		best = append(best, n)
	}
	slices.Sort(best)
	return best
}

// Datum is a column value in OVSDB's abstract form: sorted keys (and the
// values of a map), each atom a Go string (strings and UUIDs), int64,
// float64 or bool.
type Datum struct {
	Keys   []any
	Values []any
}

// Len is the number of elements (or pairs).
func (d Datum) Len() int { return len(d.Keys) }

func isDelim(c byte) bool { return strings.IndexByte(":=, []{}!<>", c) >= 0 }

// Token splits the next token off s, as ovsdb_token_parse: it ends at a
// delimiter outside double quotes; a backslash escapes the next character
// (and is kept inside quotes).
func Token(s string) (tok, rest string, err error) {
	var b strings.Builder
	inQuotes := false
	i := 0
	for i < len(s) {
		c := s[i]
		i++
		switch {
		case c == '\\':
			if inQuotes {
				b.WriteByte('\\')
			}
			if i >= len(s) {
				return "", "", fmt.Errorf("%s: backslash at end of argument: %w", s, ovsdb.ErrInvalid)
			}
			b.WriteByte(s[i])
			i++
		case !inQuotes && isDelim(c):
			return b.String(), s[i-1:], nil
		default:
			b.WriteByte(c)
			if c == '"' {
				inQuotes = !inQuotes
			}
		}
	}
	if inQuotes {
		return "", "", fmt.Errorf("%s: quoted string extends past end of argument: %w", s, ovsdb.ErrInvalid)
	}
	return b.String(), "", nil
}

// ParseAtom parses one atom of base type bt (ovsdb_atom_from_string) and
// checks its constraints. UUIDs may be "@name" symbols of syms.
func ParseAtom(bt *ovsdb.BaseType, s string, syms *Symbols) (any, error) {
	a, err := parseAtom(bt, s, syms)
	if err != nil {
		return nil, err
	}
	return a, checkAtom(bt, a)
}

func parseAtom(bt *ovsdb.BaseType, s string, syms *Symbols) (any, error) {
	switch bt.Type {
	case ovsdb.AtomicInteger:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a valid integer: %w", s, ovsdb.ErrInvalid)
		}
		return n, nil
	case ovsdb.AtomicReal:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a valid real number: %w", s, ovsdb.ErrInvalid)
		}
		return f + 0, nil
	case ovsdb.AtomicBoolean:
		switch s {
		case "true", "yes", "on", "1":
			return true, nil
		case "false", "no", "off", "0":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a valid boolean (use \"true\" or \"false\"): %w", s, ovsdb.ErrInvalid)
	case ovsdb.AtomicString:
		if s == "" {
			return nil, fmt.Errorf(`an empty string is not valid as input; use "" to represent the empty string: %w`, ovsdb.ErrInvalid)
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("%q is not valid UTF-8: %w", s, ovsdb.ErrInvalid)
		}
		if s[0] == '"' {
			if len(s) < 2 || s[len(s)-1] != '"' {
				return nil, fmt.Errorf("%s: missing quote at end of quoted string: %w", s, ovsdb.ErrInvalid)
			}
			var out string
			if err := json.Unmarshal([]byte(s), &out); err != nil {
				return nil, fmt.Errorf("%s: %w: %w", s, err, ovsdb.ErrInvalid)
			}
			return out, nil
		}
		return s, nil
	case ovsdb.AtomicUUID:
		if strings.HasPrefix(s, "@") {
			if syms == nil {
				return nil, fmt.Errorf("%q: row names (@name) are only valid inside a transaction: %w", s, ovsdb.ErrInvalid)
			}
			return syms.Reference(s, bt.RefType), nil
		}
		if !ovsdb.IsUUID(s) {
			return nil, fmt.Errorf("%q is not a valid UUID: %w", s, ovsdb.ErrInvalid)
		}
		return strings.ToLower(s), nil
	}
	return nil, fmt.Errorf("unsupported atomic type %q: %w", bt.Type, ovsdb.ErrInvalid)
}

func checkAtom(bt *ovsdb.BaseType, a any) error {
	if len(bt.Enum) > 0 {
		for _, e := range bt.Enum {
			if atomEqual(normAtom(e), a) {
				return nil
			}
		}
		allowed := make([]string, len(bt.Enum))
		for i, e := range bt.Enum {
			allowed[i] = FormatAtom(bt, normAtom(e))
		}
		sort.Strings(allowed)
		return fmt.Errorf("constraint violation: %s is not one of the allowed values ([%s]): %w",
			FormatAtom(bt, a), strings.Join(allowed, ", "), ovsdb.ErrInvalid)
	}
	if n, ok := a.(int64); ok && bt.Type == ovsdb.AtomicInteger {
		if n < int64(bt.MinInteger) || n > int64(bt.MaxInteger) {
			return fmt.Errorf("constraint violation: %d is not in the valid range %s: %w", n, rangeText(bt), ovsdb.ErrInvalid)
		}
	}
	if f, ok := a.(float64); ok && bt.Type == ovsdb.AtomicReal {
		if f < bt.MinReal || f > bt.MaxReal {
			return fmt.Errorf("constraint violation: %g is out of range: %w", f, ovsdb.ErrInvalid)
		}
	}
	if s, ok := a.(string); ok && bt.Type == ovsdb.AtomicString {
		if hi := bt.MaxLength; len(s) > hi {
			return fmt.Errorf("constraint violation: %q is %d bytes long, more than the maximum of %d: %w", s, len(s), hi, ovsdb.ErrInvalid)
		}
	}
	return nil
}

func rangeText(bt *ovsdb.BaseType) string {
	return fmt.Sprintf("%d to %d (inclusive)", bt.MinInteger, bt.MaxInteger)
}

// normAtom converts a JSON-decoded enum value to the atom form.
func normAtom(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) {
			return int64(x)
		}
	case int:
		return int64(x)
	}
	return v
}

// ParseDatum parses a whole column value (ovsdb_datum_from_string): atoms
// (or key=value pairs) separated by spaces or commas, optionally inside
// [] (sets) or {} (maps), required when empty. Integer set elements may
// be ranges "lo-hi". min/max bound the element count.
func ParseDatum(c *Column, s string, syms *Symbols, min, max int) (Datum, error) {
	var d Datum
	p := strings.TrimLeft(s, " \t\n")
	var end byte
	open, close := byte('['), byte(']')
	if c.IsMap() {
		open, close = '{', '}'
	}
	switch {
	case p != "" && p[0] == open:
		end = close
		p = strings.TrimLeft(p[1:], " \t\n")
	case p == "":
		if c.IsMap() {
			return d, fmt.Errorf(`use "{}" to specify the empty map: %w`, ovsdb.ErrInvalid)
		}
		return d, fmt.Errorf(`use "[]" to specify the empty set: %w`, ovsdb.ErrInvalid)
	}
	for p != "" && (end == 0 || p[0] != end) {
		if isDelim(p[0]) {
			return Datum{}, fmt.Errorf("%s: unexpected %q parsing %s.%s: %w", s, p[0], c.Table, c.Name, ovsdb.ErrInvalid)
		}
		tok, rest, err := Token(p)
		if err != nil {
			return Datum{}, err
		}
		p = rest
		keys, err := parseKeyRange(c.Key, tok, syms)
		if err != nil {
			return Datum{}, err
		}
		var val any
		if c.IsMap() {
			p = strings.TrimLeft(p, " \t\n")
			if p == "" || p[0] != '=' {
				at := "end of input"
				if p != "" {
					at = fmt.Sprintf("%q", p[0])
				}
				return Datum{}, fmt.Errorf("%s: syntax error at %s expecting \"=\": %w", s, at, ovsdb.ErrInvalid)
			}
			p = strings.TrimLeft(p[1:], " \t\n")
			vtok, rest, err := Token(p)
			if err != nil {
				return Datum{}, err
			}
			p = rest
			if val, err = ParseAtom(c.Value, vtok, syms); err != nil {
				return Datum{}, err
			}
		}
		for _, k := range keys {
			d.Keys = append(d.Keys, k)
			if c.IsMap() {
				d.Values = append(d.Values, val)
			}
		}
		p = strings.TrimLeft(p, " \t\n")
		if p != "" && p[0] == ',' {
			p = strings.TrimLeft(p[1:], " \t\n")
		}
	}
	if end != 0 {
		if p == "" {
			return Datum{}, fmt.Errorf("%s: missing %q at end of data: %w", s, end, ovsdb.ErrInvalid)
		}
		if rest := strings.TrimSpace(p[1:]); rest != "" {
			return Datum{}, fmt.Errorf("%s: trailing garbage after %q: %w", s, end, ovsdb.ErrInvalid)
		}
	}
	what := "value(s)"
	if c.IsMap() {
		what = "pair(s)"
	}
	if d.Len() < min {
		return Datum{}, fmt.Errorf("%s: %d %s specified but the minimum number is %d: %w", s, d.Len(), what, min, ovsdb.ErrInvalid)
	}
	if max >= 0 && d.Len() > max {
		return Datum{}, fmt.Errorf("%s: %d %s specified but the maximum number is %d: %w", s, d.Len(), what, max, ovsdb.ErrInvalid)
	}
	if !d.sort() {
		if c.IsMap() {
			return Datum{}, fmt.Errorf("%s: map contains duplicate key: %w", s, ovsdb.ErrInvalid)
		}
		return Datum{}, fmt.Errorf("%s: set contains duplicate value: %w", s, ovsdb.ErrInvalid)
	}
	return d, nil
}

func parseKeyRange(bt *ovsdb.BaseType, tok string, syms *Symbols) ([]any, error) {
	if bt.Type == ovsdb.AtomicInteger {
		if i := strings.IndexByte(tok[min(1, len(tok)):], '-'); i >= 0 {
			i++
			lo, err1 := strconv.ParseInt(tok[:i], 10, 64)
			hi, err2 := strconv.ParseInt(tok[i+1:], 10, 64)
			if err1 == nil && err2 == nil {
				if hi < lo {
					return nil, fmt.Errorf("%q is not a valid range. Range end cannot be before start: %w", tok, ovsdb.ErrInvalid)
				}
				if hi-lo >= 4096 {
					return nil, fmt.Errorf("range %q is too big (at most 4096 values): %w", tok, ovsdb.ErrInvalid)
				}
				var out []any
				for n := lo; n <= hi; n++ {
					if err := checkAtom(bt, n); err != nil {
						return nil, err
					}
					out = append(out, n)
				}
				return out, nil
			}
		}
	}
	a, err := ParseAtom(bt, tok, syms)
	if err != nil && bt.Type == ovsdb.AtomicInteger && strings.HasSuffix(err.Error(), "is not a valid integer: "+ovsdb.ErrInvalid.Error()) {
		// A value where a range may stand, in ovs-vsctl's words.
		return nil, fmt.Errorf("%q is not a valid integer or range: %w", tok, ovsdb.ErrInvalid)
	}
	if err != nil {
		return nil, err
	}
	return []any{a}, nil
}

// sort orders the datum by key and reports false on a duplicate key.
func (d *Datum) sort() bool {
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return compareAtoms(d.Keys[idx[a]], d.Keys[idx[b]]) < 0 })
	keys := make([]any, len(idx))
	var vals []any
	if d.Values != nil {
		vals = make([]any, len(idx))
	}
	for i, j := range idx {
		keys[i] = d.Keys[j]
		if vals != nil {
			vals[i] = d.Values[j]
		}
	}
	d.Keys, d.Values = keys, vals
	for i := 1; i < len(keys); i++ {
		if compareAtoms(keys[i-1], keys[i]) == 0 {
			return false
		}
	}
	return true
}

func compareAtoms(a, b any) int {
	switch x := a.(type) {
	case int64:
		y, _ := b.(int64)
		return cmp.Compare(x, y)
	case float64:
		y, _ := b.(float64)
		return cmp.Compare(x, y)
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case string:
		y, _ := b.(string)
		return strings.Compare(x, y)
	}
	return 0
}

func atomEqual(a, b any) bool {
	return compareAtoms(a, b) == 0 && reflect.TypeOf(a) == reflect.TypeOf(b)
}

// Find returns the index of key in d, or -1.
func (d Datum) Find(key any) int {
	i := sort.Search(d.Len(), func(i int) bool { return compareAtoms(d.Keys[i], key) >= 0 })
	if i < d.Len() && compareAtoms(d.Keys[i], key) == 0 {
		return i
	}
	return -1
}

// Union adds the elements (pairs) of o that d lacks; for a map, keys
// already in d keep their values.
func (d Datum) Union(o Datum) Datum {
	out := Datum{Keys: append([]any(nil), d.Keys...)}
	if d.Values != nil || o.Values != nil {
		out.Values = append([]any{}, d.Values...)
	}
	for i, k := range o.Keys {
		if d.Find(k) >= 0 {
			continue
		}
		out.Keys = append(out.Keys, k)
		if o.Values != nil {
			out.Values = append(out.Values, o.Values[i])
		}
	}
	out.sort()
	return out
}

// Subtract removes from d the elements of o; for a map, o may hold pairs
// (removed only where the value matches too) or bare keys (o.Values nil).
func (d Datum) Subtract(o Datum, isMap bool) Datum {
	var out Datum
	if isMap {
		out.Values = []any{}
	}
	for i, k := range d.Keys {
		j := o.Find(k)
		if j >= 0 && (!isMap || o.Values == nil || atomEqual(o.Values[j], d.Values[i])) {
			continue
		}
		out.Keys = append(out.Keys, k)
		if isMap {
			out.Values = append(out.Values, d.Values[i])
		}
	}
	return out
}

// Compare orders two datums as ovsdb_datum_compare_3way: by size, then
// element by element.
func Compare(a, b Datum) int {
	if a.Len() != b.Len() {
		if a.Len() < b.Len() {
			return -1
		}
		return 1
	}
	for i := range a.Keys {
		if c := compareAtoms(a.Keys[i], b.Keys[i]); c != 0 {
			return c
		}
	}
	for i := range a.Values {
		if c := compareAtoms(a.Values[i], b.Values[i]); c != 0 {
			return c
		}
	}
	return 0
}

// IncludesAll reports whether every element of a is in b (pairs equal too).
func IncludesAll(a, b Datum) bool {
	for i, k := range a.Keys {
		j := b.Find(k)
		if j < 0 || a.Values != nil && b.Values != nil && !atomEqual(a.Values[i], b.Values[j]) {
			return false
		}
	}
	return true
}

// ExcludesAll reports whether no element of a is in b.
func ExcludesAll(a, b Datum) bool {
	for i, k := range a.Keys {
		j := b.Find(k)
		if j >= 0 && (a.Values == nil || b.Values == nil || atomEqual(a.Values[i], b.Values[j])) {
			return false
		}
	}
	return true
}

// Get reads the column of row as a Datum.
func (c *Column) Get(row ovsdb.Model) (Datum, error) {
	v, err := ovsdb.Column(row, c.Name)
	if err != nil {
		return Datum{}, err
	}
	return ToDatum(v), nil
}

// ToDatum converts a model's Go value to a Datum.
func ToDatum(v any) Datum {
	var d Datum
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if !rv.IsNil() {
			d.Keys = []any{goAtom(rv.Elem())}
		}
	case reflect.Slice:
		for i := 0; i < rv.Len(); i++ {
			d.Keys = append(d.Keys, goAtom(rv.Index(i)))
		}
	case reflect.Map:
		d.Values = []any{}
		it := rv.MapRange()
		for it.Next() {
			d.Keys = append(d.Keys, goAtom(it.Key()))
			d.Values = append(d.Values, goAtom(it.Value()))
		}
	case reflect.Invalid:
	default:
		d.Keys = []any{goAtom(rv)}
	}
	d.sort()
	return d
}

func goAtom(v reflect.Value) any {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return v.Int()
	case reflect.Float64, reflect.Float32:
		return v.Float()
	case reflect.Bool:
		return v.Bool()
	}
	return v.Interface()
}

// Set writes d into the column of row (in memory; the caller commits with
// Tx.Update).
func (c *Column) Set(row ovsdb.Model, d Datum) error {
	v, err := c.GoValue(d)
	if err != nil {
		return err
	}
	return ovsdb.SetColumn(row, c.Name, v)
}

// GoValue converts d to the Go type of the column.
func (c *Column) GoValue(d Datum) (any, error) {
	t := c.goType
	conv := func(a any, et reflect.Type) (reflect.Value, error) {
		v := reflect.ValueOf(a)
		if !v.CanConvert(et) {
			return reflect.Value{}, fmt.Errorf("%s.%s: cannot use %v: %w", c.Table, c.Name, a, ovsdb.ErrInvalid)
		}
		return v.Convert(et), nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t).Elem()
		if d.Len() > 0 {
			v, err := conv(d.Keys[0], t.Elem())
			if err != nil {
				return nil, err
			}
			e := reflect.New(t.Elem())
			e.Elem().Set(v)
			p.Set(e)
		}
		return p.Interface(), nil
	case reflect.Slice:
		s := reflect.MakeSlice(t, 0, d.Len())
		for _, k := range d.Keys {
			v, err := conv(k, t.Elem())
			if err != nil {
				return nil, err
			}
			s = reflect.Append(s, v)
		}
		if d.Len() == 0 {
			return reflect.Zero(t).Interface(), nil
		}
		return s.Interface(), nil
	case reflect.Map:
		if d.Len() == 0 {
			return reflect.Zero(t).Interface(), nil
		}
		m := reflect.MakeMapWithSize(t, d.Len())
		for i, k := range d.Keys {
			kv, err := conv(k, t.Key())
			if err != nil {
				return nil, err
			}
			vv, err := conv(d.Values[i], t.Elem())
			if err != nil {
				return nil, err
			}
			m.SetMapIndex(kv, vv)
		}
		return m.Interface(), nil
	}
	if d.Len() != 1 {
		return nil, fmt.Errorf("%s.%s needs exactly one value, not %d: %w", c.Table, c.Name, d.Len(), ovsdb.ErrInvalid)
	}
	v, err := conv(d.Keys[0], t)
	if err != nil {
		return nil, err
	}
	return v.Interface(), nil
}

// MutationValue converts d to the value of a mutation of the column: its
// Go value, but for an optional column (at most one value) a slice of
// its type, which may hold more than the column does (the server judges).
func (c *Column) MutationValue(d Datum) (any, error) {
	if c.goType.Kind() != reflect.Pointer {
		return c.GoValue(d)
	}
	et := c.goType.Elem()
	s := reflect.MakeSlice(reflect.SliceOf(et), 0, d.Len())
	for _, k := range d.Keys {
		v := reflect.ValueOf(k)
		if !v.CanConvert(et) {
			return nil, fmt.Errorf("%s.%s: cannot use %v: %w", c.Table, c.Name, k, ovsdb.ErrInvalid)
		}
		s = reflect.Append(s, v.Convert(et))
	}
	return s.Interface(), nil
}

// KeysValue converts keys to a Go slice of the column's key type, for a
// mutation that deletes map keys.
func (c *Column) KeysValue(keys []any) (any, error) {
	et := c.goType.Key()
	s := reflect.MakeSlice(reflect.SliceOf(et), 0, len(keys))
	for _, k := range keys {
		v := reflect.ValueOf(k)
		if !v.CanConvert(et) {
			return nil, fmt.Errorf("%s.%s: bad key %v: %w", c.Table, c.Name, k, ovsdb.ErrInvalid)
		}
		s = reflect.Append(s, v.Convert(et))
	}
	return s.Interface(), nil
}

// needsQuotes is ovs-vsctl's rule for printing a string atom bare.
func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
		return true
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return true
		}
	}
	return s == "true" || s == "false" || ovsdb.IsUUID(s)
}

// QuoteString writes s as a JSON string, escaping as OVS's JSON writer.
func QuoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FormatAtom prints one atom as ovs-vsctl does.
func FormatAtom(bt *ovsdb.BaseType, a any) string {
	switch x := a.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', 15, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		if bt != nil && bt.Type == ovsdb.AtomicUUID {
			return x
		}
		if needsQuotes(x) {
			return QuoteString(x)
		}
		return x
	}
	return fmt.Sprint(a)
}

// Format prints d as ovs-vsctl prints a column value.
func (c *Column) Format(d Datum) string {
	var b strings.Builder
	brackets := c.multi() || d.Len() == 0
	if brackets {
		if c.IsMap() {
			b.WriteByte('{')
		} else {
			b.WriteByte('[')
		}
	}
	for i, k := range d.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(FormatAtom(c.Key, k))
		if c.IsMap() {
			b.WriteByte('=')
			b.WriteString(FormatAtom(c.Value, d.Values[i]))
		}
	}
	if brackets {
		if c.IsMap() {
			b.WriteByte('}')
		} else {
			b.WriteByte(']')
		}
	}
	return b.String()
}

// FormatBare prints d without brackets or quotes (ovs-vsctl --bare).
func (c *Column) FormatBare(d Datum) string {
	bare := func(a any) string {
		if s, ok := a.(string); ok {
			return s
		}
		return FormatAtom(nil, a)
	}
	parts := make([]string, d.Len())
	for i, k := range d.Keys {
		parts[i] = bare(k)
		if c.IsMap() {
			parts[i] += "=" + bare(d.Values[i])
		}
	}
	return strings.Join(parts, " ")
}

// JSON returns d in OVSDB's JSON notation, as ovs-vsctl's --data=json and
// --format=json print it: an atom alone for one element of a set, else
// ["set", [...]] or ["map", [[k, v], ...]]; UUIDs as ["uuid", "..."].
func (c *Column) JSON(d Datum) any {
	atom := func(bt *ovsdb.BaseType, a any) any {
		if s, ok := a.(string); ok && bt != nil && bt.Type == ovsdb.AtomicUUID {
			return []any{"uuid", s}
		}
		return a
	}
	if c.IsMap() {
		pairs := make([]any, d.Len())
		for i, k := range d.Keys {
			pairs[i] = []any{atom(c.Key, k), atom(c.Value, d.Values[i])}
		}
		return []any{"map", pairs}
	}
	if d.Len() == 1 {
		return atom(c.Key, d.Keys[0])
	}
	elems := make([]any, d.Len())
	for i, k := range d.Keys {
		elems[i] = atom(c.Key, k)
	}
	return []any{"set", elems}
}
