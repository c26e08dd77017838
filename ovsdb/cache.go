package ovsdb

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ovskit/ovskit/internal/codec"
)

// cache is the client's replica of the database, fed by one monitor, as a
// series of immutable snapshots. Applying a monitor update makes a new
// snapshot that shares every unchanged row and trie node with the last
// one; a reader (a transaction, a View) takes the current snapshot once and
// reads it however the cache moves meanwhile. Rows in a snapshot are never
// changed: an update stores a new row, and readers hand out deep copies.
type cache struct {
	schema *Schema
	seed   maphash.Seed
	layout layout

	mu  sync.Mutex
	cur *snapshot
	txn string // the last transaction id (monitor_cond_since, update3)
	// monitors are what the client monitors (WithMonitor): nil for
	// everything. Set before the cache is used; SetWhere replaces the map
	// (never changes it) under monMu. condGen is the generation of the
	// client's conditions the cache holds the rows of (see SetWhere).
	monMu    sync.RWMutex
	monitors map[string]*Monitor
	condGen  uint64
	// lacks is what the server of this cache's connection lacks of the
	// models (nil: nothing). Set before the cache is used, then only read.
	lacks *lacks
	// changed is closed, and replaced, whenever an update is applied.
	changed chan struct{}
	// unpublished are the events of updates applied before the cache
	// became the one whose updates are published (the client's pubMu
	// guards it).
	unpublished []rowEvent
}

// snapshot is one version of the database. Its maps are in slots the
// cache's layout numbers, so a new version copies a few slices.
type snapshot struct {
	c   *cache
	seq uint64
	// tables holds each table's rows by UUID; index, for the schema's
	// single-column string indexes (Bridge, Port and Interface names,
	// Manager targets), value → row UUID.
	tables []pmap[Model]
	index  []pmap[string]
	// byKey holds, for each indexed map-column key (KeyIndex), value →
	// the UUIDs of the rows with that value, sorted.
	byKey []pmap[[]string]
}

// layout numbers the slots of a snapshot: fixed for a cache, from its
// schema and key indexes.
type layout struct {
	tables map[string]int
	// index lists the indexed columns of each table with their slots.
	index map[string][]indexSlot
	// keys lists the indexed map-column keys of each table with their
	// slots; byKey finds a key's slot.
	keys  map[string][]keySlot
	byKey map[KeyIndex]int
	// names are the tables by slot.
	names []string
}

type indexSlot struct {
	column string
	slot   int
}

type keySlot struct {
	key  KeyIndex
	slot int
}

// KeyIndex names a key of a map column whose values the client indexes,
// such as Interface external_ids:iface-id (see WithKeyIndex and
// FindByKey); with Key "" on a column that is not a map, the column
// itself (WithIndex and FindBy).
type KeyIndex struct{ Table, Column, Key string }

// EventKind says what happened to a row.
type EventKind uint8

// Kinds of row events.
const (
	EventInsert EventKind = iota + 1
	EventUpdate
	EventDelete
)

func (k EventKind) String() string {
	switch k {
	case EventInsert:
		return "insert"
	case EventUpdate:
		return "update"
	case EventDelete:
		return "delete"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// rowEvent is one change, untyped; Watch turns it into an Event[T].
type rowEvent struct {
	kind     EventKind
	table    string
	old, new Model
}

func newCache(schema *Schema, keys []KeyIndex) *cache {
	l := layout{tables: map[string]int{}, index: map[string][]indexSlot{}, keys: map[string][]keySlot{}, byKey: map[KeyIndex]int{}}
	nIdx := 0
	for _, k := range keys {
		if _, ok := l.byKey[k]; !ok {
			l.byKey[k] = len(l.byKey)
			l.keys[k.Table] = append(l.keys[k.Table], keySlot{k, l.byKey[k]})
		}
	}
	for _, t := range schema.model.tables {
		l.tables[t] = len(l.names)
		l.names = append(l.names, t)
		for _, col := range schema.uniqueColumns(t) {
			l.index[t] = append(l.index[t], indexSlot{col, nIdx})
			nIdx++
		}
	}
	c := &cache{schema: schema, seed: maphash.MakeSeed(), changed: make(chan struct{}), layout: l}
	c.cur = &snapshot{c: c, tables: make([]pmap[Model], len(l.names)), index: make([]pmap[string], nIdx),
		byKey: make([]pmap[[]string], len(l.byKey))}
	return c
}

// table returns the rows of a table (none for a table the models do not
// know).
func (s *snapshot) table(name string) pmap[Model] {
	if i, ok := s.c.layout.tables[name]; ok {
		return s.tables[i]
	}
	return pmap[Model]{}
}

func (c *cache) hash(s string) uint64 { return maphash.String(c.seed, s) }

// readable reports whether the cache holds the table.
// mons returns the cache's monitors (nil: everything).
func (c *cache) mons() map[string]*Monitor {
	c.monMu.RLock()
	defer c.monMu.RUnlock()
	return c.monitors
}

// setMonitors replaces the cache's monitors (SetWhere); gen, when not
// zero, is the generation of the conditions whose rows it now holds.
func (c *cache) setMonitors(m map[string]*Monitor, gen uint64) {
	c.monMu.Lock()
	defer c.monMu.Unlock()
	c.monitors = m
	if gen != 0 {
		c.condGen = gen
	}
}

// generation is the generation of the conditions whose rows the cache
// holds.
func (c *cache) generation() uint64 {
	c.monMu.RLock()
	defer c.monMu.RUnlock()
	return c.condGen
}

func (c *cache) readable(table string) error {
	monitors := c.mons()
	if monitors == nil {
		return nil
	}
	if _, ok := monitors[table]; !ok {
		return fmt.Errorf("table %s: %w", table, ErrNotMonitored)
	}
	return nil
}

// readableColumns reports whether the cache holds the table and columns.
func (c *cache) readableColumns(table string, columns ...string) error {
	monitors := c.mons()
	if err := c.readable(table); err != nil || monitors == nil {
		return err
	}
	m := monitors[table]
	if m.Columns == nil {
		return nil
	}
	for _, col := range columns {
		if col != "_uuid" && !slices.Contains(m.Columns, col) {
			return fmt.Errorf("column %s.%s: %w", table, col, ErrNotMonitored)
		}
	}
	return nil
}

// applyRefsDiff applies an update2 diff to a set of references, decoding
// it once. When every element of the diff is a row the previous snapshot
// old does not have (an insert and the set that takes it, as add-port and
// lsp-add make), it appends them without searching the set: the server's
// references are to rows that exist, so such a row cannot be in the set.
// Otherwise it toggles each element. With a table the cache holds only
// part of (monitor conditions) it cannot tell, and leaves the diff to the
// row's decoder, as it does other columns. It reports whether it applied
// the diff (the error is the row's).
func (c *cache) applyRefsDiff(old *snapshot, table, col string, raw []byte, row Model) (bool, error) {
	ref := c.schema.kinds[table][col].setRef
	if ref == "" || c.filtered(ref) {
		return false, nil
	}
	i, ok := c.layout.tables[ref]
	if !ok {
		return false, nil
	}
	refs := old.tables[i]
	elems, err := codec.SetElements(raw)
	if err != nil {
		return false, nil // the decoder reports it
	}
	vals := make([]string, len(elems))
	fresh := true
	for i, e := range elems {
		u, err := codec.DecUUID[string](e)
		if err != nil {
			return false, nil
		}
		if _, found := refs.get(c.hash(u), u); found {
			fresh = false
		}
		vals[i] = u
	}
	cur, _ := row.OVSDBColumn(col)
	set, ok := cur.([]string)
	if !ok {
		return false, nil
	}
	if !fresh {
		return true, row.OVSDBSetColumn(col, codec.ToggleSet(set, vals))
	}
	return true, row.OVSDBSetColumn(col, codec.AppendSet(set, vals))
}

// filtered reports whether the cache holds only some rows of the table
// (the monitor has conditions).
func (c *cache) filtered(table string) bool {
	monitors := c.mons()
	if monitors == nil {
		return false
	}
	m := monitors[table]
	return m == nil || len(m.Where) > 0
}

// adopt makes the empty cache c start from old's contents, as a monitor
// resumed with monitor_cond_since continues them: the same rows (shared,
// they are immutable) and the same hash seed.
func (c *cache) adopt(old *cache) {
	old.mu.Lock()
	o := old.cur
	old.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seed = old.seed
	// Both caches have the client's schema and key indexes: one layout.
	c.cur = &snapshot{c: c, seq: o.seq, tables: slices.Clone(o.tables), index: slices.Clone(o.index), byKey: slices.Clone(o.byKey)}
}

// setTxn records the id of the last transaction the cache reflects
// (monitor_cond_since and update3).
func (c *cache) setTxn(id string) {
	c.mu.Lock()
	c.txn = id
	c.mu.Unlock()
}

// txnID is the id of the last transaction the cache reflects ("" if the
// server does not say).
func (c *cache) txnID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.txn
}

// apply applies a table-updates2 object ("initial", "insert", "modify",
// "delete" per row) as one new snapshot and returns the resulting events.
// On error the cache is left as it was.
func (c *cache) apply(raw json.RawMessage) ([]rowEvent, error) {
	return c.applyRows(true, func(row func(table, uuid string, upd []byte) error) error {
		return eachMember(raw, func(table string, rows []byte) error {
			return eachMember(rows, func(uuid string, upd []byte) error { return row(table, uuid, upd) })
		})
	})
}

// applyRows is apply for updates that rows gives one row at a time (the
// row's table, UUID and update2 object, which may be reused once row
// returns): from a message held whole, or from one being read (a monitor
// reply, streamed). events: return the row events (an initial download
// has no use for them).
func (c *cache) applyRows(events bool, rows func(row func(table, uuid string, upd []byte) error) error) ([]rowEvent, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.cur
	l := &c.layout
	by := &owner{}
	// The editors of the slots this update changes, made on first use.
	var (
		tables  []*editor[Model]
		indexes []*editor[string]
		keyEds  []*editor[[]string]
	)
	var evs []rowEvent
	if events {
		evs = make([]rowEvent, 0, 4) // a few rows, as one command changes
	}
	// table -> uuid -> kind -> column -> value, decoded in one pass.
	err := rows(func(table, uuid string, upd []byte) error {
		ti, ok := l.tables[table]
		if !ok {
			return nil // a table the models do not know
		}
		if tables == nil {
			tables = make([]*editor[Model], len(old.tables))
		}
		ed := tables[ti]
		if ed == nil {
			ed = old.tables[ti].edit(by)
			tables[ti] = ed
		}
		return eachMember(upd, func(kind string, cols []byte) error {
			h := c.hash(uuid)
			prev, _ := ed.m.get(h, uuid)
			var nr Model
			var ev EventKind
			switch kind {
			case "initial", "insert":
				nr = c.schema.model.newRow(table)
				nr.OVSDBSetUUID(uuid)
				ev = EventInsert
			case "modify":
				if prev == nil {
					return fmt.Errorf("update2 modifies unknown row %s of %s", uuid, table)
				}
				// Decoders replace fields with new values and never
				// edit one in place, so the copy may share them.
				nr = prev.OVSDBShallow()
				ev = EventUpdate
			case "delete":
				ev = EventDelete
			default:
				return fmt.Errorf("update2: unknown kind %q", kind)
			}
			if nr != nil {
				modify := kind == "modify"
				if err := eachMember(cols, func(col string, v []byte) error {
					if modify {
						if done, err := c.applyRefsDiff(old, table, col, v, nr); done {
							return err
						}
					}
					if err := nr.OVSDBDecodeColumn(col, v, modify); err != nil {
						return fmt.Errorf("%s row %s column %s: %w", table, uuid, col, err)
					}
					return nil
				}); err != nil {
					return err
				}
				ed.set(h, uuid, nr)
			} else {
				ed.delete(h, uuid)
			}
			for _, ix := range l.index[table] {
				if indexes == nil {
					indexes = make([]*editor[string], len(old.index))
				}
				if indexes[ix.slot] == nil {
					indexes[ix.slot] = old.index[ix.slot].edit(by)
				}
				c.reindex(indexes[ix.slot], ix.column, uuid, prev, nr)
			}
			for _, k := range l.keys[table] {
				if keyEds == nil {
					keyEds = make([]*editor[[]string], len(old.byKey))
				}
				if keyEds[k.slot] == nil {
					keyEds[k.slot] = old.byKey[k.slot].edit(by)
				}
				c.rekey(keyEds[k.slot], k.key, uuid, prev, nr)
			}
			if events {
				evs = append(evs, rowEvent{kind: ev, table: table, old: prev, new: nr})
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("decode update2: %w", err)
	}
	c.cur = &snapshot{c: c, seq: old.seq + 1, tables: withEdits(old.tables, tables), index: withEdits(old.index, indexes),
		byKey: withEdits(old.byKey, keyEds)}
	close(c.changed)
	c.changed = make(chan struct{})
	return evs, nil
}

// withEdits returns the slots with the edited ones replaced by their
// editors' maps: the same slice when none was edited.
func withEdits[V any](slots []pmap[V], eds []*editor[V]) []pmap[V] {
	if eds == nil {
		return slots
	}
	out := slices.Clone(slots)
	for i, ed := range eds {
		if ed != nil {
			out[i] = ed.done()
		}
	}
	return out
}

// reindex moves the row's entry in the index of col from its old value
// to its new one.
func (c *cache) reindex(ed *editor[string], col, uuid string, old, nr Model) {
	if old != nil && nr != nil {
		ov, _ := old.OVSDBColumn(col)
		nv, _ := nr.OVSDBColumn(col)
		if ov == nv {
			return // the indexed value did not change
		}
	}
	if old != nil {
		v, _ := old.OVSDBColumn(col)
		s, _ := v.(string)
		h := c.hash(s)
		if u, _ := ed.m.get(h, s); u == uuid {
			ed.delete(h, s)
		}
	}
	if nr != nil {
		v, _ := nr.OVSDBColumn(col)
		s, _ := v.(string)
		ed.set(c.hash(s), s, uuid)
	}
}

// indexValues appends to out the values under which the index k files
// row: a map column's key's value (KeyIndex); for a column index (Key "",
// a column that is not a map) the column's value, each element of a set,
// an optional's value when it has one.
func indexValues(row Model, k KeyIndex, out []string) []string {
	if row == nil {
		return out
	}
	v, _ := row.OVSDBColumn(k.Column)
	if m, ok := v.(map[string]string); ok {
		if val, ok := m[k.Key]; ok {
			out = append(out, val)
		}
		return out
	}
	return columnValues(v, out)
}

// columnValues appends a column's value to out as index values (see
// indexValues): strings, integers, booleans and reals as text.
func columnValues(v any, out []string) []string {
	switch x := v.(type) { // the common types, without reflection
	case string:
		return append(out, x)
	case *string:
		if x != nil {
			out = append(out, *x)
		}
		return out
	case []string:
		return append(out, x...)
	case int:
		return append(out, strconv.Itoa(x))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return out
		}
		if s, ok := atomText(rv.Elem()); ok {
			out = append(out, s)
		}
	case reflect.Slice:
		for i := range rv.Len() {
			if s, ok := atomText(rv.Index(i)); ok {
				out = append(out, s)
			}
		}
	default:
		if s, ok := atomText(rv); ok {
			out = append(out, s)
		}
	}
	return out
}

// atomText is an atom's value as index text.
func atomText(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		return v.String(), true
	case reflect.Int, reflect.Int64, reflect.Int32:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64), true
	}
	return "", false
}

// rekey moves the row from the lists of its old values to those of its
// new ones.
func (c *cache) rekey(ed *editor[[]string], k KeyIndex, uuid string, old, nr Model) {
	var ob, nb [2]string
	ov := indexValues(old, k, ob[:0])
	nv := indexValues(nr, k, nb[:0])
	if slices.Equal(ov, nv) {
		return
	}
	for _, v := range ov {
		if slices.Contains(nv, v) {
			continue
		}
		h := c.hash(v)
		list, _ := ed.m.get(h, v)
		if i, ok := slices.BinarySearch(list, uuid); ok {
			list = slices.Delete(slices.Clone(list), i, i+1)
			if len(list) == 0 {
				ed.delete(h, v)
			} else {
				ed.set(h, v, list)
			}
		}
	}
	for _, v := range nv {
		h := c.hash(v)
		list, _ := ed.m.get(h, v)
		if i, ok := slices.BinarySearch(list, uuid); !ok {
			ed.set(h, v, slices.Insert(slices.Clone(list), i, uuid))
		}
	}
}

// findByKey returns the rows whose map column has the key with the value,
// and whether an index answered (else the caller scans).
func (s *snapshot) findByKey(k KeyIndex, value string) ([]Model, bool) {
	slot, ok := s.c.layout.byKey[k]
	if !ok {
		return nil, false
	}
	uuids, _ := s.byKey[slot].get(s.c.hash(value), value)
	out := make([]Model, 0, len(uuids))
	for _, u := range uuids {
		if r := s.get(k.Table, u); r != nil {
			out = append(out, r)
		}
	}
	return out, true
}

// snapshot returns the current version of the database.
func (c *cache) snapshot() *snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// state returns the current snapshot and the channel closed at the next
// update.
func (c *cache) state() (*snapshot, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur, c.changed
}

// get returns a row by UUID, or nil. The row is shared: never modify it.
func (s *snapshot) get(table, uuid string) Model {
	r, _ := s.table(table).get(s.c.hash(uuid), uuid)
	return r
}

// lookup finds the row whose indexed column has the value. indexed is false
// when the column has no index (the caller must scan).
func (s *snapshot) lookup(table, column, value string) (m Model, indexed bool) {
	for _, ix := range s.c.layout.index[table] {
		if ix.column != column {
			continue
		}
		if u, ok := s.index[ix.slot].get(s.c.hash(value), value); ok {
			return s.get(table, u), true
		}
		return nil, true
	}
	return nil, false
}

// rows returns the rows of a table, sorted by UUID for stable output.
func (s *snapshot) rows(table string) []Model {
	t := s.table(table)
	out := make([]Model, 0, t.len())
	t.all(func(_ string, r Model) bool { out = append(out, r); return true })
	slices.SortFunc(out, func(a, b Model) int { return strings.Compare(a.OVSDBUUID(), b.OVSDBUUID()) })
	return out
}

// diff returns the events that turn the old snapshot's rows into this
// one's (used after a reconnect, so watchers miss nothing).
func (s *snapshot) diff(old *snapshot) []rowEvent {
	if old == nil {
		return nil
	}
	var events []rowEvent
	for i, rows := range s.tables {
		table, orows := s.c.layout.names[i], old.tables[i]
		rows.all(func(u string, r Model) bool {
			o, ok := orows.get(old.c.hash(u), u)
			switch {
			case !ok:
				events = append(events, rowEvent{kind: EventInsert, table: table, new: r})
			case !rowsEqual(o, r):
				events = append(events, rowEvent{kind: EventUpdate, table: table, old: o, new: r})
			}
			return true
		})
		orows.all(func(u string, o Model) bool {
			if _, ok := rows.get(s.c.hash(u), u); !ok {
				events = append(events, rowEvent{kind: EventDelete, table: table, old: o})
			}
			return true
		})
	}
	return events
}
