package codec

import (
	"bytes"
	"fmt"
	"strconv"
)

// Atom decoders, one per OVSDB base type, and the decoders of a column's
// value from the monitor stream (DecodeScalar, DecodeOptional, DecodeSet,
// DecodeMap): what the generated models call, through package genmodel.

// DecString decodes a string atom.
func DecString[T ~string](raw []byte) (T, error) {
	s, err := Unquote(bytes.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("string atom %s: %w", raw, err)
	}
	return T(s), nil
}

// DecInt decodes an integer atom.
func DecInt[T ~int](raw []byte) (T, error) {
	n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("integer atom %s: %w", raw, err)
	}
	return T(n), nil
}

// DecReal decodes a real atom.
func DecReal[T ~float64](raw []byte) (T, error) {
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil {
		return 0, fmt.Errorf("real atom %s: %w", raw, err)
	}
	return T(f), nil
}

// DecBool decodes a boolean atom.
func DecBool[T ~bool](raw []byte) (T, error) {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("boolean atom %s: not true or false", raw)
}

// DecUUID decodes a ["uuid", ...] atom (or a named UUID).
func DecUUID[T ~string](raw []byte) (T, error) {
	parts, err := Elements(raw)
	if err != nil || len(parts) != 2 {
		return "", fmt.Errorf("uuid atom %s: not [\"uuid\", ...]", raw)
	}
	tag, err1 := Unquote(parts[0])
	u, err2 := Unquote(parts[1])
	if err1 != nil || err2 != nil || tag != "uuid" && tag != "named-uuid" {
		return "", fmt.Errorf("uuid atom %s: not [\"uuid\", ...]", raw)
	}
	return T(u), nil
}

// SetElements splits a set notation into its atoms. A set of one element may
// be sent as the bare atom.
func SetElements(raw []byte) ([][]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return [][]byte{raw}, nil
	}
	parts, err := Elements(raw)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", raw, err)
	}
	if len(parts) != 2 {
		return nil, fmt.Errorf("set %s: want a 2-element array", raw)
	}
	tag, err := Unquote(parts[0])
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", raw, err)
	}
	switch tag {
	case "set":
		out, err := Elements(parts[1])
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", raw, err)
		}
		return out, nil
	case "uuid", "named-uuid":
		return [][]byte{raw}, nil
	}
	return nil, fmt.Errorf("set %s: unknown tag %q", raw, tag)
}

// DecodeScalar decodes a column of exactly one atom into *dst.
func DecodeScalar[T any](raw []byte, dst *T, dec func([]byte) (T, error)) error {
	v, err := dec(raw)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// DecodeOptional decodes a set of at most one element. update2 sends such
// a column's new value, not a diff: ovsdb-server diffs only sets that can
// hold more than one element.
func DecodeOptional[T comparable](raw []byte, dst **T, dec func([]byte) (T, error), _ bool) error {
	var cur []T
	if err := DecodeSet(raw, &cur, dec, false); err != nil {
		return err
	}
	switch len(cur) {
	case 0:
		*dst = nil
	case 1:
		v := cur[0]
		*dst = &v
	default:
		return fmt.Errorf("optional value %s has %d Elements", raw, len(cur))
	}
	return nil
}

// DecodeSet replaces *dst by the decoded set, or with diff, toggles each
// element of the diff in a fresh slice (rows in the cache are immutable).
func DecodeSet[T comparable](raw []byte, dst *[]T, dec func([]byte) (T, error), diff bool) error {
	elems, err := SetElements(raw)
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
	*dst = ToggleSet(*dst, vals)
	return nil
}

// AppendSet adds vals, none of them in cur, to the set cur: into the
// room past cur's length if it has enough, otherwise into a copy with
// room to spare (see ToggleSet).
func AppendSet[T any](cur, vals []T) []T {
	if cap(cur)-len(cur) < len(vals) {
		grown := make([]T, len(cur), 2*len(cur)+len(vals))
		copy(grown, cur)
		cur = grown
	}
	return append(cur, vals...)
}

// ToggleSet returns a new slice: cur with each of vals (a set: no
// duplicates) removed if present, added if absent. Small diffs (the usual
// one or two Elements of an update2) are compared linearly, because hashing
// every element of a large set costs more than the comparisons.
//
// When every element of vals is absent (Elements added, the common
// update), the result appends to cur's array if it has room, and otherwise
// grows it with room to spare: the cache applies updates to one row
// version after another, never twice to the same one, and a shorter
// version never sees Elements past its length, so adding N ports to a
// bridge does not copy its port set N times.
func ToggleSet[T comparable](cur, vals []T) []T {
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
			return AppendSet(cur, vals)
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

// DecodeMap replaces *dst, or with diff applies update2's map diff: a key
// absent from the map is added, a key with the same value is removed, and a
// key with another value is updated.
func DecodeMap[K, V comparable](raw []byte, dst *map[K]V, dk func([]byte) (K, error), dv func([]byte) (V, error), diff bool) error {
	parts, err := Elements(raw)
	if err != nil || len(parts) != 2 || string(parts[0]) != `"map"` {
		return fmt.Errorf("map %s: not [\"map\", [...]]", raw)
	}
	var pairs [][2][]byte
	if err := EachElement(parts[1], func(pair []byte) error {
		kv, err := Elements(pair)
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

// IsUUID reports whether s is a textual UUID (8-4-4-4-12 hex digits).
func IsUUID(s string) bool {
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

// ClonePtr returns a copy of *p, or nil.
func ClonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
