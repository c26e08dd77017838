package ovsdb

// The package's own tests use Open_vSwitch models generated into the
// package (test files only: the library knows no schema), from a copy of
// the schema in testdata.
//go:generate go run ../cmd/modelgen -schema testdata/vswitch.ovsschema -pkg ovsdb -out models_gen_test.go
