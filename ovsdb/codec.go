package ovsdb

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ovskit/ovskit/internal/codec"
)

// This file holds the RFC 7047 value notation: atoms, sets (["set", [...]])
// and maps (["map", [[k, v], ...]]), with UUIDs as ["uuid", "..."] and
// references to rows inserted by the same transaction as ["named-uuid", "..."].

// ---- encoding ----

// isNamedUUID reports whether s is a valid named-uuid (an <id> of RFC 7047).
func isNamedUUID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// uuidAtom is ["uuid", s] or ["named-uuid", s] for a row of this transaction.
func uuidAtom(s string) (any, error) {
	if isUUID(s) {
		return [2]string{"uuid", s}, nil
	}
	if isNamedUUID(s) {
		return [2]string{"named-uuid", s}, nil
	}
	return nil, fmt.Errorf("%q is neither a UUID nor a row name of this transaction: %w", s, ErrInvalid)
}

// checkString refuses what ovsdb-server cannot store: a NUL byte (the
// server drops the whole connection) and invalid UTF-8 (which JSON would
// turn into U+FFFD, storing another string than the one given).
func checkString(s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("string %q has a NUL byte: %w", s, ErrInvalid)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("string %q is not valid UTF-8: %w", s, ErrInvalid)
	}
	return nil
}

// cloneValue returns a copy of a Go column value that shares no memory
// with v: sets, maps and optional values are copied.
func cloneValue(v any) any {
	switch x := v.(type) {
	case []string:
		return slices.Clone(x)
	case map[string]string:
		return maps.Clone(x)
	case *string:
		return codec.ClonePtr(x)
	case *int:
		return codec.ClonePtr(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice:
		if rv.IsNil() {
			return v
		}
		out := reflect.MakeSlice(rv.Type(), rv.Len(), rv.Len())
		reflect.Copy(out, rv)
		return out.Interface()
	case reflect.Map:
		if rv.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(rv.Type(), rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), it.Value())
		}
		return out.Interface()
	case reflect.Pointer:
		if rv.IsNil() {
			return v
		}
		out := reflect.New(rv.Type().Elem())
		out.Elem().Set(rv.Elem())
		return out.Interface()
	}
	return v
}

// baseKind is how one atom of a column is written.
type baseKind uint8

const (
	baseOther baseKind = iota
	baseUUID
)

// encodeAtom converts a Go scalar to its JSON atom.
func encodeAtom(kind baseKind, v reflect.Value) (any, error) {
	switch v.Kind() {
	case reflect.String:
		if kind == baseUUID {
			return uuidAtom(v.String())
		}
		if err := checkString(v.String()); err != nil {
			return nil, err
		}
		return v.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Interface:
		if v.IsNil() {
			return nil, fmt.Errorf("nil atom: %w", ErrInvalid)
		}
		return encodeAtom(kind, v.Elem())
	}
	return nil, fmt.Errorf("cannot encode %s as an OVSDB atom: %w", v.Type(), ErrInvalid)
}

// encodeDatum converts a Go column value to OVSDB notation: a slice is a set,
// a pointer an optional value (a set of 0 or 1), a map a map, anything else
// an atom.
func encodeDatum(key, value baseKind, v any) (any, error) {
	// The common column types without reflection.
	switch x := v.(type) {
	case string:
		if key == baseUUID {
			return uuidAtom(x)
		}
		if err := checkString(x); err != nil {
			return nil, err
		}
		return x, nil
	case int:
		return int64(x), nil
	case bool:
		return x, nil
	case map[string]string:
		if key == baseOther && value == baseOther {
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			pairs := make([]any, 0, len(keys))
			for _, k := range keys {
				if err := checkString(k); err != nil {
					return nil, err
				}
				if err := checkString(x[k]); err != nil {
					return nil, err
				}
				pairs = append(pairs, []any{k, x[k]})
			}
			return []any{"map", pairs}, nil
		}
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return []any{"set", []any{}}, nil
	}
	switch rv.Kind() {
	case reflect.Slice:
		elems := make([]any, 0, rv.Len())
		for i := 0; i < rv.Len(); i++ {
			a, err := encodeAtom(key, rv.Index(i))
			if err != nil {
				return nil, err
			}
			elems = append(elems, a)
		}
		return []any{"set", elems}, nil
	case reflect.Pointer:
		if rv.IsNil() {
			return []any{"set", []any{}}, nil
		}
		a, err := encodeAtom(key, rv.Elem())
		if err != nil {
			return nil, err
		}
		return []any{"set", []any{a}}, nil
	case reflect.Map:
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface()) })
		pairs := make([]any, 0, len(keys))
		for _, k := range keys {
			ka, err := encodeAtom(key, k)
			if err != nil {
				return nil, err
			}
			va, err := encodeAtom(value, rv.MapIndex(k))
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, []any{ka, va})
		}
		return []any{"map", pairs}, nil
	}
	return encodeAtom(key, rv)
}

// isZero reports whether a column value is its Go zero value (empty set,
// empty map, nil optional, "", 0, false). Inserts leave such columns to the
// server's defaults, as ovs-vsctl does.
func isZero(v any) bool {
	// The column types of the models, without reflection.
	switch x := v.(type) {
	case string:
		return x == ""
	case int:
		return x == 0
	case bool:
		return !x
	case float64:
		return x == 0
	case []string:
		return len(x) == 0
	case map[string]string:
		return len(x) == 0
	case *string:
		return x == nil
	case *int:
		return x == nil
	case *bool:
		return x == nil
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return true
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Map:
		return rv.Len() == 0
	}
	return rv.IsZero()
}

// rowsEqual compares two rows of the same table column by column.
func rowsEqual(a, b Model) bool {
	if a.Table() != b.Table() || a.OVSDBUUID() != b.OVSDBUUID() {
		return false
	}
	for _, col := range a.OVSDBColumns() {
		va, _ := a.OVSDBColumn(col)
		vb, _ := b.OVSDBColumn(col)
		if !reflect.DeepEqual(va, vb) {
			return false
		}
	}
	return true
}
