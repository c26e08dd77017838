package ovsdb

//go:generate go run ../internal/cmd/modelgen -schema vswitch.ovsschema -pkg ovsdb -out models_gen.go
