package ovsdb

import (
	lib "github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// The atomic types of OVSDB (RFC 7047): BaseType.Type is one of them.
const (
	AtomicInteger = "integer"
	AtomicReal    = "real"
	AtomicBoolean = "boolean"
	AtomicString  = "string"
	AtomicUUID    = "uuid"
)

// ColumnType is a column's type in a schema (RFC 7047's <type>): its keys'
// base type, its values' for a map, and how many elements it holds.
type ColumnType struct {
	Key BaseType
	// Value is nil unless the column is a map.
	Value *BaseType
	// Min and Max bound the number of elements; Max < 0 is unlimited.
	Min, Max int
	// Mutable is false for a column that cannot change once inserted;
	// Ephemeral for one the server does not keep on disk.
	Mutable, Ephemeral bool
}

// BaseType is the type of a column's keys or values (RFC 7047's
// <base-type>), with the schema's constraints; the bounds that do not
// apply to Type are zero, those the schema leaves out have the RFC's
// defaults (the whole range).
type BaseType struct {
	Type string // AtomicInteger, AtomicReal, ...
	// Enum lists the allowed values, if the schema restricts them (as
	// JSON decodes them: float64 for integers and reals).
	Enum []any
	// MinInteger and MaxInteger bound an integer.
	MinInteger, MaxInteger int
	// MinReal and MaxReal bound a real.
	MinReal, MaxReal float64
	// MinLength and MaxLength bound a string's length in bytes.
	MinLength, MaxLength int
	// RefTable is the table a uuid refers to ("" if none), RefType
	// "strong" or "weak".
	RefTable, RefType string
}

func baseTypeOf(b *lib.BaseType) BaseType {
	out := BaseType{Type: b.Type, Enum: append([]any(nil), b.Enum...)}
	switch b.Type {
	case lib.TypeInteger:
		out.MinInteger, _ = b.MinInteger()
		out.MaxInteger, _ = b.MaxInteger()
	case lib.TypeReal:
		out.MinReal, _ = b.MinReal()
		out.MaxReal, _ = b.MaxReal()
	case lib.TypeString:
		out.MinLength, _ = b.MinLength()
		out.MaxLength, _ = b.MaxLength()
	case lib.TypeUUID:
		out.RefTable, _ = b.RefTable()
		rt, _ := b.RefType()
		out.RefType = string(rt)
	}
	return out
}

func columnTypeOf(cs *lib.ColumnSchema) ColumnType {
	t := cs.TypeObj
	out := ColumnType{Key: baseTypeOf(t.Key), Min: t.Min(), Max: t.Max(), Mutable: cs.Mutable(), Ephemeral: cs.Ephemeral()}
	if t.Value != nil {
		v := baseTypeOf(t.Value)
		out.Value = &v
	}
	return out
}
