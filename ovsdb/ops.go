package ovsdb

import (
	"encoding/json"
	"fmt"

	"github.com/ovskit/ovskit/internal/codec"
)

// Operation is one RFC 7047 operation of a transaction, with its values
// already in OVSDB notation. Transactions build them; a dry run returns them.
type Operation struct {
	Op        string           `json:"op"`
	Table     string           `json:"table,omitempty"`
	Row       map[string]any   `json:"row,omitempty"`
	Rows      []map[string]any `json:"rows"`
	Columns   []string         `json:"columns,omitempty"`
	Mutations []Mutation       `json:"mutations,omitempty"`
	Where     []Condition      `json:"where"`
	Timeout   *int             `json:"timeout,omitempty"`
	Until     string           `json:"until,omitempty"`
	UUIDName  string           `json:"uuid-name,omitempty"`
	// UUID, on an insert, is the UUID the new row gets (Open vSwitch's
	// extension to RFC 7047, ovsdb-server 2.13 and later).
	UUID    string `json:"uuid,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// MarshalJSON writes the members the operation kind takes, including the
// required ones that are empty ("row": {}, "where": [], "rows": []).
func (o Operation) MarshalJSON() ([]byte, error) {
	where := o.Where
	if where == nil {
		where = []Condition{}
	}
	row := o.Row
	if row == nil {
		row = map[string]any{}
	}
	b := make([]byte, 0, 128)
	b = append(b, `{"op":`...)
	b = appendString(b, o.Op)
	if o.Table != "" {
		b = append(b, `,"table":`...)
		b = appendString(b, o.Table)
	}
	var err error
	put := func(name string, v any) {
		if err == nil {
			b = append(b, ',')
			b = appendString(b, name)
			b = append(b, ':')
			b, err = appendJSON(b, v)
		}
	}
	switch o.Op {
	case "insert":
		put("row", row)
		if o.UUIDName != "" {
			put("uuid-name", o.UUIDName)
		}
		if o.UUID != "" {
			put("uuid", o.UUID)
		}
	case "update":
		put("where", where)
		put("row", row)
	case "mutate":
		put("where", where)
		put("mutations", o.Mutations)
	case "delete":
		put("where", where)
	case "select":
		put("where", where)
		if o.Columns != nil {
			put("columns", o.Columns)
		}
	case "wait":
		rows := o.Rows
		if rows == nil {
			rows = []map[string]any{}
		}
		put("where", where)
		put("columns", o.Columns)
		put("until", o.Until)
		put("rows", rows)
		if o.Timeout != nil {
			put("timeout", *o.Timeout)
		}
	case "comment":
		put("comment", o.Comment)
	}
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", o.Op, o.Table, err)
	}
	return append(b, '}'), nil
}

// String returns the operation as JSON.
func (o Operation) String() string {
	b, err := json.Marshal(o)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// Condition is an RFC 7047 condition [column, function, value].
type Condition struct {
	Column   string
	Function string // ==, !=, <, <=, >, >=, includes, excludes
	Value    any
}

// MarshalJSON writes the condition as a 3-element array.
func (c Condition) MarshalJSON() ([]byte, error) {
	return json.Marshal([3]any{c.Column, c.Function, c.Value})
}

// Mutators of RFC 7047.
const (
	MutateInsert = "insert"
	MutateDelete = "delete"
	MutateAdd    = "+="
	MutateSub    = "-="
	MutateMul    = "*="
	MutateDiv    = "/="
	MutateMod    = "%="
)

// Mutation is one RFC 7047 mutation [column, mutator, value]. In a Tx the
// value is a Go value of the column's type (a slice for a set, a map for a
// map, or a slice of keys to delete from a map); in an Operation it is in
// OVSDB notation.
type Mutation struct {
	Column  string
	Mutator string
	Value   any
}

// MarshalJSON writes the mutation as a 3-element array.
func (m Mutation) MarshalJSON() ([]byte, error) {
	return json.Marshal([3]any{m.Column, m.Mutator, m.Value})
}

// Insert returns a mutation adding set elements or map pairs to a column;
// map keys that exist keep their value, as RFC 7047 says.
func Insert(column string, value any) Mutation { return Mutation{column, MutateInsert, value} }

// Delete returns a mutation removing set elements, map pairs (a map), or
// map keys (a slice of keys) from a column.
func Delete(column string, value any) Mutation { return Mutation{column, MutateDelete, value} }

// Add returns a mutation adding n to an integer column.
func Add(column string, n int) Mutation { return Mutation{column, MutateAdd, n} }

// opResult is one element of a transact reply.
type opResult struct {
	Count   *int              `json:"count,omitempty"`
	UUID    *[2]string        `json:"uuid,omitempty"`
	Rows    []json.RawMessage `json:"rows,omitempty"`
	Error   *string           `json:"error,omitempty"`
	Details string            `json:"details,omitempty"`
	Syntax  string            `json:"syntax,omitempty"`
}

// parseResults decodes a transact reply (an array of operation results)
// with the one-pass scanner; n is the number of results expected.
func parseResults(raw []byte, n int) ([]opResult, error) {
	out := make([]opResult, 0, n)
	err := eachElement(raw, func(el []byte) error {
		var r opResult
		if string(el) == "null" {
			out = append(out, r)
			return nil
		}
		err := eachMember(el, func(key string, val []byte) error {
			switch key {
			case "count":
				n, err := codec.DecInt[int](val)
				r.Count = &n
				return err
			case "uuid":
				u, err := codec.DecUUID[string](val)
				r.UUID = &[2]string{"uuid", u}
				return err
			case "rows":
				rows, err := elements(val)
				for _, row := range rows {
					r.Rows = append(r.Rows, row)
				}
				return err
			case "error":
				if string(val) == "null" {
					return nil
				}
				e, err := unquote(val)
				r.Error = &e
				return err
			case "details":
				d, err := unquote(val)
				r.Details = d
				return err
			case "syntax":
				// The JSON the server could not read, as a string.
				if d, err := unquote(val); err == nil {
					r.Syntax = d
				}
				return nil
			}
			return nil
		})
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("transact reply %s: %w", raw, err)
	}
	return out, nil
}
