package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// schemaVersion is one server version a differential suite runs on: both
// twin servers serve its schema, the installed C tool works against one
// and ovskit against the other.
type schemaVersion struct {
	path    string // the schema file (testdata/schemas)
	version string // the schema's version
	// newer holds table → columns that ovskit's models know and the
	// installed tool does not (both newer than the tool): ovskit reads
	// them (as the default on a server that lacks them) and writes them
	// (refused first on such a server), as a tool of their version would;
	// the lines that differ from the installed tool's for that reason
	// alone are named.
	newer map[string]map[string]bool
}

// schemaFile is what the suites read of a schema file: its version and
// each table's columns.
type schemaFile struct {
	version string
	columns map[string]map[string]bool // table → column → true
}

func readSchemaFile(path string) (*schemaFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Version string `json:"version"`
		Tables  map[string]struct {
			Columns map[string]json.RawMessage `json:"columns"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &schemaFile{version: raw.Version, columns: map[string]map[string]bool{}}
	for t, ts := range raw.Tables {
		s.columns[t] = map[string]bool{}
		for c := range ts.Columns {
			s.columns[t][c] = true
		}
	}
	return s, nil
}

// schemaVersions returns the versions of files (in testdata/schemas),
// oldest first, each with the columns that the models (models, their
// schema file) know and the installed tool (installed, the schema the
// distribution installs with it) does not.
func schemaVersions(t *testing.T, models, installed string, files ...string) []schemaVersion {
	t.Helper()
	known, err := readSchemaFile(installed)
	if err != nil {
		t.Fatalf("the installed tool's schema: %v", err)
	}
	ours, err := readSchemaFile(models)
	if err != nil {
		t.Fatalf("the models' schema: %v", err)
	}
	// The same for every version: what the models know beyond the tool.
	newer := map[string]map[string]bool{}
	for tn, cols := range ours.columns {
		for c := range cols {
			if !known.columns[tn][c] {
				if newer[tn] == nil {
					newer[tn] = map[string]bool{}
				}
				newer[tn][c] = true
			}
		}
	}
	var out []schemaVersion
	for _, f := range files {
		p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "schemas", f))
		if err != nil {
			t.Fatal(err)
		}
		s, err := readSchemaFile(p)
		if err != nil {
			t.Fatal(err)
		}
		v := schemaVersion{path: p, version: s.version, newer: newer}
		out = append(out, v)
	}
	return out
}

// newerIn returns the newer columns of the tables that a command line
// names (table names are matched as words, case-insensitively, as both
// tools match them).
func (v schemaVersion) newerIn(line string) map[string]bool {
	cols := map[string]bool{}
	for _, w := range splitWords(line) {
		for tn, cs := range v.newer {
			if strings.EqualFold(w, tn) {
				for c := range cs {
					cols[c] = true
				}
			}
		}
	}
	return cols
}

// mentionsNewer reports whether a command line writes or reads a column
// that the installed tool does not know (as column, column:key or
// column=value, in a table the line names).
func (v schemaVersion) mentionsNewer(line string) bool {
	cols := v.newerIn(line)
	for _, w := range splitWords(line) {
		w = strings.TrimPrefix(w, "--columns=")
		for _, part := range strings.Split(w, ",") {
			if i := strings.IndexAny(part, ":=<>!{"); i >= 0 {
				part = part[:i]
			}
			if cols[part] {
				return true
			}
		}
	}
	return false
}

// toolLacksColumn reports whether a step failed with the installed tool
// (toolCode, toolErr) and succeeded with ovskit (ourCode) only because the
// tool does not know a column the line names, one newer than the tool: a
// tool of that column's version would have done what ovskit did.
func (v schemaVersion) toolLacksColumn(line string, toolCode int, toolErr string, ourCode int) bool {
	return toolCode != 0 && ourCode == 0 && v.mentionsNewer(line) &&
		strings.Contains(toolErr, "does not contain a column whose name matches")
}

// listLine is a line of list/find output: "column : value".
var listLine = regexp.MustCompile(`^([a-z_0-9]+)\s*: `)

// dropNewer removes from ovskit's output the lines of columns that the
// installed tool does not know (list and find print every column the
// server has, as that server's own tools do), and returns how many.
func (v schemaVersion) dropNewer(out, line string) (string, int) {
	cols := v.newerIn(line)
	if len(cols) == 0 {
		return out, 0
	}
	var kept []string
	n := 0
	for _, l := range strings.SplitAfter(out, "\n") {
		if m := listLine.FindStringSubmatch(l); m != nil && cols[m[1]] {
			n++
			continue
		}
		kept = append(kept, l)
	}
	return strings.Join(kept, ""), n
}

// upgradeWarning is the C IDL's warning, once per missing column or
// table, on a server older than the tool (ovskit logs the same through
// log/slog).
var upgradeWarning = regexp.MustCompile(`(?m)^.*(lacks .* (column|table)|database needs upgrade).*\n?`)

// dropUpgradeWarnings removes the C IDL's warnings about what an older
// server lacks from the tool's stderr.
func dropUpgradeWarnings(stderr string) string {
	return upgradeWarning.ReplaceAllString(stderr, "")
}

// namedDiffs collects the lines that differ between the installed tool
// and ovskit only because the tool does not know a column (one newer than
// the tool, which ovskit's models know).
type namedDiffs struct {
	mu    sync.Mutex
	lines []string
}

func (n *namedDiffs) add(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lines = append(n.lines, fmt.Sprintf(format, args...))
}

func (n *namedDiffs) sorted() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Sorted(slices.Values(n.lines))
}

// report logs the lines named for version v and prints its summary lines:
// prefix is the suite's ("differential", "nbctl differential"), tool the
// C tool it compares with, the counts the version's.
func (n *namedDiffs) report(t *testing.T, prefix, tool string, v schemaVersion, failing, sameMsg, scenarios, identical int64) {
	t.Helper()
	lines := n.sorted()
	for _, l := range lines {
		t.Logf("differs only because %s does not know the column: %s", tool, l)
	}
	fmt.Printf("%s (schema %s): %d failing steps, %d with %s's message word for word\n", prefix, v.version, failing, sameMsg, tool)
	fmt.Printf("%s (schema %s): %d scenarios, %d identical; %d lines differ only because %s does not know the column\n",
		prefix, v.version, scenarios, identical, len(lines), tool)
}
