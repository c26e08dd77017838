package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovskit/ovskit/internal/modelgen"
)

// TestRun: the command writes a package for a schema of the user's own
// (one ovskit does not ship), which compiles against package ovsdb; and
// refuses bad invocations with a message saying what to give.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	schema, err := os.ReadFile(filepath.Join("testdata", "inventory.ovsschema"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "inventory.ovsschema"), schema, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "models_gen.go")
	if err := run(filepath.Join(dir, "inventory.ovsschema"), "inventory", out, modelgen.Options{}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"package inventory",
		`SchemaName    = "Inventory"`,
		`ColumnHostNics = "nics"`,
		`HostRoleEdge HostRole = "edge"`,
		"func (r *Host) NicsRows(tx *ovsdb.Tx) ([]*NIC, error)",
		"MTU *int",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	// -policy: Database attaches the package's policy.
	if err := run(filepath.Join(dir, "inventory.ovsschema"), "inventory", out, modelgen.Options{Policy: "policy"}); err != nil {
		t.Fatal(err)
	}
	if src, err := os.ReadFile(out); err != nil || !strings.Contains(string(src), "tableNames()).WithPolicy(policy())") {
		t.Errorf("with a policy, Database does not attach it (err %v)", err)
	}
	if testing.Short() {
		return
	}
	// It compiles, as a package of this module (a user's module does the same with a require).
	pkgDir, err := os.MkdirTemp(".", "gen")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(pkgDir)
	if err := os.WriteFile(filepath.Join(pkgDir, "inventory.ovsschema"), schema, 0o644); err != nil {
		t.Fatal(err)
	}
	// No -pkg: the directory's name.
	if err := run(filepath.Join(pkgDir, "inventory.ovsschema"), "", filepath.Join(pkgDir, "models_gen.go"), modelgen.Options{}); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("go", "vet", "./"+pkgDir).CombinedOutput(); err != nil {
		t.Fatalf("go vet on the generated package: %v\n%s", err, out)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, schema, pkg, out, want string
	}{
		{"no schema", "", "", "models_gen.go", "give -schema FILE"},
		{"schema elsewhere", filepath.Join("testdata", "inventory.ovsschema"), "", filepath.Join(dir, "models_gen.go"), "must be in the package's directory"},
		{"bad package name", filepath.Join("testdata", "inventory.ovsschema"), "my-pkg", filepath.Join("testdata", "models_gen.go"), "is not a Go identifier"},
		{"names collide", filepath.Join("testdata", "collide.ovsschema"), "collide", filepath.Join("testdata", "models_gen.go"), "are both named"},
		{"missing file", filepath.Join("testdata", "nosuch.ovsschema"), "x", filepath.Join("testdata", "models_gen.go"), "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(tt.schema, tt.pkg, tt.out, modelgen.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one containing %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join("testdata", "models_gen.go")); err == nil {
				t.Fatal("a failed run wrote testdata/models_gen.go")
			}
		})
	}
}
