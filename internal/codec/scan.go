// Package codec is the JSON of OVSDB that both package ovsdb and the
// generated models read: a one-pass scanner of objects and arrays, and
// the decoders of atoms, sets and maps of the monitor stream.
package codec

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrScan reports JSON that is not what the scanner expects.
var ErrScan = errors.New("malformed JSON")

// EachMember calls fn with the key and the raw value of each member of the
// JSON object in b, in one pass and without copying: the monitor updates
// are decoded this way, level by level, instead of through nested maps.
// b must be valid JSON (the RPC layer has decoded the message around it);
// what is not an object is an error wrapping ErrScan.
func EachMember(b []byte, fn func(key string, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("want an object: %w", ErrScan)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return fmt.Errorf("want a key at %d: %w", i, ErrScan)
		}
		end, err := skipValue(b, i)
		if err != nil {
			return err
		}
		key, err := Unquote(b[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return fmt.Errorf("want ':' at %d: %w", i, ErrScan)
		}
		i = skipSpace(b, i+1)
		end, err = skipValue(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return fmt.Errorf("unterminated object: %w", ErrScan)
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return nil
		default:
			return fmt.Errorf("want ',' or '}' at %d: %w", i, ErrScan)
		}
	}
}

// EachElement calls fn with the raw value of each element of the JSON
// array in b, in one pass and without copying. What is not an array is an
// error wrapping ErrScan.
func EachElement(b []byte, fn func(val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return fmt.Errorf("want an array: %w", ErrScan)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for {
		end, err := skipValue(b, i)
		if err != nil {
			return err
		}
		if err := fn(b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return fmt.Errorf("unterminated array: %w", ErrScan)
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return nil
		default:
			return fmt.Errorf("want ',' or ']' at %d: %w", i, ErrScan)
		}
	}
}

// Elements returns the raw Elements of the JSON array in b.
func Elements(b []byte) ([][]byte, error) {
	var out [][]byte
	err := EachElement(b, func(v []byte) error { out = append(out, v); return nil })
	return out, err
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, fmt.Errorf("want a value: %w", ErrScan)
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return len(b), fmt.Errorf("unterminated string: %w", ErrScan)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			case '"':
				end, err := skipValue(b, j)
				if err != nil {
					return end, err
				}
				j = end - 1
			}
		}
		return len(b), fmt.Errorf("unterminated %c: %w", b[i], ErrScan)
	}
	// A number, true, false or null.
	j := i
	for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] >= 'a' && b[j] <= 'z' || b[j] == 'E' || b[j] == '.' || b[j] == '+' || b[j] == '-') {
		j++
	}
	if j == i {
		return j, fmt.Errorf("want a value at %d: %w", i, ErrScan)
	}
	return j, nil
}

// Unquote decodes a JSON string; the common case, without escapes, is a
// plain conversion.
func Unquote(q []byte) (string, error) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", fmt.Errorf("want a string: %w", ErrScan)
	}
	s := q[1 : len(q)-1]
	for _, c := range s {
		if c == '\\' || c == '"' || c < 0x20 || c >= 0x80 {
			var out string
			if err := json.Unmarshal(q, &out); err != nil {
				return "", fmt.Errorf("%w: %w", ErrScan, err)
			}
			return out, nil
		}
	}
	return string(s), nil
}
