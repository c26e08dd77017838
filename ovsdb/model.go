package ovsdb

import (
	"fmt"
	"slices"
)

// Model is a row of one table of the Open_vSwitch schema: *Bridge, *Port,
// *Interface and the other generated types. Only the generated types
// implement it.
type Model interface {
	// Table returns the name of the row's table.
	Table() string

	uuid() string
	setUUID(string)
	// clone returns a deep copy: nothing of it is shared with r.
	clone() Model
	// shallow returns a copy of the struct that shares its sets, maps
	// and optional values with r: for building a new version of a row
	// whose fields are replaced, never edited in place.
	shallow() Model
	decodeColumn(col string, raw []byte, diff bool) error
	column(col string) (any, bool)
	setColumn(col string, v any) error
	columns() []string
}

// ModelPtr is the constraint of the generic helpers: a pointer to a generated
// row type, such as *Bridge for T = Bridge.
type ModelPtr[T any] interface {
	*T
	Model
}

// UUIDOf returns the row's UUID (a named UUID before its transaction commits).
func UUIDOf(m Model) string { return m.uuid() }

// SetUUID names a row before Tx.Insert: u is the row name other rows of
// the transaction refer to it by (see Tx.Insert).
func SetUUID(m Model, u string) { m.setUUID(u) }

// Column returns the Go value of a column of the row, by its schema name
// ("_uuid" included).
func Column(m Model, col string) (any, error) {
	v, ok := m.column(col)
	if !ok {
		return nil, unknownColumnError(m.Table(), col)
	}
	return v, nil
}

// SetColumn sets a column of the row from a Go value of the column's type.
func SetColumn(m Model, col string, v any) error { return m.setColumn(col, v) }

// Columns lists the row's columns (without "_uuid"), in schema order.
func Columns(m Model) []string { return slices.Clone(m.columns()) }

// NewRow returns an empty row of the named table.
func NewRow(table string) (Model, error) {
	m := newModel(table)
	if m == nil {
		return nil, fmt.Errorf("table %q: %w", table, ErrUnknownTable)
	}
	return m, nil
}

// Tables lists the tables the models cover.
func Tables() []string { return tableNames() }

func columnTypeError(table, col, want string, got any) error {
	return fmt.Errorf("column %s.%s takes %s, not %T: %w", table, col, want, got, ErrInvalid)
}

func unknownColumnError(table, col string) error {
	return fmt.Errorf("table %s has no column %q: %w", table, col, ErrUnknownColumn)
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// refRows resolves a set of references to typed rows, in the set's order.
// The commit verifies that each still exists (Get).
func refRows[T any, PT ModelPtr[T]](tx *Tx, uuids []string) ([]PT, error) {
	out := make([]PT, 0, len(uuids))
	for _, u := range uuids {
		r, err := Get[T, PT](tx, u)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// refRow resolves an optional reference: nil when it is empty.
func refRow[T any, PT ModelPtr[T]](tx *Tx, u *string) (PT, error) {
	if u == nil {
		return nil, nil
	}
	return Get[T, PT](tx, *u)
}

// refMap resolves a map's reference values to typed rows.
func refMap[T any, PT ModelPtr[T], K comparable](tx *Tx, m map[K]string) (map[K]PT, error) {
	out := make(map[K]PT, len(m))
	for k, u := range m {
		r, err := Get[T, PT](tx, u)
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}
