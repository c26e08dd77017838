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
