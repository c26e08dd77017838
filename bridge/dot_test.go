package bridge

import "testing"

func TestDOTQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"br-in", `"br-in"`},
		{`we"ird`, `"we\"ird"`},
		{`back\slash`, `"back\\slash"`},
		{"two\nlines", `"two\nlines"`},
	}
	for _, tt := range tests {
		if got := DOTQuote(tt.in); got != tt.want {
			t.Errorf("DOTQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got, want := dotLabel(`a"b`, `c\d`), `"a\"b\nc\\d"`; got != want {
		t.Errorf("dotLabel = %s, want %s", got, want)
	}
}
