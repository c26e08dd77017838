// Package genmodel is what the models that cmd/modelgen generates call:
// the decoders of the monitor stream (atoms, and a column's value in an
// initial row or an update2 diff), the resolvers of reference columns and
// the errors of the column accessors. Programs do not call it; they use
// the generated types and package ovsdb.
package genmodel

import (
	"fmt"

	"github.com/ovskit/ovskit/internal/codec"
	"github.com/ovskit/ovskit/ovsdb"
)

// DecString decodes a string atom.
func DecString[T ~string](raw []byte) (T, error) { return codec.DecString[T](raw) }

// DecInt decodes an integer atom.
func DecInt[T ~int](raw []byte) (T, error) { return codec.DecInt[T](raw) }

// DecReal decodes a real atom.
func DecReal[T ~float64](raw []byte) (T, error) { return codec.DecReal[T](raw) }

// DecBool decodes a boolean atom.
func DecBool[T ~bool](raw []byte) (T, error) { return codec.DecBool[T](raw) }

// DecUUID decodes a uuid atom (["uuid", "..."]).
func DecUUID[T ~string](raw []byte) (T, error) { return codec.DecUUID[T](raw) }

// DecodeScalar decodes a column that holds exactly one atom.
func DecodeScalar[T any](raw []byte, dst *T, dec func([]byte) (T, error)) error {
	return codec.DecodeScalar(raw, dst, dec)
}

// DecodeOptional decodes a column that holds zero or one atom.
func DecodeOptional[T comparable](raw []byte, dst **T, dec func([]byte) (T, error), diff bool) error {
	return codec.DecodeOptional(raw, dst, dec, diff)
}

// DecodeSet decodes a set column; with diff, raw is an update2 diff that
// toggles the elements it names.
func DecodeSet[T comparable](raw []byte, dst *[]T, dec func([]byte) (T, error), diff bool) error {
	return codec.DecodeSet(raw, dst, dec, diff)
}

// DecodeMap decodes a map column; with diff, raw is an update2 diff.
func DecodeMap[K, V comparable](raw []byte, dst *map[K]V, dk func([]byte) (K, error), dv func([]byte) (V, error), diff bool) error {
	return codec.DecodeMap(raw, dst, dk, dv, diff)
}

// ClonePtr returns a copy of *p, or nil.
func ClonePtr[T any](p *T) *T { return codec.ClonePtr(p) }

// ColumnTypeError is the error of setting a column from a Go value of
// another type; it matches ovsdb.ErrInvalid.
func ColumnTypeError(table, col, want string, got any) error {
	return fmt.Errorf("column %s.%s takes %s, not %T: %w", table, col, want, got, ovsdb.ErrInvalid)
}

// UnknownColumnError is the error of naming a column the table lacks; it
// matches ovsdb.ErrUnknownColumn.
func UnknownColumnError(table, col string) error {
	return fmt.Errorf("table %s has no column %q: %w", table, col, ovsdb.ErrUnknownColumn)
}

// RefRows resolves a set of references to typed rows, as tx sees them.
func RefRows[T any, PT ovsdb.ModelPtr[T]](tx *ovsdb.Tx, uuids []string) ([]PT, error) {
	out := make([]PT, 0, len(uuids))
	for _, u := range uuids {
		r, err := ovsdb.Get[T, PT](tx, u)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RefRow resolves an optional reference: nil when it is empty.
func RefRow[T any, PT ovsdb.ModelPtr[T]](tx *ovsdb.Tx, u *string) (PT, error) {
	if u == nil {
		return nil, nil
	}
	return ovsdb.Get[T, PT](tx, *u)
}

// RefMap resolves a map's reference values to typed rows.
func RefMap[T any, PT ovsdb.ModelPtr[T], K comparable](tx *ovsdb.Tx, m map[K]string) (map[K]PT, error) {
	out := make(map[K]PT, len(m))
	for k, u := range m {
		r, err := ovsdb.Get[T, PT](tx, u)
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}
