package ovsdb

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

// What the generated test models call besides package codec's decoders:
// package genmodel's resolvers and errors, which the package's own tests
// cannot import (genmodel imports ovsdb).

func ColumnTypeError(t, c, want string, got any) error { return columnTypeError(t, c, want, got) }
func UnknownColumnError(t, c string) error             { return unknownColumnError(t, c) }

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
