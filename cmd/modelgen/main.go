// Command modelgen writes the typed models of a package from an OVSDB
// schema file in its directory. It is run by `go generate` (ovsdb/gen.go,
// ovn/nbdb/gen.go, ovn/sbdb/gen.go).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

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
	src, err := modelgen.Generate(data, pkg, filepath.Base(schemaPath))
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
