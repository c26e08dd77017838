package ovsdb

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"

	lib "github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// Schema describes a database the models were generated from (or a
// server's, for negotiation): the tables and the type of every column.
// Its parser is libovsdb's.
type Schema struct {
	db lib.DatabaseSchema
	// kinds caches, per table and column, how key and value atoms encode.
	kinds map[string]map[string]columnKinds
	// unique lists, per table, the string columns that a single-column
	// index makes unique (Bridge, Port and Interface names, Manager
	// targets): the cache and transactions look rows up by them.
	unique map[string][]string
	// columns lists each table's column names, sorted.
	columns map[string][]string
	// model is the generated models of the schema (nil for a schema
	// parsed from a server's answer).
	model *DatabaseModel
}

type columnKinds struct {
	key, value baseKind
	// setRef is the table a set of references (uuid keys, no values, more
	// than one element) refers to: "" for other columns.
	setRef string
}

// DatabaseModel is a database's schema and the models generated from it:
// what WithDatabase gives a client, with the database's Policy if it has
// one. Each package of generated models has a Database function that
// returns its own (vswitchdb.Database for Open_vSwitch; nbdb.Database and
// sbdb.Database for OVN).
type DatabaseModel struct {
	name, version string
	schema        []byte
	newRow        func(table string) Model
	tables        []string
	// zeros are an empty row of each table, shared: only ever read.
	zeros map[string]Model
	// policy is the database's, if any (WithPolicy), with its OnWrite
	// operations encoded once (or why they could not be).
	policy      *Policy
	onWriteJSON [][]byte
	policyErr   error
}

// NewDatabaseModel is called by generated code: the schema's name and
// version, its JSON, the constructor of an empty row of a table (nil for
// an unknown table) and the tables.
func NewDatabaseModel(name, version string, schema []byte, newRow func(table string) Model, tables []string) *DatabaseModel {
	zeros := make(map[string]Model, len(tables))
	for _, t := range tables {
		zeros[t] = newRow(t)
	}
	return &DatabaseModel{name: name, version: version, schema: schema, newRow: newRow, tables: tables, zeros: zeros}
}

// zero returns an empty row of the table, shared: never change it.
func (d *DatabaseModel) zero(table string) Model { return d.zeros[table] }

// Name is the database's (and its schema's) name.
func (d *DatabaseModel) Name() string { return d.name }

// Version is the version of the schema the models were generated from.
func (d *DatabaseModel) Version() string { return d.version }

// Tables lists the tables the models cover.
func (d *DatabaseModel) Tables() []string { return slices.Clone(d.tables) }

// NewRow returns an empty row of the named table.
func (d *DatabaseModel) NewRow(table string) (Model, error) {
	m := d.newRow(table)
	if m == nil {
		return nil, fmt.Errorf("table %q of %s: %w", table, d.name, ErrUnknownTable)
	}
	return m, nil
}

// Schema parses the models' schema; the result knows its models.
func (d *DatabaseModel) Schema() (*Schema, error) {
	s, err := ParseSchema(d.schema)
	if err != nil {
		return nil, err
	}
	s.model = d
	return s, nil
}

// ParseSchema parses an OVSDB schema (the JSON of a .ovsschema file or of a
// get_schema answer).
func ParseSchema(data []byte) (*Schema, error) {
	var db lib.DatabaseSchema
	if err := json.Unmarshal(data, &db); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	s := &Schema{db: db, kinds: make(map[string]map[string]columnKinds, len(db.Tables)), unique: map[string][]string{},
		columns: map[string][]string{}}
	for tn, t := range db.Tables {
		m := make(map[string]columnKinds, len(t.Columns))
		for cn, c := range t.Columns {
			var k columnKinds
			if c.TypeObj.Key.Type == lib.TypeUUID {
				k.key = baseUUID
			}
			if c.TypeObj.Value != nil && c.TypeObj.Value.Type == lib.TypeUUID {
				k.value = baseUUID
			}
			if ref, err := c.TypeObj.Key.RefTable(); err == nil && k.key == baseUUID && c.TypeObj.Value == nil && c.TypeObj.Max() != 1 {
				k.setRef = ref
			}
			m[cn] = k
		}
		s.columns[tn] = slices.Sorted(maps.Keys(t.Columns))
		m["_uuid"] = columnKinds{key: baseUUID}
		s.kinds[tn] = m
		for _, idx := range t.Indexes {
			if len(idx) != 1 {
				continue
			}
			c, ok := t.Columns[idx[0]]
			if ok && c.TypeObj.Key.Type == lib.TypeString && c.TypeObj.Value == nil && c.TypeObj.Max() == 1 {
				s.unique[tn] = append(s.unique[tn], idx[0])
			}
		}
	}
	return s, nil
}

// Name and Version of the schema.
func (s *Schema) Name() string    { return s.db.Name }
func (s *Schema) Version() string { return s.db.Version }

// Column returns the type of a column, or an error wrapping
// ErrUnknownTable or ErrUnknownColumn.
func (s *Schema) Column(table, column string) (ColumnType, error) {
	c, err := s.column(table, column)
	if err != nil {
		return ColumnType{}, err
	}
	return columnTypeOf(c), nil
}

// column returns the parsed schema of a column.
func (s *Schema) column(table, column string) (*lib.ColumnSchema, error) {
	t, ok := s.db.Tables[table]
	if !ok {
		return nil, fmt.Errorf("table %q: %w", table, ErrUnknownTable)
	}
	c, ok := t.Columns[column]
	if !ok {
		return nil, unknownColumnError(table, column)
	}
	return c, nil
}

// Indexes returns the table's indexes (sets of columns whose values are
// unique across rows).
func (s *Schema) Indexes(table string) [][]string { return s.db.Tables[table].Indexes }

func (s *Schema) uniqueColumns(table string) []string { return s.unique[table] }

func (s *Schema) isRoot(table string) bool { return s.db.Tables[table].IsRoot }

// IsRoot reports whether table is a root table: its rows live without
// references (Open_vSwitch, say), while rows of other tables are removed by
// the server once nothing refers to them.
func (s *Schema) IsRoot(table string) bool { return s.isRoot(table) }

// Columns returns the column names of table, sorted, without _uuid.
func (s *Schema) Columns(table string) []string { return slices.Clone(s.columns[table]) }

// NewRow returns an empty row of the named table, of the models' type.
func (s *Schema) NewRow(table string) (Model, error) {
	if s.model == nil {
		return nil, fmt.Errorf("table %q: the schema has no models: %w", table, ErrUnknownTable)
	}
	return s.model.NewRow(table)
}

// Tables lists the tables of the models' schema, sorted.
func (s *Schema) Tables() []string {
	return slices.Sorted(maps.Keys(s.db.Tables))
}

func (s *Schema) kindsOf(table, column string) (columnKinds, error) {
	t, ok := s.kinds[table]
	if !ok {
		return columnKinds{}, fmt.Errorf("table %q: %w", table, ErrUnknownTable)
	}
	k, ok := t[column]
	if !ok {
		return columnKinds{}, unknownColumnError(table, column)
	}
	return k, nil
}

// encode writes a Go value of a column in OVSDB notation.
func (s *Schema) encode(table, column string, v any) (any, error) {
	k, err := s.kindsOf(table, column)
	if err != nil {
		return nil, err
	}
	out, err := encodeDatum(k.key, k.value, v)
	if err != nil {
		return nil, fmt.Errorf("column %s.%s: %w", table, column, err)
	}
	return out, nil
}

// CheckCompatible reports every table and column of want that the server's
// schema lacks or types differently, joined in one error wrapping ErrSchema.
// Extra tables and columns on the server are fine. (Dial is not so strict:
// it works with a server that lacks tables or columns; see Client.ServerHas.)
func (s *Schema) CheckCompatible(server *Schema) error {
	if s.db.Name != server.db.Name {
		return fmt.Errorf("server database is %q, models are for %q: %w", server.db.Name, s.db.Name, ErrSchema)
	}
	var errs []error
	tables := make([]string, 0, len(s.db.Tables))
	for t := range s.db.Tables {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, tn := range tables {
		st, ok := server.db.Tables[tn]
		if !ok {
			errs = append(errs, fmt.Errorf("server schema %s %s lacks table %q: %w", server.db.Name, server.db.Version, tn, ErrSchema))
			continue
		}
		cols := make([]string, 0, len(s.db.Tables[tn].Columns))
		for c := range s.db.Tables[tn].Columns {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		for _, cn := range cols {
			sc, ok := st.Columns[cn]
			if !ok {
				errs = append(errs, fmt.Errorf("server schema %s %s lacks column %s.%s: %w", server.db.Name, server.db.Version, tn, cn, ErrSchema))
				continue
			}
			mine := s.db.Tables[tn].Columns[cn]
			if !sameShape(mine.TypeObj, sc.TypeObj) {
				errs = append(errs, fmt.Errorf("column %s.%s is %s on the server, %s in the models: %w", tn, cn, sc, mine, ErrSchema))
			}
		}
	}
	return errors.Join(errs...)
}

// lacks is what the models have and the server's schema does not: a
// server older than the models. nil lacks nothing.
type lacks struct {
	server  string // the server's schema, "NAME VERSION"
	tables  map[string]bool
	columns map[string]map[string]bool
	// enums are, by table and column, the values of an enumerated key
	// (or map value) that the models allow and the server's schema does
	// not, as text.
	enums map[string]map[string]map[string]bool
}

// badValue returns the first value of v (a column's Go value: an atom, a
// pointer to one, a slice or a map) that the server's schema does not
// allow in the column, if any.
func (l *lacks) badValue(t, c string, v any) (string, bool) {
	if l == nil || l.enums[t][c] == nil {
		return "", false
	}
	bad := l.enums[t][c]
	for _, a := range atomsOf(reflect.ValueOf(v)) {
		if bad[a] {
			return a, true
		}
	}
	return "", false
}

// atomsOf lists the atoms of a Go column value as text: map keys and
// values both.
func atomsOf(v reflect.Value) []string {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return atomsOf(v.Elem())
	case reflect.Slice:
		var out []string
		for i := range v.Len() {
			out = append(out, atomsOf(v.Index(i))...)
		}
		return out
	case reflect.Map:
		var out []string
		it := v.MapRange()
		for it.Next() {
			out = append(out, atomsOf(it.Key())...)
			out = append(out, atomsOf(it.Value())...)
		}
		return out
	}
	return []string{fmt.Sprint(v.Interface())}
}

// enumGap returns the values of mine's enum that theirs lacks (nil when
// mine has no enum, or theirs allows any value).
func enumGap(mine, theirs *lib.BaseType) map[string]bool {
	if mine == nil || theirs == nil || len(mine.Enum) == 0 || len(theirs.Enum) == 0 {
		return nil
	}
	allowed := map[string]bool{}
	for _, e := range theirs.Enum {
		allowed[fmt.Sprint(e)] = true
	}
	var gap map[string]bool
	for _, e := range mine.Enum {
		if s := fmt.Sprint(e); !allowed[s] {
			if gap == nil {
				gap = map[string]bool{}
			}
			gap[s] = true
		}
	}
	return gap
}

// table reports whether the server lacks the table.
func (l *lacks) table(t string) bool { return l != nil && l.tables[t] }

// column reports whether the server lacks the column (or its table).
func (l *lacks) column(t, c string) bool {
	return l != nil && (l.tables[t] || l.columns[t][c])
}

// names lists what is lacking, sorted: "Table" and "Table.column".
func (l *lacks) names() []string {
	if l == nil {
		return nil
	}
	var out []string
	for t := range l.tables {
		out = append(out, t)
	}
	for t, cols := range l.columns {
		for c := range cols {
			out = append(out, t+"."+c)
		}
	}
	for t, cols := range l.enums {
		for c, vals := range cols {
			for v := range vals {
				out = append(out, fmt.Sprintf("%s.%s=%s", t, c, v))
			}
		}
	}
	sort.Strings(out)
	return out
}

// negotiate intersects the models with the server's schema: the tables
// and columns the server lacks (an older server) are returned, to be
// neither monitored nor written; extra ones on the server (a newer one)
// are ignored. A different database, or a column the server types
// otherwise than the models (so that its values would not decode), fails
// with ErrSchema.
func (s *Schema) negotiate(server *Schema) (*lacks, error) {
	if s.db.Name != server.db.Name {
		return nil, fmt.Errorf("server database is %q, models are for %q: %w", server.db.Name, s.db.Name, ErrSchema)
	}
	l := &lacks{server: server.db.Name + " " + server.db.Version, tables: map[string]bool{}, columns: map[string]map[string]bool{},
		enums: map[string]map[string]map[string]bool{}}
	var errs []error
	for tn, mt := range s.db.Tables {
		st, ok := server.db.Tables[tn]
		if !ok {
			l.tables[tn] = true
			continue
		}
		for cn, mine := range mt.Columns {
			sc, ok := st.Columns[cn]
			switch {
			case !ok:
				if l.columns[tn] == nil {
					l.columns[tn] = map[string]bool{}
				}
				l.columns[tn][cn] = true
			case !sameShape(mine.TypeObj, sc.TypeObj):
				errs = append(errs, fmt.Errorf("column %s.%s is %s on the server, %s in the models: %w", tn, cn, sc, mine, ErrSchema))
			default:
				gap := enumGap(mine.TypeObj.Key, sc.TypeObj.Key)
				for v := range enumGap(mine.TypeObj.Value, sc.TypeObj.Value) {
					if gap == nil {
						gap = map[string]bool{}
					}
					gap[v] = true
				}
				if gap != nil {
					if l.enums[tn] == nil {
						l.enums[tn] = map[string]map[string]bool{}
					}
					l.enums[tn][cn] = gap
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(l.tables) == 0 && len(l.columns) == 0 && len(l.enums) == 0 {
		return nil, nil
	}
	return l, nil
}

// sameShape compares what decoding depends on: base types and whether the
// column is a scalar, an optional value, a set or a map.
func sameShape(a, b *lib.ColumnType) bool {
	shape := func(t *lib.ColumnType) string {
		kind := "set"
		switch {
		case t.Value != nil:
			kind = "map:" + t.Value.Type
		case t.Min() == 1 && t.Max() == 1:
			kind = "scalar"
		case t.Min() == 0 && t.Max() == 1:
			kind = "optional"
		}
		return kind + ":" + t.Key.Type
	}
	return shape(a) == shape(b)
}
