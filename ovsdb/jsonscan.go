package ovsdb

import "github.com/ovskit/ovskit/internal/codec"

// The JSON scanner and the atom decoders are package codec's, shared with
// the generated models (through package genmodel).

func eachMember(b []byte, fn func(key string, val []byte) error) error {
	return codec.EachMember(b, fn)
}

func eachElement(b []byte, fn func(val []byte) error) error { return codec.EachElement(b, fn) }

func elements(b []byte) ([][]byte, error) { return codec.Elements(b) }

func unquote(q []byte) (string, error) { return codec.Unquote(q) }

func isUUID(s string) bool { return codec.IsUUID(s) }
