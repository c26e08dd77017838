package codec

import (
	"encoding/json"
	"errors"
	"maps"
	"testing"
)

// members collects EachMember's output.
func members(b []byte) (map[string]string, error) {
	out := map[string]string{}
	err := EachMember(b, func(k string, v []byte) error {
		out[k] = string(v)
		return nil
	})
	return out, err
}

func TestEachMember(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     map[string]string
		bad      bool
	}{
		{"empty", `{}`, map[string]string{}, false},
		{"spaces", " { \"a\" : 1 ,\n\t\"b\":\"x\" } ", map[string]string{"a": "1", "b": `"x"`}, false},
		{"nested", `{"Port":{"u1":{"insert":{"name":"p","tag":10}}},"Bridge":{}}`,
			map[string]string{"Port": `{"u1":{"insert":{"name":"p","tag":10}}}`, "Bridge": `{}`}, false},
		{"brackets in strings", `{"a":["set",["}{","]["]],"b":{"k":"\"}"}}`,
			map[string]string{"a": `["set",["}{","]["]]`, "b": `{"k":"\"}"}`}, false},
		{"escaped key", `{"a\u0062\"":null,"c":true,"d":-1.5e3}`, map[string]string{`ab"`: "null", "c": "true", "d": "-1.5e3"}, false},
		{"delete is null", `{"u":{"delete":null}}`, map[string]string{"u": `{"delete":null}`}, false},
		{"not an object", `[1,2]`, nil, true},
		{"unterminated", `{"a":1`, nil, true},
		{"unterminated string", `{"a":"x}`, nil, true},
		{"missing colon", `{"a" 1}`, nil, true},
		{"missing value", `{"a":}`, nil, true},
		{"bad separator", `{"a":1;"b":2}`, nil, true},
		{"key not a string", `{a:1}`, nil, true},
		{"empty input", ``, nil, true},
		// Input that ends exactly where the next token is due.
		{"ends after a comma", `{"a":1,`, nil, true},
		{"ends after a key", `{"a"`, nil, true},
		{"ends after a colon", `{"a":`, nil, true},
		{"ends after the brace", `{`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := members([]byte(tc.in))
			if tc.bad {
				if !errors.Is(err, ErrScan) {
					t.Fatalf("err = %v, want ErrScan", err)
				}
				return
			}
			if err != nil || !maps.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestElementsTruncated: an array that ends where the next element is due
// is an error, not a read past the end.
func TestElementsTruncated(t *testing.T) {
	for _, in := range []string{`[`, `[1,`, `[1`, `[1 `, `["a",{}`} {
		if _, err := Elements([]byte(in)); !errors.Is(err, ErrScan) {
			t.Errorf("Elements(%q) = %v, want ErrScan", in, err)
		}
	}
}

// TestUnquote: strings decode the same through the plain and the escaped
// path, from slices with no room past their end.
func TestUnquote(t *testing.T) {
	for in, want := range map[string]string{
		`""`:       "",
		`"ab"`:     "ab",
		`"a b"`:    "a b",
		`"a\"b"`:   `a"b`,
		`"\u00e9"`: "é",
		`"é"`:      "é",
		`"tab\t"`:  "tab\t",
	} {
		b := []byte(in)
		got, err := Unquote(b[:len(b):len(b)])
		if err != nil || got != want {
			t.Errorf("Unquote(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{``, `"`, `a`, `"a`, `a"`} {
		b := []byte(in)
		if _, err := Unquote(b[:len(b):len(b)]); !errors.Is(err, ErrScan) {
			t.Errorf("Unquote(%s): %v, want ErrScan", in, err)
		}
	}
}

// FuzzEachMember: on any valid JSON object, EachMember agrees with
// encoding/json on the keys and the values' content.
func FuzzEachMember(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"Port":{"u":{"insert":{"name":"p","trunks":["set",[10,11]]}}}}`, `{"a":"\"}\\","b":[{},[]]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want map[string]json.RawMessage
		if json.Unmarshal(b, &want) != nil || want == nil {
			return
		}
		// Duplicate keys: encoding/json keeps the last, as members does.
		got, err := members(b)
		if err != nil {
			t.Fatalf("valid object %q: %v", b, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, want %d", b, len(got), len(want))
		}
		for k, v := range want {
			var a, w any
			if json.Unmarshal([]byte(got[k]), &a) != nil {
				t.Fatalf("%q: member %q = %q is not JSON", b, k, got[k])
			}
			_ = json.Unmarshal(v, &w)
			ja, _ := json.Marshal(a)
			jw, _ := json.Marshal(w)
			if string(ja) != string(jw) {
				t.Fatalf("%q: member %q = %s, want %s", b, k, ja, jw)
			}
		}
	})
}
