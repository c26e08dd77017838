package ovsdb

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// cache is the client's replica of the database, fed by one monitor. Rows
// are immutable once stored: an update stores a modified copy, so a row
// handed to a reader never changes under it.
type cache struct {
	mu     sync.RWMutex
	tables map[string]map[string]Model
	// index maps table → indexed column → value → row UUID, for the
	// schema's single-column string indexes (Bridge, Port and Interface
	// names, Manager targets).
	index map[string]map[string]map[string]string
	seq   uint64
	// changed is closed, and replaced, whenever an update is applied.
	changed chan struct{}
}

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

func newCache(schema *Schema) *cache {
	c := &cache{
		tables:  make(map[string]map[string]Model),
		index:   make(map[string]map[string]map[string]string),
		changed: make(chan struct{}),
	}
	for _, t := range tableNames() {
		c.tables[t] = make(map[string]Model)
		for _, col := range schema.uniqueColumns(t) {
			if c.index[t] == nil {
				c.index[t] = make(map[string]map[string]string)
			}
			c.index[t][col] = make(map[string]string)
		}
	}
	return c
}

// apply applies a table-updates2 object ("initial", "insert", "modify",
// "delete" per row) and returns the resulting events.
func (c *cache) apply(raw json.RawMessage) ([]rowEvent, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var events []rowEvent
	// table -> uuid -> kind -> column -> value, decoded in one pass.
	err := eachMember(raw, func(table string, rows []byte) error {
		trows, ok := c.tables[table]
		if !ok {
			return nil // a table the models do not know
		}
		return eachMember(rows, func(uuid string, upd []byte) error {
			return eachMember(upd, func(kind string, cols []byte) error {
				old := trows[uuid]
				var nr Model
				var ev EventKind
				switch kind {
				case "initial", "insert":
					nr = newModel(table)
					nr.setUUID(uuid)
					ev = EventInsert
				case "modify":
					if old == nil {
						return fmt.Errorf("update2 modifies unknown row %s of %s", uuid, table)
					}
					nr = old.clone()
					ev = EventUpdate
				case "delete":
					ev = EventDelete
				default:
					return fmt.Errorf("update2: unknown kind %q", kind)
				}
				if nr != nil {
					modify := kind == "modify"
					if err := eachMember(cols, func(col string, v []byte) error {
						if err := nr.decodeColumn(col, v, modify); err != nil {
							return fmt.Errorf("%s row %s column %s: %w", table, uuid, col, err)
						}
						return nil
					}); err != nil {
						return err
					}
					trows[uuid] = nr
				} else {
					delete(trows, uuid)
				}
				c.reindex(table, uuid, old, nr)
				events = append(events, rowEvent{kind: ev, table: table, old: old, new: nr})
				return nil
			})
		})
	})
	if err != nil {
		return events, fmt.Errorf("decode update2: %w", err)
	}
	c.seq++
	close(c.changed)
	c.changed = make(chan struct{})
	return events, nil
}

func (c *cache) reindex(table, uuid string, old, nr Model) {
	for col, idx := range c.index[table] {
		if old != nil {
			v, _ := old.column(col)
			if s, _ := v.(string); idx[s] == uuid {
				delete(idx, s)
			}
		}
		if nr != nil {
			v, _ := nr.column(col)
			s, _ := v.(string)
			idx[s] = uuid
		}
	}
}

// get returns a row by UUID, or nil.
func (c *cache) get(table, uuid string) Model {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tables[table][uuid]
}

// lookup finds the row whose indexed column has the value. indexed is false
// when the column has no index (the caller must scan).
func (c *cache) lookup(table, column, value string) (m Model, indexed bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	idx, ok := c.index[table][column]
	if !ok {
		return nil, false
	}
	if u, ok := idx[value]; ok {
		return c.tables[table][u], true
	}
	return nil, true
}

// rows returns the rows of a table, sorted by UUID for stable output.
func (c *cache) rows(table string) []Model {
	c.mu.RLock()
	out := make([]Model, 0, len(c.tables[table]))
	for _, r := range c.tables[table] {
		out = append(out, r)
	}
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].uuid() < out[j].uuid() })
	return out
}

// state returns the update counter and the channel closed at the next update.
func (c *cache) state() (uint64, <-chan struct{}) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.seq, c.changed
}

// root returns the Open_vSwitch row, or nil before `init`.
func (c *cache) root() *OpenVSwitch {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, r := range c.tables[TableOpenVSwitch] {
		return r.(*OpenVSwitch)
	}
	return nil
}

// diff returns the events that turn the old cache's rows into this one's
// (used after a reconnect, so watchers miss nothing).
func (c *cache) diff(old *cache) []rowEvent {
	var events []rowEvent
	if old == nil {
		return nil
	}
	old.mu.RLock()
	defer old.mu.RUnlock()
	c.mu.RLock()
	defer c.mu.RUnlock()
	for table, rows := range c.tables {
		orows := old.tables[table]
		for u, r := range rows {
			o, ok := orows[u]
			switch {
			case !ok:
				events = append(events, rowEvent{kind: EventInsert, table: table, new: r})
			case !rowsEqual(o, r):
				events = append(events, rowEvent{kind: EventUpdate, table: table, old: o, new: r})
			}
		}
		for u, o := range orows {
			if _, ok := rows[u]; !ok {
				events = append(events, rowEvent{kind: EventDelete, table: table, old: o})
			}
		}
	}
	return events
}
