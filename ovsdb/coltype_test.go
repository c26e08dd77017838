package ovsdb

import (
	"errors"
	"math"
	"testing"
)

// TestSchemaColumnType: Schema.Column describes columns with ovsdb's own
// types, with the schema's constraints and the RFC's defaults.
func TestSchemaColumnType(t *testing.T) {
	s, err := testSchema()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		table, column string
		check         func(ColumnType) bool
	}{
		{"Port", "tag", func(c ColumnType) bool {
			return c.Key.Type == AtomicInteger && c.Key.MinInteger == 0 && c.Key.MaxInteger == 4095 && c.Min == 0 && c.Max == 1 && c.Value == nil && c.Mutable
		}},
		{"Bridge", "fail_mode", func(c ColumnType) bool {
			return c.Key.Type == AtomicString && len(c.Key.Enum) == 2 && c.Key.MaxLength == math.MaxInt64
		}},
		{"Bridge", "ports", func(c ColumnType) bool {
			return c.Key.Type == AtomicUUID && c.Key.RefTable == "Port" && c.Key.RefType == "strong" && c.Max < 0
		}},
		{"Interface", "external_ids", func(c ColumnType) bool {
			return c.Key.Type == AtomicString && c.Value != nil && c.Value.Type == AtomicString && c.Max < 0
		}},
		{"Bridge", "name", func(c ColumnType) bool { return !c.Mutable && c.Min == 1 && c.Max == 1 }},
		{"Interface", "statistics", func(c ColumnType) bool { return c.Ephemeral && c.Value != nil && c.Value.Type == AtomicInteger }},
	}
	for _, tt := range tests {
		t.Run(tt.table+"."+tt.column, func(t *testing.T) {
			c, err := s.Column(tt.table, tt.column)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("%+v (key %+v)", c, c.Key)
			}
		})
	}
	if _, err := s.Column("Bridge", "nosuch"); !errors.Is(err, ErrUnknownColumn) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := s.Column("Nosuch", "name"); !errors.Is(err, ErrUnknownTable) {
		t.Errorf("unknown table: %v", err)
	}
}
