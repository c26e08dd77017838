package ovsdb

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the RFC 7047 value notation: atoms, sets (["set", [...]])
// and maps (["map", [[k, v], ...]]), with UUIDs as ["uuid", "..."] and
// references to rows inserted by the same transaction as ["named-uuid", "..."].

// atom decoders, one per OVSDB base type.

func decString[T ~string](raw []byte) (T, error) {
	s, err := unquote(bytes.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("string atom %s: %w", raw, err)
	}
	return T(s), nil
}

func decInt[T ~int](raw []byte) (T, error) {
	n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("integer atom %s: %w", raw, err)
	}
	return T(n), nil
}

//lint:ignore U1000 called by generated code of schemas with real columns (vswitch has none).
func decReal[T ~float64](raw []byte) (T, error) {
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil {
		return 0, fmt.Errorf("real atom %s: %w", raw, err)
	}
	return T(f), nil
}

func decBool[T ~bool](raw []byte) (T, error) {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("boolean atom %s: not true or false", raw)
}

func decUUID[T ~string](raw []byte) (T, error) {
	parts, err := elements(raw)
	if err != nil || len(parts) != 2 {
		return "", fmt.Errorf("uuid atom %s: not [\"uuid\", ...]", raw)
	}
	tag, err1 := unquote(parts[0])
	u, err2 := unquote(parts[1])
	if err1 != nil || err2 != nil || tag != "uuid" && tag != "named-uuid" {
		return "", fmt.Errorf("uuid atom %s: not [\"uuid\", ...]", raw)
	}
	return T(u), nil
}

// setElements splits a set notation into its atoms. A set of one element may
// be sent as the bare atom.
func setElements(raw []byte) ([][]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return [][]byte{raw}, nil
	}
	parts, err := elements(raw)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", raw, err)
	}
	if len(parts) != 2 {
		return nil, fmt.Errorf("set %s: want a 2-element array", raw)
	}
	tag, err := unquote(parts[0])
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", raw, err)
	}
	switch tag {
	case "set":
		out, err := elements(parts[1])
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", raw, err)
		}
		return out, nil
	case "uuid", "named-uuid":
		return [][]byte{raw}, nil
	}
	return nil, fmt.Errorf("set %s: unknown tag %q", raw, tag)
}

func decodeScalar[T any](raw []byte, dst *T, dec func([]byte) (T, error)) error {
	v, err := dec(raw)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// decodeOptional decodes a set of at most one element. update2 sends such
// a column's new value, not a diff: ovsdb-server diffs only sets that can
// hold more than one element.
func decodeOptional[T comparable](raw []byte, dst **T, dec func([]byte) (T, error), _ bool) error {
	var cur []T
	if err := decodeSet(raw, &cur, dec, false); err != nil {
		return err
	}
	switch len(cur) {
	case 0:
		*dst = nil
	case 1:
		v := cur[0]
		*dst = &v
	default:
		return fmt.Errorf("optional value %s has %d elements", raw, len(cur))
	}
	return nil
}

// decodeSet replaces *dst by the decoded set, or with diff, toggles each
// element of the diff in a fresh slice (rows in the cache are immutable).
func decodeSet[T comparable](raw []byte, dst *[]T, dec func([]byte) (T, error), diff bool) error {
	elems, err := setElements(raw)
	if err != nil {
		return err
	}
	vals := make([]T, 0, len(elems))
	for _, e := range elems {
		v, err := dec(e)
		if err != nil {
			return err
		}
		vals = append(vals, v)
	}
	if !diff {
		if len(vals) == 0 {
			vals = nil
		}
		*dst = vals
		return nil
	}
	*dst = toggleSet(*dst, vals)
	return nil
}

// toggleSet returns a new slice: cur with each of vals (a set: no
// duplicates) removed if present, added if absent. Small diffs (the usual
// one or two elements of an update2) are compared linearly, because hashing
// every element of a large set costs more than the comparisons.
//
// When every element of vals is absent (elements added, the common
// update), the result appends to cur's array if it has room, and otherwise
// grows it with room to spare: the cache applies updates to one row
// version after another, never twice to the same one, and a shorter
// version never sees elements past its length, so adding N ports to a
// bridge does not copy its port set N times.
func toggleSet[T comparable](cur, vals []T) []T {
	if len(vals) <= 8 {
		added := true
	scan:
		for _, x := range cur {
			for _, v := range vals {
				if v == x {
					added = false
					break scan
				}
			}
		}
		if added {
			if cap(cur)-len(cur) < len(vals) {
				grown := make([]T, len(cur), 2*len(cur)+len(vals))
				copy(grown, cur)
				cur = grown
			}
			return append(cur, vals...)
		}
	}
	out := make([]T, 0, len(cur)+len(vals))
	if len(vals) > 8 {
		toggle := make(map[T]bool, len(vals))
		for _, v := range vals {
			toggle[v] = true
		}
		for _, x := range cur {
			if toggle[x] {
				delete(toggle, x)
				continue
			}
			out = append(out, x)
		}
		for _, v := range vals {
			if toggle[v] {
				out = append(out, v)
			}
		}
	} else {
		present := make([]bool, len(vals))
	next:
		for _, x := range cur {
			for i, v := range vals {
				if v == x {
					present[i] = true
					continue next
				}
			}
			out = append(out, x)
		}
		for i, v := range vals {
			if !present[i] {
				out = append(out, v)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// decodeMap replaces *dst, or with diff applies update2's map diff: a key
// absent from the map is added, a key with the same value is removed, and a
// key with another value is updated.
func decodeMap[K, V comparable](raw []byte, dst *map[K]V, dk func([]byte) (K, error), dv func([]byte) (V, error), diff bool) error {
	parts, err := elements(raw)
	if err != nil || len(parts) != 2 || string(parts[0]) != `"map"` {
		return fmt.Errorf("map %s: not [\"map\", [...]]", raw)
	}
	var pairs [][2][]byte
	if err := eachElement(parts[1], func(pair []byte) error {
		kv, err := elements(pair)
		if err != nil || len(kv) != 2 {
			return fmt.Errorf("map pair %s: not [key, value]", pair)
		}
		pairs = append(pairs, [2][]byte{kv[0], kv[1]})
		return nil
	}); err != nil {
		return fmt.Errorf("map %s: %w", raw, err)
	}
	out := make(map[K]V, len(pairs))
	if diff {
		for k, v := range *dst {
			out[k] = v
		}
	}
	for _, p := range pairs {
		k, err := dk(p[0])
		if err != nil {
			return err
		}
		v, err := dv(p[1])
		if err != nil {
			return err
		}
		if old, ok := out[k]; diff && ok && old == v {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	if len(out) == 0 {
		out = nil
	}
	*dst = out
	return nil
}

// ---- encoding ----

// isUUID reports whether s is a textual UUID (8-4-4-4-12 hex digits).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

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
		return clonePtr(x)
	case *int:
		return clonePtr(x)
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
	if a.Table() != b.Table() || a.uuid() != b.uuid() {
		return false
	}
	for _, col := range a.columns() {
		va, _ := a.column(col)
		vb, _ := b.column(col)
		if !reflect.DeepEqual(va, vb) {
			return false
		}
	}
	return true
}
