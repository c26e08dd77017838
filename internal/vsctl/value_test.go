package vsctl

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

func schema(t testing.TB) *ovsdb.Schema {
	t.Helper()
	s, err := vswitchdb.Database().Schema()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseDatum(t *testing.T) {
	tests := []struct {
		name, table, column, in string
		want                    string // formatted back, as ovs-vsctl prints
		wantErr                 error
	}{
		{name: "integer", table: "Port", column: "tag", in: "10", want: "10"},
		{name: "integer range constraint", table: "Port", column: "tag", in: "4096", wantErr: ovsdb.ErrInvalid},
		{name: "not an integer", table: "Port", column: "tag", in: "ten", wantErr: ovsdb.ErrInvalid},
		{name: "empty optional", table: "Port", column: "tag", in: "[]", want: "[]"},
		{name: "set with range", table: "Port", column: "trunks", in: "[10-12,20]", want: "[10, 11, 12, 20]"},
		{name: "set without brackets", table: "Port", column: "trunks", in: "3 1,2", want: "[1, 2, 3]"},
		{name: "duplicate in set", table: "Port", column: "trunks", in: "1,1", wantErr: ovsdb.ErrInvalid},
		{name: "reversed range", table: "Port", column: "trunks", in: "5-3", wantErr: ovsdb.ErrInvalid},
		{name: "empty set needs brackets", table: "Port", column: "trunks", in: "", wantErr: ovsdb.ErrInvalid},
		{name: "map", table: "Interface", column: "options", in: "{remote_ip=192.0.2.1, key=flow}", want: `{key=flow, remote_ip="192.0.2.1"}`},
		{name: "map quoted value", table: "Interface", column: "options", in: `{a="two words"}`, want: `{a="two words"}`},
		{name: "map without equals", table: "Interface", column: "options", in: "{a}", wantErr: ovsdb.ErrInvalid},
		{name: "map duplicate key", table: "Interface", column: "options", in: "a=1,a=2", wantErr: ovsdb.ErrInvalid},
		{name: "enum", table: "Bridge", column: "fail_mode", in: "secure", want: "secure"},
		{name: "enum violation", table: "Bridge", column: "fail_mode", in: "closed", wantErr: ovsdb.ErrInvalid},
		{name: "boolean forms", table: "Bridge", column: "stp_enable", in: "yes", want: "true"},
		{name: "bad boolean", table: "Bridge", column: "stp_enable", in: "maybe", wantErr: ovsdb.ErrInvalid},
		{name: "string needing quotes", table: "Interface", column: "type", in: `"1abc"`, want: `"1abc"`},
		{name: "bare string", table: "Interface", column: "type", in: "internal", want: "internal"},
		{name: "unterminated quote", table: "Interface", column: "type", in: `"abc`, wantErr: ovsdb.ErrInvalid},
		{name: "uuid", table: "Port", column: "qos", in: "01234567-89ab-cdef-0123-456789abcdef", want: "01234567-89ab-cdef-0123-456789abcdef"},
		{name: "bad uuid", table: "Port", column: "qos", in: "nope", wantErr: ovsdb.ErrInvalid},
		{name: "too many for optional", table: "Port", column: "tag", in: "[1,2]", wantErr: ovsdb.ErrInvalid},
		{name: "trailing garbage", table: "Port", column: "trunks", in: "[1] x", wantErr: ovsdb.ErrInvalid},
	}
	s := schema(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LookupColumn(s, tt.table, tt.column)
			if err != nil {
				t.Fatal(err)
			}
			d, err := ParseDatum(c, tt.in, nil, c.Min, c.Max)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Format(d); got != tt.want {
				t.Errorf("Format = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseColumnArg(t *testing.T) {
	s := schema(t)
	tests := []struct {
		name, table, arg string
		ops              []string
		wantCol, wantKey string
		wantOp, wantVal  string
		wantErr          error
	}{
		{name: "set", table: "Interface", arg: "options:remote_ip=192.0.2.1", ops: SetOps, wantCol: "options", wantKey: "remote_ip", wantOp: "=", wantVal: "192.0.2.1"},
		{name: "abbreviated", table: "Interface", arg: "mtu-req=1400", ops: SetOps, wantCol: "mtu_request", wantOp: "=", wantVal: "1400"},
		{name: "longest operator", table: "Port", arg: "tag>=5", ops: FindOps, wantCol: "tag", wantOp: ">=", wantVal: "5"},
		{name: "set operator", table: "Port", arg: "trunks{in}[1,2]", ops: FindOps, wantCol: "trunks", wantOp: "{in}", wantVal: "[1,2]"},
		{name: "get form", table: "Bridge", arg: "other_config:hwaddr", wantCol: "other_config", wantKey: "hwaddr"},
		{name: "unknown column", table: "Bridge", arg: "nosuch=1", ops: SetOps, wantErr: ovsdb.ErrUnknownColumn},
		{name: "ambiguous prefix", table: "Interface", arg: "cfm_f=1", ops: SetOps, wantErr: ovsdb.ErrUnknownColumn},
		{name: "missing value", table: "Port", arg: "tag", ops: SetOps, wantErr: ovsdb.ErrInvalid},
		{name: "garbage after get", table: "Port", arg: "tag=1", wantErr: ovsdb.ErrInvalid},
		{name: "escaped delimiter in key", table: "Interface", arg: `options:a\=b=1`, ops: SetOps, wantCol: "options", wantKey: "a=b", wantOp: "=", wantVal: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseColumnArg(s, tt.table, tt.arg, tt.ops)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{a.Column.Name, a.Key, a.Op, a.Value}
			if diff := cmp.Diff([]string{tt.wantCol, tt.wantKey, tt.wantOp, tt.wantVal}, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, iface, typ string
		ok               bool
	}{
		{"short system", "eth0", "", true},
		{"15 bytes", "abcdefghijklmno", "internal", true},
		{"16 bytes system", "abcdefghijklmnop", "", false},
		{"16 bytes tunnel", "abcdefghijklmnop", "gre", true},
		{"slash", "a/b", "system", false},
		{"colon system", "a:b", "", false},
		{"colon internal", "a:b", "internal", false},
		{"colon tunnel", "a:b", "gre", true},
		{"vertical tab", "a\vb", "internal", false},
		{"carriage return", "a\rb", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName(tt.iface, tt.typ)
			if (err == nil) != tt.ok || err != nil && !errors.Is(err, ovsdb.ErrInvalid) {
				t.Errorf("CheckName(%q, %q) = %v", tt.iface, tt.typ, err)
			}
		})
	}
}

// FuzzColumnArg feeds arbitrary COLUMN[:KEY]=VALUE arguments through the
// parser: it must never panic, and a value it accepts must print as text
// that parses back to the same value.
func FuzzColumnArg(f *testing.F) {
	for _, seed := range []string{"options:remote_ip=192.0.2.1", "trunks=[1-3,5]", `options={a="x y", b=2}`, "tag=10",
		"external_ids:\"k\\\"\"=v", "mtu_request=-1", "type=\"\"", "options:a\\=b=c", "trunks=", "bfd={}"} {
		f.Add("Interface", seed)
		f.Add("Port", seed)
	}
	s := schema(f)
	f.Fuzz(func(t *testing.T, table, arg string) {
		if table != "Interface" && table != "Port" && table != "Bridge" {
			return
		}
		a, err := ParseColumnArg(s, table, arg, SetOps)
		if err != nil {
			return
		}
		syms := &Symbols{byName: map[string]*Symbol{}, used: map[string]bool{}}
		if a.HasKey {
			if !a.Column.IsMap() {
				return
			}
			if _, err := ParseAtom(a.Column.Key, a.Key, syms); err != nil {
				return
			}
			_, _ = ParseAtom(a.Column.Value, a.Value, syms)
			return
		}
		d, err := ParseDatum(a.Column, a.Value, syms, a.Column.Min, a.Column.Max)
		if err != nil {
			return
		}
		if strings.Contains(a.Value, "@") {
			return // row names print as themselves, valid only inside their transaction
		}
		text := a.Column.Format(d)
		back, err := ParseDatum(a.Column, text, syms, a.Column.Min, a.Column.Max)
		if err != nil {
			t.Fatalf("%q parsed, printed as %q, which does not parse: %v", arg, text, err)
		}
		if Compare(d, back) != 0 {
			t.Fatalf("%q: round trip %q changed the value", arg, text)
		}
	})
}
