package vsctl

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Symbols is a transaction's table of "@name" row ids (ovs-vsctl's --id):
// each maps to the named UUID of a row the transaction inserts, or to the
// real UUID of an existing row ("get --id=@name").
type Symbols struct {
	byName map[string]*Symbol
	used   map[string]bool
}

// Symbol is one "@name".
type Symbol struct {
	Name    string // with the "@"
	UUID    string // a row name of the transaction, or a real UUID
	Created bool   // defined by --id on create or get
	// Strong and Weak: a value of a strong (or weak) reference column
	// names it; a row created with nothing strong naming it is dropped by
	// the server.
	Strong, Weak bool
}

type symbolsKey struct{}

// SymbolsOf returns the symbol table of tx (one per transaction run).
func SymbolsOf(tx *ovsdb.Tx) *Symbols {
	return tx.Local(symbolsKey{}, func() any {
		return &Symbols{byName: map[string]*Symbol{}, used: map[string]bool{}}
	}).(*Symbols)
}

func (s *Symbols) get(name string) *Symbol {
	if sym := s.byName[name]; sym != nil {
		return sym
	}
	// "@name" becomes row name "name" when that is an RFC 7047 id, so that
	// Result.UUID("name") finds it; otherwise letters and digits are kept
	// and the result made unique.
	if n := name[1:]; ovsdb.IsRowName(n) && !s.used[n] {
		s.used[n] = true
		sym := &Symbol{Name: name, UUID: n}
		s.byName[name] = sym
		return sym
	}
	var b strings.Builder
	b.WriteString("id_")
	for _, r := range name[1:] {
		if r < 128 && (r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	u := b.String()
	for i := 2; s.used[u]; i++ {
		u = b.String() + "_" + strconv.Itoa(i)
	}
	s.used[u] = true
	sym := &Symbol{Name: name, UUID: u}
	s.byName[name] = sym
	return sym
}

// Reference returns the UUID (or row name) that "@name" stands for,
// creating the symbol if it is new, as a value of a column whose
// references are of refType ("weak", else strong).
func (s *Symbols) Reference(name, refType string) string {
	sym := s.get(name)
	if refType == "weak" {
		sym.Weak = true
	} else {
		sym.Strong = true
	}
	return sym.UUID
}

// Unreferenced are ovs-vsctl's warnings for the rows created with
// --id=@name that nothing strong refers to (the server drops them), by
// name.
func (s *Symbols) Unreferenced() []string {
	var out []string
	for _, n := range slices.Sorted(maps.Keys(s.byName)) {
		switch sym := s.byName[n]; {
		case !sym.Created || sym.Strong:
		case sym.Weak:
			out = append(out, fmt.Sprintf("row id %q was created but only a weak reference to it was inserted, so it will not actually appear in the database", n))
		default:
			out = append(out, fmt.Sprintf("row id %q was created but no reference to it was inserted, so it will not actually appear in the database", n))
		}
	}
	return out
}

// Define marks "@name" as created by --id and returns its symbol. Each
// name may be defined once.
func (s *Symbols) Define(name string) (*Symbol, error) {
	if !strings.HasPrefix(name, "@") {
		return nil, fmt.Errorf("row id %q does not begin with \"@\": %w", name, ovsdb.ErrInvalid)
	}
	sym := s.get(name)
	if sym.Created {
		return nil, fmt.Errorf("row id %q may only be specified on one --id option: %w", name, ovsdb.ErrInvalid)
	}
	sym.Created = true
	return sym, nil
}

// Lookup returns the symbol of name, or nil.
func (s *Symbols) Lookup(name string) *Symbol { return s.byName[name] }

// Check fails when a symbol was referenced but never created.
func (s *Symbols) Check() error {
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !s.byName[n].Created {
			return fmt.Errorf("row id %q is referenced but never created (e.g. with \"-- --id=%s create ...\"): %w", n, n, ovsdb.ErrInvalid)
		}
	}
	return nil
}

// rowID is a way a tool names records of a table: by a column of the
// table itself (refColumn empty), or by a name column of another table
// whose refColumn points at the record. The name is the column's value,
// or with key, the value of that key of a map column.
type rowID struct {
	table, nameColumn, key, refColumn string
}

// rowIDs are, by database, how its tool (ovs-vsctl, ovn-nbctl) names
// the records of each table, tried in order.
var rowIDs = map[string]map[string][]rowID{
	vswitchdb.SchemaName: {
		vswitchdb.TableBridge:                 {{vswitchdb.TableBridge, "name", "", ""}},
		vswitchdb.TableController:             {{vswitchdb.TableBridge, "name", "", "controller"}},
		vswitchdb.TableInterface:              {{vswitchdb.TableInterface, "name", "", ""}},
		vswitchdb.TableMirror:                 {{vswitchdb.TableMirror, "name", "", ""}},
		vswitchdb.TableManager:                {{vswitchdb.TableManager, "target", "", ""}},
		vswitchdb.TableNetFlow:                {{vswitchdb.TableBridge, "name", "", "netflow"}},
		vswitchdb.TablePort:                   {{vswitchdb.TablePort, "name", "", ""}},
		vswitchdb.TableQoS:                    {{vswitchdb.TablePort, "name", "", "qos"}},
		vswitchdb.TableSFlow:                  {{vswitchdb.TableBridge, "name", "", "sflow"}},
		vswitchdb.TableFlowTable:              {{vswitchdb.TableFlowTable, "name", "", ""}},
		vswitchdb.TableIPFIX:                  {{vswitchdb.TableBridge, "name", "", "ipfix"}},
		vswitchdb.TableAutoAttach:             {{vswitchdb.TableBridge, "name", "", "auto_attach"}},
		vswitchdb.TableFlowSampleCollectorSet: {{vswitchdb.TableFlowSampleCollectorSet, "id", "", ""}},
	},
	nbdb.SchemaName: {
		nbdb.TableDHCPOptions: {
			{nbdb.TableLogicalSwitchPort, "name", "", "dhcpv4_options"},
			{nbdb.TableLogicalSwitchPort, "external_ids", "neutron:port_name", "dhcpv4_options"},
			{nbdb.TableLogicalSwitchPort, "name", "", "dhcpv6_options"},
			{nbdb.TableLogicalSwitchPort, "external_ids", "neutron:port_name", "dhcpv6_options"},
		},
		nbdb.TableLogicalSwitch: {
			{nbdb.TableLogicalSwitch, "name", "", ""},
			{nbdb.TableLogicalSwitch, "external_ids", "neutron:network_name", ""},
		},
		nbdb.TableLogicalSwitchPort: {
			{nbdb.TableLogicalSwitchPort, "name", "", ""},
			{nbdb.TableLogicalSwitchPort, "external_ids", "neutron:port_name", ""},
		},
		nbdb.TableLogicalRouter: {
			{nbdb.TableLogicalRouter, "name", "", ""},
			{nbdb.TableLogicalRouter, "external_ids", "neutron:router_name", ""},
		},
		nbdb.TableLogicalRouterPort:       {{nbdb.TableLogicalRouterPort, "name", "", ""}},
		nbdb.TableAddressSet:              {{nbdb.TableAddressSet, "name", "", ""}},
		nbdb.TablePortGroup:               {{nbdb.TablePortGroup, "name", "", ""}},
		nbdb.TableACL:                     {{nbdb.TableACL, "name", "", ""}},
		nbdb.TableHAChassis:               {{nbdb.TableHAChassis, "chassis_name", "", ""}},
		nbdb.TableHAChassisGroup:          {{nbdb.TableHAChassisGroup, "name", "", ""}},
		nbdb.TableLoadBalancer:            {{nbdb.TableLoadBalancer, "name", "", ""}},
		nbdb.TableLoadBalancerGroup:       {{nbdb.TableLoadBalancerGroup, "name", "", ""}},
		nbdb.TableLoadBalancerHealthCheck: {{nbdb.TableLoadBalancerHealthCheck, "vip", "", ""}},
		nbdb.TableForwardingGroup:         {{nbdb.TableForwardingGroup, "name", "", ""}},
		nbdb.TableMeter:                   {{nbdb.TableMeter, "name", "", ""}},
		nbdb.TableNAT:                     {{nbdb.TableNAT, "external_ip", "", ""}},
		nbdb.TableChassisTemplateVar:      {{nbdb.TableChassisTemplateVar, "chassis", "", ""}},
		nbdb.TableConnection:              {{nbdb.TableConnection, "target", "", ""}},
	},
}

// GetRecord finds the record of table that id names, as ovs-vsctl does:
// a UUID, "." for the only row of the table, a name (a bridge, port or
// interface name, a manager target, ...) or a UUID prefix of at least 4
// hex digits. With mustExist false a missing record is (nil, nil).
func GetRecord(tx *ovsdb.Tx, table, id string, mustExist bool) (ovsdb.Model, error) {
	if ovsdb.IsUUID(id) {
		if r, err := tx.Row(table, strings.ToLower(id)); err == nil {
			return r, nil
		}
	}
	if sym := SymbolsOf(tx).Lookup(id); sym != nil && strings.HasPrefix(id, "@") {
		if r, err := tx.Row(table, sym.UUID); err == nil {
			return r, nil
		}
	}
	if id == "." {
		rows, err := tx.Rows(table)
		if err != nil {
			return nil, err
		}
		if len(rows) == 1 {
			return rows[0], nil
		}
	}
	for _, rid := range rowIDs[tx.Schema().Name()][table] {
		if _, err := LookupColumn(tx.Schema(), rid.table, rid.nameColumn); err != nil {
			continue // a column the server's schema lacks
		}
		r, err := byRowID(tx, table, rid, id)
		if err != nil || r != nil {
			return r, err
		}
	}
	if isHexPrefix(id) {
		rows, err := tx.Rows(table)
		if err != nil {
			return nil, err
		}
		var found ovsdb.Model
		for _, r := range rows {
			if strings.HasPrefix(ovsdb.UUIDOf(r), strings.ToLower(id)) {
				if found != nil {
					return nil, fmt.Errorf("%s contains 2 or more rows whose UUIDs begin with %s: at least %s and %s: %w",
						table, id, ovsdb.UUIDOf(found), ovsdb.UUIDOf(r), ovsdb.ErrInvalid)
				}
				found = r
			}
		}
		if found != nil {
			return found, nil
		}
	}
	if mustExist {
		return nil, fmt.Errorf("no row %q in table %s: %w", id, table, ovsdb.ErrNotFound)
	}
	if ovsdb.IsUUID(id) {
		// Absent by UUID: the commit verifies it still is.
		return nil, tx.VerifyNone(table, "_uuid", strings.ToLower(id))
	}
	return nil, nil
}

func isHexPrefix(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F':
			digits++
		case c == '-' && (i == 8 || i == 13 || i == 18 || i == 23):
		default:
			return false
		}
	}
	return digits >= 4
}

func byRowID(tx *ovsdb.Tx, table string, rid rowID, id string) (ovsdb.Model, error) {
	col, err := LookupColumn(tx.Schema(), rid.table, rid.nameColumn)
	if err != nil {
		return nil, err
	}
	var want any = id
	if col.Key.Type == "integer" {
		if id == "" || strings.Trim(id, "0123456789") != "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, nil
		}
		want = n
	}
	rows, err := tx.Rows(rid.table)
	if err != nil {
		return nil, err
	}
	var referrer ovsdb.Model
	for _, r := range rows {
		d, err := col.Get(r)
		if err != nil {
			return nil, err
		}
		if rid.key != "" {
			// The value of a key of a map column.
			i := slices.IndexFunc(d.Keys, func(k any) bool { return compareAtoms(k, rid.key) == 0 })
			if i < 0 || i >= len(d.Values) || compareAtoms(d.Values[i], want) != 0 {
				continue
			}
		} else if d.Len() != 1 || compareAtoms(d.Keys[0], want) != 0 {
			continue
		}
		if referrer != nil {
			return nil, fmt.Errorf("multiple rows in %s match %q: %w", rid.table, id, ovsdb.ErrInvalid)
		}
		referrer = r
	}
	if referrer == nil {
		if rid.key != "" {
			return nil, nil
		}
		// The record is absent: the commit verifies it still is, so
		// that a row another client has just made is not taken for
		// none.
		return nil, tx.VerifyNone(rid.table, rid.nameColumn, want)
	}
	if rid.refColumn == "" {
		return referrer, nil
	}
	if err := tx.Verify(referrer, rid.refColumn); err != nil {
		return nil, err
	}
	ref, err := ovsdb.Column(referrer, rid.refColumn)
	if err != nil {
		return nil, err
	}
	d := ToDatum(ref)
	if d.Len() != 1 {
		return nil, nil
	}
	r, err := tx.Row(table, d.Keys[0].(string))
	if err != nil {
		return nil, nil
	}
	return r, nil
}
