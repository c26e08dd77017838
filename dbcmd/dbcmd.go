package dbcmd

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovsdb"
)

// Option configures a generic command.
type Option func(*options) error

// options are the generic commands' settings.
type options struct{ vsctl.Opts }

// IfExists makes a missing record not an error: the command does nothing.
// Equivalent to: ovs-vsctl --if-exists
func IfExists() Option { return func(o *options) error { o.IfExists = true; return nil } }

// ID names the row that Create inserts, or that Get finds, "@name", for
// the other commands of the transaction to refer to (as a UUID value
// "@name"). The row name "name" also keys the new row's UUID in the
// commit's Result. For Create, a UUID instead is the one the new row is
// to have (the server refuses one in use).
// Equivalent to: ovs-vsctl --id=@name, --id=UUID
func ID(name string) Option {
	return func(o *options) error {
		if (!strings.HasPrefix(name, "@") || !ovsdb.IsRowName(name[1:])) && !ovsdb.IsUUID(name) {
			return fmt.Errorf("id %q: want @NAME, NAME of [_a-zA-Z][_a-zA-Z0-9]*, or a UUID: %w", name, ovsdb.ErrInvalid)
		}
		o.ID = name
		return nil
	}
}

// All makes Destroy delete every row of the table.
// Equivalent to: ovs-vsctl --all destroy
func All() Option { return func(o *options) error { o.All = true; return nil } }

// opts applies options in order, stopping at the first that refuses its
// input.
func opts(os []Option) (vsctl.Opts, error) {
	var o options
	for _, f := range os {
		if err := f(&o); err != nil {
			return vsctl.Opts{}, err
		}
	}
	return o.Opts, nil
}

// table resolves a table name (a unique prefix) in the schema of tx's client.
func table(tx *ovsdb.Tx, name string) (string, error) { return vsctl.LookupTable(tx.Schema(), name) }

// Get returns the values of the record's COLUMN[:KEY] arguments, printed
// as ovs-vsctl prints them ("_uuid" gives the UUID). With IfExists, a
// missing record gives nil and a missing key "".
// Equivalent to: ovs-vsctl get TABLE RECORD COLUMN[:KEY]...
func Get(tx *ovsdb.Tx, tableName, record string, columns []string, o ...Option) ([]string, error) {
	t, err := table(tx, tableName)
	if err != nil {
		return nil, err
	}
	op, err := opts(o)
	if err != nil {
		return nil, err
	}
	out, _, err := vsctl.Get(tx, t, record, columns, op)
	return out, err
}

// Set sets columns of a record: each argument is COLUMN=VALUE, or
// COLUMN:KEY=VALUE for one key of a map, in ovs-vsctl's syntax.
// Equivalent to: ovs-vsctl set TABLE RECORD COLUMN[:KEY]=VALUE...
func Set(tableName, record string, settings []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tx, tableName)
		if err != nil {
			return err
		}
		op, err := opts(o)
		if err != nil {
			return err
		}
		return vsctl.Set(tx, t, record, settings, op)
	})
}

// Add adds values (or KEY=VALUE pairs) to a set (map) column; keys a map
// has already keep their values.
// Equivalent to: ovs-vsctl add TABLE RECORD COLUMN VALUE...
func Add(tableName, record, column string, values []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tx, tableName)
		if err != nil {
			return err
		}
		op, err := opts(o)
		if err != nil {
			return err
		}
		return vsctl.Add(tx, t, record, column, values, op)
	})
}

// Remove removes values from a set column, or keys or KEY=VALUE pairs
// from a map column.
// Equivalent to: ovs-vsctl remove TABLE RECORD COLUMN VALUE...
func Remove(tableName, record, column string, values []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tx, tableName)
		if err != nil {
			return err
		}
		op, err := opts(o)
		if err != nil {
			return err
		}
		return vsctl.Remove(tx, t, record, column, values, op)
	})
}

// Clear empties columns of a record.
// Equivalent to: ovs-vsctl clear TABLE RECORD COLUMN...
func Clear(tableName, record string, columns []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tx, tableName)
		if err != nil {
			return err
		}
		op, err := opts(o)
		if err != nil {
			return err
		}
		return vsctl.Clear(tx, t, record, columns, op)
	})
}

// Create inserts a row with the settings. Without ID it is only useful for
// root tables: rows of other tables nothing refers to are removed.
// Equivalent to: ovs-vsctl [--id=@name] create TABLE COLUMN[:KEY]=VALUE...
func Create(tableName string, settings []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		_, err := CreateRow(tx, tableName, settings, o...)
		return err
	})
}

// CreateRow is Create inside a transaction function; it returns the new
// row's name, the key of its UUID in the commit's Result.
func CreateRow(tx *ovsdb.Tx, tableName string, settings []string, o ...Option) (string, error) {
	t, err := table(tx, tableName)
	if err != nil {
		return "", err
	}
	op, err := opts(o)
	if err != nil {
		return "", err
	}
	return vsctl.Create(tx, t, settings, op)
}

// Destroy deletes records (All: every row of the table).
// Equivalent to: ovs-vsctl destroy TABLE RECORD...
func Destroy(tableName string, records []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tx, tableName)
		if err != nil {
			return err
		}
		op, err := opts(o)
		if err != nil {
			return err
		}
		if !op.All && len(records) == 0 {
			return fmt.Errorf("destroy %s: either All or records should be specified: %w", t, ovsdb.ErrInvalid)
		}
		return vsctl.Destroy(tx, t, records, op)
	})
}

// WaitUntil makes the transaction wait, within its context, until the
// record exists and satisfies every condition (COLUMN[:KEY]OP VALUE, with
// the operators of Find).
// Equivalent to: ovs-vsctl wait-until TABLE RECORD [COLUMN[:KEY]=VALUE]...
func WaitUntil(tableName, record string, conditions ...string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tx, tableName)
		if err != nil {
			return err
		}
		return vsctl.WaitUntil(tx, t, record, conditions)
	})
}

// Table is the result of List and Find: rows of formatted cells.
type Table struct {
	Columns []string
	Rows    [][]string
	// bare holds the cells as ovs-vsctl --bare prints them, json in
	// OVSDB's JSON notation.
	bare [][]string
	json [][]any
	// data holds each cell's column (nil for _uuid) and value, to write
	// its cells again once the rows inserted by the same transaction have
	// their UUIDs (ResolveUUIDs).
	data [][]cell
}

type cell struct {
	col  *vsctl.Column
	d    vsctl.Datum
	uuid string
}

// ResolveUUIDs writes the cells that name a row inserted by the same
// transaction (a row name, as the transaction had it) with that row's
// UUID, as ovs-vsctl does after its commit: uuid(name) is the UUID, or
// false for a name that is not one. (Result.UUIDs has them.)
func (t *Table) ResolveUUIDs(uuid func(name string) (string, bool)) {
	conv := func(bt *ovsdb.BaseType, atoms []any) {
		if bt == nil || bt.Type != ovsdb.AtomicUUID {
			return
		}
		for i, a := range atoms {
			if s, ok := a.(string); ok {
				if u, ok := uuid(s); ok {
					atoms[i] = u
				}
			}
		}
	}
	for y, row := range t.data {
		for x, c := range row {
			if c.col == nil {
				if u, ok := uuid(c.uuid); ok {
					t.Rows[y][x], t.bare[y][x], t.json[y][x] = u, u, []any{"uuid", u}
					t.data[y][x].uuid = u
				}
				continue
			}
			conv(c.col.Key, c.d.Keys)
			conv(c.col.Value, c.d.Values)
			t.Rows[y][x], t.bare[y][x], t.json[y][x] = c.col.Format(c.d), c.col.FormatBare(c.d), c.col.JSON(c.d)
		}
	}
}

// Style is how Format prints a table: ovs-vsctl's --format, --data,
// --no-headings and --pretty.
type Style struct {
	// Format is "list" (the default), "table", "csv", "html" or "json".
	Format string
	// Data is how cells are written: "string" (the default), "bare" or
	// "json".
	Data string
	// NoHeadings leaves the column names out.
	NoHeadings bool
	// Pretty indents JSON output.
	Pretty bool
}

// CheckStyle refuses an unknown format or data format, with ovs-vsctl's
// words.
func CheckStyle(st Style) error {
	if st.Format != "" && !slices.Contains([]string{"table", "list", "html", "csv", "json"}, st.Format) {
		return fmt.Errorf("unknown output format \"%s\": %w", st.Format, ovsdb.ErrInvalid)
	}
	if st.Data != "" && !slices.Contains([]string{"string", "bare", "json"}, st.Data) {
		return fmt.Errorf("unknown data format \"%s\": %w", st.Data, ovsdb.ErrInvalid)
	}
	return nil
}

// cell returns a cell's text in the style's data format.
func (t *Table) cell(st Style, y, x int) string {
	switch st.Data {
	case "bare":
		return t.bare[y][x]
	case "json":
		var b strings.Builder
		writeJSON(&b, t.json[y][x], false, 0)
		return b.String()
	}
	return t.Rows[y][x]
}

// Format prints the table in a style, as ovs-vsctl prints it.
func (t *Table) Format(st Style) string {
	var b strings.Builder
	headings := !st.NoHeadings
	switch st.Format {
	case "table":
		widths := make([]int, len(t.Columns))
		for x, h := range t.Columns {
			for y := range t.Rows {
				widths[x] = max(widths[x], len(t.cell(st, y, x)))
			}
			if headings {
				widths[x] = max(widths[x], len(h))
			}
		}
		line := func(cells func(x int) string) {
			var l strings.Builder
			for x := range t.Columns {
				if x > 0 {
					l.WriteByte(' ')
				}
				fmt.Fprintf(&l, "%-*s", widths[x], cells(x))
			}
			b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
		}
		if headings {
			line(func(x int) string { return t.Columns[x] })
			line(func(x int) string { return strings.Repeat("-", widths[x]) })
		}
		for y := range t.Rows {
			line(func(x int) string { return t.cell(st, y, x) })
		}
	case "csv":
		quote := func(s string) string {
			if !strings.ContainsAny(s, "\n\",") {
				return s
			}
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		row := func(cells func(x int) string) {
			for x := range t.Columns {
				if x > 0 {
					b.WriteByte(',')
				}
				b.WriteString(quote(cells(x)))
			}
			b.WriteByte('\n')
		}
		if headings {
			row(func(x int) string { return t.Columns[x] })
		}
		for y := range t.Rows {
			row(func(x int) string { return t.cell(st, y, x) })
		}
	case "html":
		b.WriteString("<table border=1>\n")
		if headings {
			b.WriteString("  <tr>\n")
			for _, h := range t.Columns {
				b.WriteString("    <th>" + htmlCell(h) + "</th>\n")
			}
			b.WriteString("  </tr>\n")
		}
		for y := range t.Rows {
			b.WriteString("  <tr>\n")
			for x, h := range t.Columns {
				c := t.cell(st, y, x)
				if h == "_uuid" {
					b.WriteString(`    <td><a name="` + htmlEscaper.Replace(c) + `">` + htmlEscaper.Replace(c[:min(8, len(c))]) + "</a></td>\n")
				} else {
					b.WriteString("    <td>" + htmlCell(c) + "</td>\n")
				}
			}
			b.WriteString("  </tr>\n")
		}
		b.WriteString("</table>\n")
	case "json":
		// JSON output is JSON, whatever --data says.
		rows := make([]any, len(t.json))
		for y, r := range t.json {
			rows[y] = r
		}
		headings := make([]any, len(t.Columns))
		for i, h := range t.Columns {
			headings[i] = h
		}
		writeJSON(&b, map[string]any{"data": rows, "headings": headings}, st.Pretty, 0)
		b.WriteByte('\n')
	default: // list
		for y := range t.Rows {
			if y > 0 {
				b.WriteByte('\n')
			}
			for x, h := range t.Columns {
				if headings {
					fmt.Fprintf(&b, "%-20s: ", h)
				}
				b.WriteString(t.cell(st, y, x) + "\n")
			}
		}
	}
	return b.String()
}

// writeJSON writes v as Open vSwitch's JSON serializer does: object keys
// sorted, strings escaped only where JSON requires it, and with pretty,
// two spaces an indentation level and closing brackets on the last
// element's line.
func writeJSON(b *strings.Builder, v any, pretty bool, depth int) {
	indent := func(d int) {
		if pretty {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat("  ", d))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		indent(depth + 1)
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b.WriteByte(',')
				indent(depth + 1)
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			if pretty {
				b.WriteByte(' ')
			}
			writeJSON(b, x[k], pretty, depth+1)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		if len(x) > 0 {
			indent(depth + 1)
			for i, e := range x {
				if i > 0 {
					b.WriteByte(',')
					indent(depth + 1)
				}
				writeJSON(b, e, pretty, depth+1)
			}
		}
		b.WriteByte(']')
	case string:
		writeJSONString(b, x)
	case nil:
		b.WriteString("null")
	default:
		enc, _ := json.Marshal(x)
		b.Write(enc)
	}
}

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20:
			fmt.Fprintf(b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// htmlEscaper escapes what ovs-vsctl's HTML output escapes: & < > ".
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// htmlCell escapes a cell and links each UUID in it to its row, as
// ovs-vsctl's HTML output does.
func htmlCell(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+36 <= len(s) && ovsdb.IsUUID(s[i:i+36]) {
			fmt.Fprintf(&b, `<a href="#%s">%s</a>`, s[i:i+36], s[i:i+8])
			i += 36
			continue
		}
		b.WriteString(htmlEscaper.Replace(s[i : i+1]))
		i++
	}
	return b.String()
}

// String prints the table as ovs-vsctl list does: one "column : value"
// line per cell, a blank line between records.
func (t *Table) String() string {
	var b strings.Builder
	for i, r := range t.Rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, c := range r {
			fmt.Fprintf(&b, "%-20s: %s\n", t.Columns[j], c)
		}
	}
	return b.String()
}

// Bare prints the table as ovs-vsctl --bare does: values only, without
// quotes or brackets.
func (t *Table) Bare() string {
	var b strings.Builder
	for i, r := range t.bare {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, c := range r {
			b.WriteString(c + "\n")
		}
	}
	return b.String()
}

func makeTable(tx *ovsdb.Tx, t string, rows []ovsdb.Model, columns []string) (*Table, error) {
	var cols []*vsctl.Column
	names := []string{}
	if len(columns) == 0 {
		names = append(names, "_uuid")
		cols = append(cols, nil)
		for _, c := range tx.Schema().Columns(t) {
			col, err := vsctl.LookupColumn(tx.Schema(), t, c)
			if err != nil {
				return nil, err
			}
			cols = append(cols, col)
			names = append(names, col.Name)
		}
	} else {
		for _, spec := range columns {
			for _, c := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ' ' }) {
				if strings.EqualFold(c, "_uuid") {
					cols = append(cols, nil)
					names = append(names, "_uuid")
					continue
				}
				col, err := vsctl.LookupColumn(tx.Schema(), t, c)
				if err != nil {
					return nil, err
				}
				cols = append(cols, col)
				names = append(names, col.Name)
			}
		}
		if len(cols) == 0 {
			return nil, fmt.Errorf("must specify at least one column name: %w", ovsdb.ErrInvalid)
		}
	}
	out := &Table{Columns: names}
	for _, r := range rows {
		var cells, bare []string
		var js []any
		var data []cell
		for _, c := range cols {
			if c == nil {
				cells = append(cells, ovsdb.UUIDOf(r))
				bare = append(bare, ovsdb.UUIDOf(r))
				js = append(js, []any{"uuid", ovsdb.UUIDOf(r)})
				data = append(data, cell{uuid: ovsdb.UUIDOf(r)})
				continue
			}
			d, err := c.Get(r)
			if err != nil {
				return nil, err
			}
			cells = append(cells, c.Format(d))
			bare = append(bare, c.FormatBare(d))
			js = append(js, c.JSON(d))
			data = append(data, cell{col: c, d: d})
		}
		out.Rows = append(out.Rows, cells)
		out.bare = append(out.bare, bare)
		out.json = append(out.json, js)
		out.data = append(out.data, data)
	}
	return out, nil
}

// List returns records of a table (all, or the named ones), with all
// columns or the given ones ("name,ofport" or separate arguments).
// Equivalent to: ovs-vsctl [--columns=COLUMNS] list TABLE [RECORD]...
func List(tx *ovsdb.Tx, tableName string, records, columns []string, o ...Option) (*Table, error) {
	t, err := table(tx, tableName)
	if err != nil {
		return nil, err
	}
	op, err := opts(o)
	if err != nil {
		return nil, err
	}
	rows, err := vsctl.List(tx, t, records, op)
	if err != nil {
		return nil, err
	}
	return makeTable(tx, t, rows, columns)
}

// Find returns the records that satisfy every condition COLUMN[:KEY]OP
// VALUE, where OP is =, !=, <, >, <=, >= or a set relation {=}, {!=},
// {<}, {>}, {<=}, {>=}, {in}, {not-in}.
// Equivalent to: ovs-vsctl [--columns=COLUMNS] find TABLE CONDITION...
func Find(tx *ovsdb.Tx, tableName string, conditions, columns []string) (*Table, error) {
	t, err := table(tx, tableName)
	if err != nil {
		return nil, err
	}
	rows, err := vsctl.Find(tx, t, conditions)
	if err != nil {
		return nil, err
	}
	return makeTable(tx, t, rows, columns)
}

// CheckIDs returns a command that fails if an "@name" was referenced in
// the transaction but never created with ID; run it last.
func CheckIDs() ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error { return vsctl.SymbolsOf(tx).Check() })
}
