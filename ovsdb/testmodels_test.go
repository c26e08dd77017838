package ovsdb

import "github.com/ovskit/ovskit/internal/codec"

// The package's own tests run on Open_vSwitch models generated into the
// package's test files (models_gen_test.go), with the interface key
// indexes of package vswitchdb's policy.

// testSchema returns the test models' schema.
func testSchema() (*Schema, error) { return Database().Schema() }

// defaultKeyIndexes are the keys vswitchdb's policy indexes.
var defaultKeyIndexes = []KeyIndex{
	{TableInterface, "external_ids", "iface-id"},
	{TableInterface, "external_ids", "attached-mac"},
	{TableInterface, "external_ids", "vm-uuid"},
}

// root returns the Open_vSwitch row, or nil before `init`.
func (s *snapshot) root() *OpenVSwitch {
	var root *OpenVSwitch
	s.table(TableOpenVSwitch).all(func(_ string, r Model) bool {
		root = r.(*OpenVSwitch)
		return false
	})
	return root
}

// What the generated test models call: package genmodel's functions, which
// the package's own tests cannot import (genmodel imports ovsdb).

func DecString[T ~string](raw []byte) (T, error)       { return codec.DecString[T](raw) }
func DecInt[T ~int](raw []byte) (T, error)             { return codec.DecInt[T](raw) }
func DecReal[T ~float64](raw []byte) (T, error)        { return codec.DecReal[T](raw) }
func DecBool[T ~bool](raw []byte) (T, error)           { return codec.DecBool[T](raw) }
func DecUUID[T ~string](raw []byte) (T, error)         { return codec.DecUUID[T](raw) }
func ClonePtr[T any](p *T) *T                          { return codec.ClonePtr(p) }
func ColumnTypeError(t, c, want string, got any) error { return columnTypeError(t, c, want, got) }
func UnknownColumnError(t, c string) error             { return unknownColumnError(t, c) }

func DecodeScalar[T any](raw []byte, dst *T, dec func([]byte) (T, error)) error {
	return codec.DecodeScalar(raw, dst, dec)
}

func DecodeOptional[T comparable](raw []byte, dst **T, dec func([]byte) (T, error), diff bool) error {
	return codec.DecodeOptional(raw, dst, dec, diff)
}

func DecodeSet[T comparable](raw []byte, dst *[]T, dec func([]byte) (T, error), diff bool) error {
	return codec.DecodeSet(raw, dst, dec, diff)
}

func DecodeMap[K, V comparable](raw []byte, dst *map[K]V, dk func([]byte) (K, error), dv func([]byte) (V, error), diff bool) error {
	return codec.DecodeMap(raw, dst, dk, dv, diff)
}

func RefRows[T any, PT ModelPtr[T]](tx *Tx, uuids []string) ([]PT, error) {
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

func RefRow[T any, PT ModelPtr[T]](tx *Tx, u *string) (PT, error) {
	if u == nil {
		return nil, nil
	}
	return Get[T, PT](tx, *u)
}

func RefMap[T any, PT ModelPtr[T], K comparable](tx *Tx, m map[K]string) (map[K]PT, error) {
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
