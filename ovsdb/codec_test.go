package ovsdb

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ovskit/ovskit/internal/modelgen"
)

// TestGeneratedModelsAreCurrent: regenerating every file of models in the
// module (each models_gen.go, and this package's test-only
// models_gen_test.go, from the go:generate line that names it) from its
// committed schema changes nothing.
func TestGeneratedModelsAreCurrent(t *testing.T) {
	directive := regexp.MustCompile(`(?m)^//go:generate go run \S+/cmd/modelgen -schema (\S+) -pkg (\S+) -out (\S+)(?: -policy (\S+))?$`)
	type gen struct{ dir, schema, pkg, out, policy string }
	var gens []gen
	outs := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		if strings.HasPrefix(d.Name(), "models_gen") {
			outs[path] = true
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range directive.FindAllStringSubmatch(string(src), -1) {
			gens = append(gens, gen{filepath.Dir(path), m[1], m[2], m[3], m[4]})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) < 7 {
		t.Fatalf("found %d go:generate lines; want Open_vSwitch (and its test copy), OVN NB, SB, IC NB, IC SB and hardware_vtep", len(gens))
	}
	for _, g := range gens {
		delete(outs, filepath.Join(g.dir, g.out))
		t.Run(filepath.Join(g.dir, g.out), func(t *testing.T) {
			schema, err := os.ReadFile(filepath.Join(g.dir, g.schema))
			if err != nil {
				t.Fatal(err)
			}
			want, err := modelgen.Generate(schema, g.pkg, g.schema, modelgen.Options{Policy: g.policy})
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(g.dir, g.out))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("%s/%s is stale: run `make generate` and commit the result", g.dir, g.out)
			}
		})
	}
	for out := range outs {
		t.Errorf("%s has no go:generate line that makes it", out)
	}
}

func TestDecodeColumn(t *testing.T) {
	tests := []struct {
		name    string
		start   *Port
		col     string
		raw     string
		diff    bool
		want    *Port
		wantErr bool
	}{
		{name: "string", start: &Port{}, col: "name", raw: `"p1"`, want: &Port{Name: "p1"}},
		{name: "optional set", start: &Port{}, col: "tag", raw: `10`, want: &Port{Tag: ptr(10)}},
		{name: "optional empty", start: &Port{Tag: ptr(3)}, col: "tag", raw: `["set",[]]`, want: &Port{}},
		// update2 sends the new value of a max-1 column, not a diff.
		{name: "optional modify a->b", start: &Port{Tag: ptr(10)}, col: "tag", raw: `11`, diff: true, want: &Port{Tag: ptr(11)}},
		{name: "optional modify to empty", start: &Port{Tag: ptr(10)}, col: "tag", raw: `["set",[]]`, diff: true, want: &Port{}},
		{name: "optional modify from empty", start: &Port{}, col: "tag", raw: `["set",[12]]`, diff: true, want: &Port{Tag: ptr(12)}},
		{name: "set", start: &Port{}, col: "trunks", raw: `["set",[10,11]]`, want: &Port{Trunks: []int{10, 11}}},
		{name: "set of one as atom", start: &Port{}, col: "trunks", raw: `12`, want: &Port{Trunks: []int{12}}},
		{name: "set diff toggles", start: &Port{Trunks: []int{1, 2, 3}}, col: "trunks", raw: `["set",[2,4]]`, diff: true, want: &Port{Trunks: []int{1, 3, 4}}},
		{name: "uuid set", start: &Port{}, col: "interfaces", raw: `["uuid","6ba7b810-9dad-11d1-80b4-00c04fd430c8"]`, want: &Port{Interfaces: []string{"6ba7b810-9dad-11d1-80b4-00c04fd430c8"}}},
		{name: "map", start: &Port{}, col: "external_ids", raw: `["map",[["a","1"],["b","2"]]]`, want: &Port{ExternalIDs: map[string]string{"a": "1", "b": "2"}}},
		{name: "map diff add, change, remove", start: &Port{ExternalIDs: map[string]string{"a": "1", "b": "2"}}, col: "external_ids",
			raw: `["map",[["a","1"],["b","3"],["c","4"]]]`, diff: true, want: &Port{ExternalIDs: map[string]string{"b": "3", "c": "4"}}},
		{name: "enum", start: &Port{}, col: "vlan_mode", raw: `"trunk"`, want: &Port{VLANMode: ptr(PortVLANModeTrunk)}},
		{name: "bool", start: &Port{}, col: "protected", raw: `true`, want: &Port{Protected: true}},
		{name: "bad atom", start: &Port{}, col: "name", raw: `5`, wantErr: true},
		{name: "bad set", start: &Port{}, col: "trunks", raw: `["bag",[1]]`, wantErr: true},
		{name: "bad map", start: &Port{}, col: "external_ids", raw: `["set",[]]`, wantErr: true},
		{name: "bad uuid", start: &Port{}, col: "interfaces", raw: `["set",[["oops","x"]]]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.start.OVSDBClone().(*Port)
			err := got.OVSDBDecodeColumn(tt.col, []byte(tt.raw), tt.diff)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestEncode(t *testing.T) {
	s, err := testSchema()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		table, col string
		v          any
		want       string
		wantErr    error
	}{
		{"string", "Bridge", "name", "br0", `"br0"`, nil},
		{"optional int", "Port", "tag", ptr(10), `["set",[10]]`, nil},
		{"nil optional", "Port", "tag", (*int)(nil), `["set",[]]`, nil},
		{"int set", "Port", "trunks", []int{10, 11}, `["set",[10,11]]`, nil},
		{"uuid set, real and named", "Bridge", "ports", []string{"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "row1"},
			`["set",[["uuid","6ba7b810-9dad-11d1-80b4-00c04fd430c8"],["named-uuid","row1"]]]`, nil},
		{"map sorted", "Bridge", "external_ids", map[string]string{"b": "2", "a": "1"}, `["map",[["a","1"],["b","2"]]]`, nil},
		{"map to uuid", "QoS", "queues", map[int]string{0: "q"}, `["map",[[0,["named-uuid","q"]]]]`, nil},
		{"enum", "Bridge", "fail_mode", ptr(BridgeFailModeSecure), `["set",["secure"]]`, nil},
		{"bad uuid", "Bridge", "ports", []string{"not a uuid!"}, "", ErrInvalid},
		{"unknown column", "Bridge", "nope", 1, "", ErrUnknownColumn},
		{"unknown table", "Nope", "name", 1, "", ErrUnknownTable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.encode(tt.table, tt.col, tt.v)
			if d := cmp.Diff(tt.wantErr, err, cmpopts.EquateErrors()); d != "" {
				t.Fatalf("error (-want +got)\n%s", d)
			}
			if err != nil {
				return
			}
			b, _ := json.Marshal(got)
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
		})
	}
}

func TestApplyMutation(t *testing.T) {
	tests := []struct {
		name    string
		cur     any
		m       Mutation
		want    any
		wantErr error
	}{
		{"set insert", []string{"a"}, Insert("c", []string{"b", "a"}), []string{"a", "b"}, nil},
		{"set insert one atom", []int{1}, Insert("c", 2), []int{1, 2}, nil},
		{"set delete", []string{"a", "b"}, Delete("c", []string{"a", "x"}), []string{"b"}, nil},
		{"set delete all", []string{"a"}, Delete("c", []string{"a"}), []string(nil), nil},
		{"map insert keeps existing", map[string]string{"a": "1"}, Insert("c", map[string]string{"a": "2", "b": "3"}), map[string]string{"a": "1", "b": "3"}, nil},
		{"map delete pair", map[string]string{"a": "1", "b": "2"}, Delete("c", map[string]string{"a": "1", "b": "9"}), map[string]string{"b": "2"}, nil},
		{"map delete keys", map[string]string{"a": "1", "b": "2"}, Delete("c", []string{"a"}), map[string]string{"b": "2"}, nil},
		{"optional insert", (*int)(nil), Insert("c", 5), ptr(5), nil},
		{"optional delete", ptr(5), Delete("c", 5), (*int)(nil), nil},
		{"int add", 3, Add("c", 2), 5, nil},
		{"int sub", 3, Mutation{"c", MutateSub, 5}, -2, nil},
		{"int mul", -3, Mutation{"c", MutateMul, 4}, -12, nil},
		{"int div", 7, Mutation{"c", MutateDiv, 2}, 3, nil},
		{"int div negative", -7, Mutation{"c", MutateDiv, 2}, -3, nil},
		{"int mod", 7, Mutation{"c", MutateMod, 3}, 1, nil},
		{"int mod negative", -7, Mutation{"c", MutateMod, 3}, -1, nil},
		{"int div zero", 3, Mutation{"c", MutateDiv, 0}, nil, ErrInvalid},
		{"int mod zero", 3, Mutation{"c", MutateMod, 0}, nil, ErrInvalid},
		{"int insert", 3, Insert("c", 1), nil, ErrInvalid},
		{"int with a string", 3, Mutation{"c", MutateAdd, "1"}, nil, ErrInvalid},
		{"set of ints delete", []int{1, 2, 3}, Delete("c", []int{2, 9}), []int{1, 3}, nil},
		{"set add", []int{1}, Mutation{"c", MutateAdd, 1}, nil, ErrInvalid},
		{"optional insert kept", ptr(5), Insert("c", 7), ptr(5), nil},
		{"optional delete other", ptr(5), Delete("c", 7), ptr(5), nil},
		{"optional two values", (*int)(nil), Insert("c", []int{1, 2}), nil, ErrInvalid},
		{"map delete missing key", map[string]string{"a": "1"}, Delete("c", []string{"z"}), map[string]string{"a": "1"}, nil},
		{"map delete everything", map[string]string{"a": "1"}, Delete("c", []string{"a"}), map[string]string(nil), nil},
		{"map add", map[string]string{"a": "1"}, Mutation{"c", MutateAdd, 1}, nil, ErrInvalid},
		{"nil value", []string{"a"}, Mutation{"c", MutateInsert, nil}, nil, ErrInvalid},
		{"wrong type", []string{"a"}, Insert("c", 3), nil, ErrInvalid},
		{"arith on set", []string{"a"}, Add("c", 1), nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := applyMutation(tt.cur, tt.m)
			if d := cmp.Diff(tt.wantErr, err, cmpopts.EquateErrors()); d != "" {
				t.Fatalf("error (-want +got)\n%s", d)
			}
			if err == nil {
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("(-want +got)\n%s", d)
				}
			}
		})
	}
}

func TestCheckCompatible(t *testing.T) {
	models, err := testSchema()
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(schemaJSON, &raw); err != nil {
		t.Fatal(err)
	}
	port := raw["tables"].(map[string]any)["Port"].(map[string]any)["columns"].(map[string]any)
	delete(port, "tag")
	port["trunks"] = map[string]any{"type": "string"} // retyped
	delete(raw["tables"].(map[string]any), "SSL")
	b, _ := json.Marshal(raw)
	server, err := ParseSchema(b)
	if err != nil {
		t.Fatal(err)
	}
	err = models.CheckCompatible(server)
	if !errorsIs(err, ErrSchema) {
		t.Fatalf("err = %v, want ErrSchema", err)
	}
	for _, want := range []string{`lacks table "SSL"`, "lacks column Port.tag", "column Port.trunks is"} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if err := models.CheckCompatible(models); err != nil {
		t.Errorf("schema incompatible with itself: %v", err)
	}
}

func TestOperationJSON(t *testing.T) {
	tests := []struct {
		op   Operation
		want string
	}{
		{Operation{Op: "insert", Table: "Bridge"}, `{"op":"insert","table":"Bridge","row":{}}`},
		{Operation{Op: "delete", Table: "Bridge"}, `{"op":"delete","table":"Bridge","where":[]}`},
		{Operation{Op: "wait", Table: "Port", Timeout: ptr(0), Columns: []string{"_uuid"}, Until: "=="},
			`{"op":"wait","table":"Port","where":[],"columns":["_uuid"],"until":"==","rows":[],"timeout":0}`},
		{Operation{Op: "mutate", Table: "Open_vSwitch", Mutations: []Mutation{Add("next_cfg", 1)}},
			`{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",1]]}`},
		{Operation{Op: "comment", Comment: "hi"}, `{"op":"comment","comment":"hi"}`},
		{Operation{Op: "select", Table: "Port"}, `{"op":"select","table":"Port","where":[]}`},
		{Operation{Op: "select", Table: "Port", Columns: []string{"name"}}, `{"op":"select","table":"Port","where":[],"columns":["name"]}`},
	}
	for _, tt := range tests {
		if got := tt.op.String(); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.op.Op, got, tt.want)
		}
	}
}

// FuzzCacheApply feeds arbitrary update2 notifications to the cache: it may
// refuse them, but must not panic.
func FuzzCacheApply(f *testing.F) {
	f.Add([]byte(`{"Port":{"6ba7b810-9dad-11d1-80b4-00c04fd430c8":{"insert":{"name":"p1","tag":10,"trunks":["set",[1,2]]}}}}`))
	f.Add([]byte(`{"Port":{"6ba7b810-9dad-11d1-80b4-00c04fd430c8":{"modify":{"tag":["set",[10,11]]}}}}`))
	f.Add([]byte(`{"Bridge":{"u":{"initial":{"external_ids":["map",[["a","b"]]],"ports":["uuid","x"]}}}}`))
	f.Add([]byte(`{"Interface":{"u":{"delete":null}}}`))
	schema, err := testSchema()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newCache(schema, defaultKeyIndexes)
		_, _ = c.apply(data)
		_, _ = c.apply(data) // a second pass exercises modify/delete of known rows
	})
}

// appendJSON must mean what encoding/json means for every value shape an
// operation holds.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, "", "plain", `quote " and \ backslash`, "tab\tnl\n\x01", "<&> html", "ünïcødé ✓",
		true, 0, -7, int64(1) << 40, uint64(1) << 63, 2.5, 1e21,
		[2]string{"uuid", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
		[]any{"set", []any{1, "x", [2]string{"named-uuid", "row1"}}},
		[]any{"map", []any{[]any{"k\"", "v"}}},
		[]string{"a", "b"},
		map[string]any{"b": 1, "a": []any{}, "ç": "x"},
		[]map[string]any{{"_uuid": [2]string{"uuid", "u"}}, {}},
		[]Condition{{"name", "==", "br0"}},
		[]Mutation{Add("next_cfg", 1), Insert("ports", []any{"set", []any{}})},
		struct{ X int }{3}, // falls back to encoding/json
	}
	for _, v := range values {
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%#v: invalid JSON %s: %v", v, got, err)
		}
		_ = json.Unmarshal(want, &w)
		if d := cmp.Diff(w, g); d != "" {
			t.Errorf("%#v: %s vs encoding/json %s", v, got, want)
		}
	}
	if _, err := appendJSON(nil, math.NaN()); err == nil {
		t.Error("NaN encoded")
	}
}

// TestParseResults checks the scanner's decoding of transact replies
// against encoding/json's.
func TestParseResults(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr bool
	}{
		{"inserts and a select", `[{},{"uuid":["uuid","2d8b1d2c-8a4e-4a3b-9f4e-1b2c3d4e5f60"]},{"count":1},{"rows":[{"next_cfg":7},{"next_cfg":8}]}]`, false},
		{"an error with details", `[{},{"error":"constraint violation","details":"Transaction causes multiple rows in \"Port\" table to have identical values (\"p1\") for index on column \"name\"."}]`, false},
		{"a null result after an error", `[{"error":"timed out"},null]`, false},
		{"white space", ` [ { "count" : 0 } , { } ] `, false},
		{"escapes", `[{"error":"a\u00e9\n\"b\""}]`, false},
		{"not an array", `{"count":1}`, true},
		{"truncated", `[{"count":1}`, true},
		{"bad uuid", `[{"uuid":"x"}]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseResults([]byte(tt.raw), 0)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseResults(%s) = %+v, want an error", tt.raw, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want []opResult
			if err := json.Unmarshal([]byte(tt.raw), &want); err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Errorf("parseResults:\n got %s\nwant %s", g, w)
			}
		})
	}
}

// oneByte hands out its data one byte a Read, as a slow socket might.
type oneByte struct{ data []byte }

func (r *oneByte) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

// TestMsgReader reads streams of messages: white space between them,
// braces and escaped quotes inside strings, messages split across reads,
// members it does not know read past, each value bounded (an oversized
// one refused before the rest of it is read), each malformed stream
// refused; a result with a stream function goes to it, not held.
func TestMsgReader(t *testing.T) {
	tests := []struct {
		name    string
		stream  string
		max     int
		want    []string // each message's id|method|params|result|error
		wantErr error
	}{
		{"two messages", `{"id":1}{"id":2}`, 100, []string{`1||||`, `2||||`}, nil},
		{"white space between", " \n\t{\"a\":[1,{\"b\":2}], \"id\" : 3 }\r\n {}\n", 100, []string{`3||||`, `||||`}, nil},
		{"braces in strings", `{"method":"}{][\"}\\","params":["]}"]}`, 100, []string{`|}{]["}\|["]}"]||`}, nil},
		{"every member", `{"id":"x","error":null,"result":{"a":[true,false,null,-1.5e3]}}`, 100,
			[]string{`"x"|||{"a":[true,false,null,-1.5e3]}|null`}, nil},
		{"exactly the limit", `{"result":"xxxx"}`, 6, []string{`|||"xxxx"|`}, nil},
		{"one byte over the limit", `{"result":"xxxxx"}`, 6, nil, ErrMessageTooLarge},
		{"a long member read past", `{"other":"` + strings.Repeat("x", 100) + `","id":1}`, 6, []string{`1||||`}, nil},
		{"not an object", `[1]`, 100, nil, errNotObject},
		{"a value missing", `{"id":}`, 100, nil, errNoValue},
		{"cut short", `{"a":`, 100, nil, io.ErrUnexpectedEOF},
		{"cut in a string", `{"a":"xy`, 100, nil, io.ErrUnexpectedEOF},
		{"empty", ``, 100, nil, io.EOF},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/split=%v", tt.name, split), func(t *testing.T) {
				var r io.Reader = strings.NewReader(tt.stream)
				if split {
					r = &oneByte{[]byte(tt.stream)}
				}
				mr := &msgReader{br: bufio.NewReaderSize(r, 16), max: tt.max}
				var got []string
				var err error
				for {
					var m rpcMessage
					if m, err = mr.message(nil); err != nil {
						break
					}
					got = append(got, strings.Join([]string{string(m.ID), m.Method, string(m.Params), string(m.Result), string(m.Error)}, "|"))
				}
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("messages (-want +got)\n%s", d)
				}
				want := tt.wantErr
				if want == nil {
					want = io.EOF
				}
				if !errors.Is(err, want) {
					t.Errorf("error %v, want %v", err, want)
				}
			})
		}
	}
	// A streamed result: rows one at a time, each bounded, none held.
	for _, split := range []bool{false, true} {
		stream := `{"id":7,"result":{"T":{"u1":{"initial":{"a":1}},"u2":{"initial":{"s":"}"}}}},"error":null}{"id":8,"result":5}`
		var r io.Reader = strings.NewReader(stream)
		if split {
			r = &oneByte{[]byte(stream)}
		}
		mr := &msgReader{br: bufio.NewReaderSize(r, 16), max: 24}
		var rows []string
		streamer := func(id []byte) func(*msgReader) error {
			if string(id) != "7" {
				return nil
			}
			return func(r *msgReader) error {
				return r.object(func(table string) error {
					return r.object(func(uuid string) error {
						v, err := r.value(nil, r.max, true)
						rows = append(rows, table+"/"+uuid+"="+string(v))
						return err
					})
				})
			}
		}
		m, err := mr.message(streamer)
		if err != nil || !m.streamed || m.Result != nil || string(m.Error) != "null" {
			t.Fatalf("split=%v: %+v, %v", split, m, err)
		}
		if want := []string{`T/u1={"initial":{"a":1}}`, `T/u2={"initial":{"s":"}"}}`}; !cmp.Equal(rows, want) {
			t.Errorf("split=%v: rows %q, want %q", split, rows, want)
		}
		if m, err = mr.message(streamer); err != nil || m.streamed || string(m.Result) != "5" {
			t.Errorf("split=%v: the next message %+v, %v", split, m, err)
		}
	}
}
