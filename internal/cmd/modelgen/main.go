// Command modelgen writes the typed models of package ovsdb from an OVSDB
// schema file. It is run by `go generate ./ovsdb` (see ovsdb/gen.go).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ovskit/ovskit/internal/modelgen"
)

func main() {
	schema := flag.String("schema", "vswitch.ovsschema", "OVSDB schema file")
	pkg := flag.String("pkg", "ovsdb", "Go package name")
	out := flag.String("out", "models_gen.go", "output file")
	flag.Parse()
	if err := run(*schema, *pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "modelgen:", err)
		os.Exit(1)
	}
}

func run(schemaPath, pkg, out string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	src, err := modelgen.Generate(data, pkg)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
