package ovsdb

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestIsUUIDBoundaries: every character class boundary of a textual UUID.
func TestIsUUIDBoundaries(t *testing.T) {
	base := "01234567-89ab-cdef-ABCD-EF0123456789"
	if !isUUID(base) {
		t.Fatalf("isUUID(%q) = false", base)
	}
	for _, tt := range []struct {
		c    byte
		want bool
	}{
		{'0', true}, {'9', true}, {'a', true}, {'f', true}, {'A', true}, {'F', true},
		{'/', false}, {':', false}, {'`', false}, {'g', false}, {'@', false}, {'G', false}, {'-', false},
	} {
		for _, pos := range []int{0, 35} {
			s := []byte(base)
			s[pos] = tt.c
			if got := isUUID(string(s)); got != tt.want {
				t.Errorf("isUUID(%q) = %v, want %v", s, got, tt.want)
			}
		}
	}
	for _, pos := range []int{8, 13, 18, 23} {
		s := []byte(base)
		s[pos] = '0'
		if isUUID(string(s)) {
			t.Errorf("isUUID(%q) = true: no dash at %d", s, pos)
		}
	}
	for _, s := range []string{base[:35], base + "0", ""} {
		if isUUID(s) {
			t.Errorf("isUUID(%q) = true", s)
		}
	}
}

// TestIsNamedUUIDBoundaries: letters, digits (not first) and underscore.
func TestIsNamedUUIDBoundaries(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"a", true}, {"z", true}, {"A", true}, {"Z", true}, {"_", true}, {"a0", true}, {"a9", true}, {"row_1", true},
		{"", false}, {"0a", false}, {"9", false}, {"`", false}, {"{", false}, {"@", false}, {"[", false},
		{"a/", false}, {"a:", false}, {"a-b", false},
	} {
		if got := isNamedUUID(tt.s); got != tt.want {
			t.Errorf("isNamedUUID(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// TestAppendStringBoundaries: at every byte that decides between the
// fast path and encoding/json, the output is valid JSON in UTF-8 that
// decodes to the string (invalid UTF-8 replaced, as the server would
// refuse it), and plain ASCII is written as is (no HTML escaping).
func TestAppendStringBoundaries(t *testing.T) {
	for _, s := range []string{"", "a", " ", "~", "\x1f", "\x20", "\x7f", "\x80", "\xff", "é", "a\"b", "a\\b", "<&>", "\x00", "plain text"} {
		out := appendString(nil, s)
		var back string
		if !utf8.Valid(out) || json.Unmarshal(out, &back) != nil || back != strings.ToValidUTF8(s, "\uFFFD") {
			t.Errorf("appendString(%q) = %q: not the string as valid JSON", s, out)
		}
	}
	for _, s := range []string{"a", " ", "~", "<&>", "plain text", "\x7f"} {
		if got := string(appendString(nil, s)); got != `"`+s+`"` {
			t.Errorf("appendString(%q) = %s, want it as is", s, got)
		}
	}
}
