package ovsdb

import (
	"fmt"
	"slices"
)

// Model is a row of one table of a database: the types that cmd/modelgen
// generates (vswitchdb.Bridge, nbdb.LogicalSwitch, a program's own). Its
// OVSDB-prefixed methods are the generated code's interface to this
// package's cache and transactions; programs use the rows' fields and the
// functions of this package instead.
type Model interface {
	// Table returns the name of the row's table. It does not read the
	// row: the generic helpers call it on a nil pointer of the type.
	Table() string

	// OVSDBUUID returns the row's UUID (a named UUID before a commit).
	OVSDBUUID() string
	// OVSDBSetUUID sets it.
	OVSDBSetUUID(string)
	// OVSDBClone returns a deep copy: nothing of it is shared with the row.
	OVSDBClone() Model
	// OVSDBShallow returns a copy of the struct that shares its sets,
	// maps and optional values with the row: for building a new version
	// of a row whose fields are replaced, never edited in place.
	OVSDBShallow() Model
	// OVSDBDecodeColumn decodes a column's value (diff: an update2 diff
	// to apply to the current value).
	OVSDBDecodeColumn(col string, raw []byte, diff bool) error
	// OVSDBColumn returns a column's Go value.
	OVSDBColumn(col string) (any, bool)
	// OVSDBSetColumn sets a column from a Go value of its type.
	OVSDBSetColumn(col string, v any) error
	// OVSDBColumns lists the columns (without _uuid), in schema order;
	// the slice is shared and must not be changed.
	OVSDBColumns() []string
}

// ModelPtr is the constraint of the generic helpers: a pointer to a generated
// row type, such as *Bridge for T = Bridge.
type ModelPtr[T any] interface {
	*T
	Model
}

// UUIDOf returns the row's UUID (a named UUID before its transaction commits).
func UUIDOf(m Model) string { return m.OVSDBUUID() }

// SetUUID names a row before Tx.Insert: u is the row name other rows of
// the transaction refer to it by (see Tx.Insert).
func SetUUID(m Model, u string) { m.OVSDBSetUUID(u) }

// Column returns the Go value of a column of the row, by its schema name
// ("_uuid" included).
func Column(m Model, col string) (any, error) {
	v, ok := m.OVSDBColumn(col)
	if !ok {
		return nil, unknownColumnError(m.Table(), col)
	}
	return v, nil
}

// SetColumn sets a column of the row from a Go value of the column's type.
func SetColumn(m Model, col string, v any) error { return m.OVSDBSetColumn(col, v) }

// Columns lists the row's columns (without "_uuid"), in schema order.
func Columns(m Model) []string { return slices.Clone(m.OVSDBColumns()) }

// columnTypeError is the error of setting a column from a Go value of
// another type.
func columnTypeError(table, col, want string, got any) error {
	return fmt.Errorf("column %s.%s takes %s, not %T: %w", table, col, want, got, ErrInvalid)
}

// unknownColumnError is the error of naming a column the table lacks.
func unknownColumnError(table, col string) error {
	return fmt.Errorf("table %s has no column %q: %w", table, col, ErrUnknownColumn)
}
