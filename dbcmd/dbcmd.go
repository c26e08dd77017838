package dbcmd

import (
	"fmt"
	"strings"

	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovsdb"
)

// Option configures a generic command.
type Option func(*vsctl.Opts)

// IfExists makes a missing record not an error: the command does nothing.
// Equivalent to: ovs-vsctl --if-exists
func IfExists() Option { return func(o *vsctl.Opts) { o.IfExists = true } }

// ID names the row that Create inserts, or that Get finds, "@name", for
// the other commands of the transaction to refer to (as a UUID value
// "@name"). The row name "name" also keys the new row's UUID in the
// commit's Result.
// Equivalent to: ovs-vsctl --id=@name
func ID(name string) Option { return func(o *vsctl.Opts) { o.ID = name } }

// All makes Destroy delete every row of the table.
// Equivalent to: ovs-vsctl --all destroy
func All() Option { return func(o *vsctl.Opts) { o.All = true } }

func opts(os []Option) vsctl.Opts {
	var o vsctl.Opts
	for _, f := range os {
		f(&o)
	}
	return o
}

func table(name string) (string, error) { return vsctl.LookupTable(name) }

// Get returns the values of the record's COLUMN[:KEY] arguments, printed
// as ovs-vsctl prints them ("_uuid" gives the UUID). With IfExists, a
// missing record gives nil and a missing key "".
// Equivalent to: ovs-vsctl get TABLE RECORD COLUMN[:KEY]...
func Get(tx *ovsdb.Tx, tableName, record string, columns []string, o ...Option) ([]string, error) {
	t, err := table(tableName)
	if err != nil {
		return nil, err
	}
	out, _, err := vsctl.Get(tx, t, record, columns, opts(o))
	return out, err
}

// Set sets columns of a record: each argument is COLUMN=VALUE, or
// COLUMN:KEY=VALUE for one key of a map, in ovs-vsctl's syntax.
// Equivalent to: ovs-vsctl set TABLE RECORD COLUMN[:KEY]=VALUE...
func Set(tableName, record string, settings []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tableName)
		if err != nil {
			return err
		}
		return vsctl.Set(tx, t, record, settings, opts(o))
	})
}

// Add adds values (or KEY=VALUE pairs) to a set (map) column; keys a map
// has already keep their values.
// Equivalent to: ovs-vsctl add TABLE RECORD COLUMN VALUE...
func Add(tableName, record, column string, values []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tableName)
		if err != nil {
			return err
		}
		return vsctl.Add(tx, t, record, column, values, opts(o))
	})
}

// Remove removes values from a set column, or keys or KEY=VALUE pairs
// from a map column.
// Equivalent to: ovs-vsctl remove TABLE RECORD COLUMN VALUE...
func Remove(tableName, record, column string, values []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tableName)
		if err != nil {
			return err
		}
		return vsctl.Remove(tx, t, record, column, values, opts(o))
	})
}

// Clear empties columns of a record.
// Equivalent to: ovs-vsctl clear TABLE RECORD COLUMN...
func Clear(tableName, record string, columns []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tableName)
		if err != nil {
			return err
		}
		return vsctl.Clear(tx, t, record, columns, opts(o))
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
	t, err := table(tableName)
	if err != nil {
		return "", err
	}
	return vsctl.Create(tx, t, settings, opts(o))
}

// Destroy deletes records (All: every row of the table).
// Equivalent to: ovs-vsctl destroy TABLE RECORD...
func Destroy(tableName string, records []string, o ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		t, err := table(tableName)
		if err != nil {
			return err
		}
		op := opts(o)
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
		t, err := table(tableName)
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
	// bare holds the cells as ovs-vsctl --bare prints them.
	bare [][]string
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
		for _, c := range cols {
			if c == nil {
				cells = append(cells, ovsdb.UUIDOf(r))
				bare = append(bare, ovsdb.UUIDOf(r))
				continue
			}
			d, err := c.Get(r)
			if err != nil {
				return nil, err
			}
			cells = append(cells, c.Format(d))
			bare = append(bare, c.FormatBare(d))
		}
		out.Rows = append(out.Rows, cells)
		out.bare = append(out.bare, bare)
	}
	return out, nil
}

// List returns records of a table (all, or the named ones), with all
// columns or the given ones ("name,ofport" or separate arguments).
// Equivalent to: ovs-vsctl [--columns=COLUMNS] list TABLE [RECORD]...
func List(tx *ovsdb.Tx, tableName string, records, columns []string, o ...Option) (*Table, error) {
	t, err := table(tableName)
	if err != nil {
		return nil, err
	}
	rows, err := vsctl.List(tx, t, records, opts(o))
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
	t, err := table(tableName)
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
