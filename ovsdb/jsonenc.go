package ovsdb

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// appendJSON appends the JSON of an operation value: the shapes the
// encoder in codec.go produces (atoms, ["set", ...], ["map", ...],
// ["uuid", s]), rows, conditions and mutations. It is what Operation's
// MarshalJSON runs on every operation of every transaction, so it uses a
// type switch rather than encoding/json's reflection; other types fall back
// to encoding/json.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("real %v has no JSON form: %w", x, ErrInvalid)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case [2]string:
		b = append(b, '[')
		b = appendString(b, x[0])
		b = append(b, ',')
		b = appendString(b, x[1])
		return append(b, ']'), nil
	case []any:
		return appendArray(b, x, appendJSON)
	case []string:
		return appendArray(b, x, func(b []byte, e string) ([]byte, error) { return appendString(b, e), nil })
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []map[string]any:
		return appendArray(b, x, func(b []byte, e map[string]any) ([]byte, error) { return appendJSON(b, e) })
	case []Condition:
		return appendArray(b, x, func(b []byte, c Condition) ([]byte, error) {
			return appendJSON(b, []any{c.Column, c.Function, c.Value})
		})
	case []Mutation:
		return appendArray(b, x, func(b []byte, m Mutation) ([]byte, error) {
			return appendJSON(b, []any{m.Column, m.Mutator, m.Value})
		})
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, enc...), nil
}

// appendArray appends a JSON array of xs, each element written by elem.
func appendArray[T any](b []byte, xs []T, elem func([]byte, T) ([]byte, error)) ([]byte, error) {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = elem(b, x); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendString appends s as a JSON string, escaping as encoding/json does
// (with HTML escaping off: OVSDB is not HTML).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			enc, _ := json.Marshal(s) // rare: let encoding/json escape it
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
