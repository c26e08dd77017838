// Command modelgen writes a package of typed models for package ovsdb's
// client from an OVSDB schema file (.ovsschema): one struct per table, enum
// types and values, a constant per table and column, and typed access to
// referenced rows. It works for any schema: Open vSwitch's and OVN's
// (ovskit's own packages use it), hardware_vtep, OVN IC, or a program's own.
//
// Run it from go generate in the package's directory, which holds the
// schema file (the generated code embeds it):
//
//	//go:generate go run github.com/ovskit/ovskit/cmd/modelgen -schema my.ovsschema
//
// Give the package's Database() to a client: ovsdb.Dial(ctx, endpoint,
// ovsdb.WithDatabase(mypkg.Database())). The generated code imports
// github.com/ovskit/ovskit/ovsdb and its genmodel package.
//
// Flags:
//
//	-schema FILE  the schema file, in the output's directory (required)
//	-pkg NAME     the package name (default: the output directory's name)
//	-out FILE     the Go file to write (default: models_gen.go)
//	-policy FUNC  a function of the package, func() ovsdb.Policy, whose
//	              policy Database attaches (see ovsdb.Policy)
package main

import (
	"errors"
	"flag"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/ovskit/ovskit/internal/modelgen"
)

func main() {
	schema := flag.String("schema", "", "OVSDB schema file, in the output's directory (required)")
	pkg := flag.String("pkg", "", "Go package name (default: the output directory's name)")
	out := flag.String("out", "models_gen.go", "Go file to write")
	policy := flag.String("policy", "", "a function of the package, func() ovsdb.Policy, whose policy Database attaches")
	flag.Parse()
	if err := run(*schema, *pkg, *out, modelgen.Options{Policy: *policy}); err != nil {
		fmt.Fprintln(os.Stderr, "modelgen:", err)
		os.Exit(1)
	}
}

func run(schemaPath, pkg, out string, o modelgen.Options) error {
	if schemaPath == "" {
		return errors.New("no schema: give -schema FILE")
	}
	outDir, err := filepath.Abs(filepath.Dir(out))
	if err != nil {
		return err
	}
	schemaDir, err := filepath.Abs(filepath.Dir(schemaPath))
	if err != nil {
		return err
	}
	embed, err := filepath.Rel(outDir, filepath.Join(schemaDir, filepath.Base(schemaPath)))
	if err != nil || strings.HasPrefix(embed, "..") {
		return fmt.Errorf("schema %s is not in %s: the generated code embeds it, so it must be in the package's directory (or below)", schemaPath, outDir)
	}
	if pkg == "" {
		pkg = filepath.Base(outDir)
	}
	if !token.IsIdentifier(pkg) {
		return fmt.Errorf("package name %q is not a Go identifier: give -pkg NAME", pkg)
	}
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	src, err := modelgen.Generate(data, pkg, filepath.ToSlash(embed), o)
	if err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	return os.WriteFile(out, src, 0o644)
}
