package ovsdb

// vswitch.ovsschema is Open vSwitch tag v3.7.1's vswitchd/vswitch.ovsschema
// (Open_vSwitch 8.8.0). Older servers are negotiated down (see Client.ServerHas).
//go:generate go run ../cmd/modelgen -schema vswitch.ovsschema -pkg ovsdb -out models_gen.go

// OldestServerVersion is the oldest Open_vSwitch schema version that
// ovskit supports and is tested against: 8.2.0, Open vSwitch 2.13.8's (the
// tutorial's). Servers from it to SchemaVersion (Open vSwitch 3.7.1's) are
// each proven with the ovs-vsctl differential suite; a newer server works
// too, with what the models know of it.
const OldestServerVersion = "8.2.0"
