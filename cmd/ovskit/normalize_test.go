package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// dbDump is a database with UUIDs replaced by stable labels, so that two
// databases built by the same commands compare equal.
type dbDump struct {
	tables map[string][]string // table → sorted normalized rows
	labels map[string]string   // uuid → label
}

// ignored columns differ by design (none today: with --no-wait neither tool
// bumps next_cfg, and without it both bump it once per transaction).
var ignored = map[string]bool{}

// vswitchdColumns are written by ovs-vswitchd as it runs (status, counters,
// kernel and datapath facts): two instances differ in them by nature, so
// scenarios with ovs-vswitchd compare the rest.
var vswitchdColumns = map[string]bool{
	"Interface.ofport": true, "Interface.mac_in_use": true, "Interface.ifindex": true, "Interface.admin_state": true,
	"Interface.link_state": true, "Interface.link_speed": true, "Interface.duplex": true, "Interface.mtu": true,
	"Interface.statistics": true, "Interface.status": true, "Interface.lacp_current": true, "Interface.link_resets": true,
	"Interface.bfd_status": true, "Interface.cfm_fault": true, "Interface.cfm_fault_status": true, "Interface.cfm_health": true,
	"Interface.cfm_remote_mpids": true, "Interface.cfm_remote_opstate": true, "Interface.cfm_flap_count": true,
	"Bridge.datapath_id": true, "Bridge.datapath_version": true, "Bridge.status": true, "Bridge.rstp_status": true,
	"Port.statistics": true, "Port.status": true, "Port.rstp_status": true, "Port.rstp_statistics": true,
	"Open_vSwitch.datapath_types": true, "Open_vSwitch.iface_types": true, "Open_vSwitch.ovs_version": true,
	"Open_vSwitch.db_version": true, "Open_vSwitch.system_type": true, "Open_vSwitch.system_version": true,
	"Open_vSwitch.dpdk_initialized": true, "Open_vSwitch.dpdk_version": true, "Open_vSwitch.statistics": true,
	"Open_vSwitch.datapaths": true, "Datapath.capabilities": true, "Datapath.datapath_version": true,
}

// selectAll returns every row of every table of database db at endpoint
// (unix:PATH or tcp:HOST:PORT), by table, as the server encodes them.
func selectAll(endpoint, db string) (map[string][]map[string]any, error) {
	network, addr, ok := strings.Cut(endpoint, ":")
	if !ok || (network != "unix" && network != "tcp") {
		return nil, fmt.Errorf("dump: endpoint %q: want unix:PATH or tcp:HOST:PORT", endpoint)
	}
	conn, err := net.DialTimeout(network, addr, 10*time.Second)
	if err != nil {
		return nil, fmt.Errorf("dump: %w", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return nil, err
	}
	enc, dec := json.NewEncoder(conn), json.NewDecoder(conn)
	call := func(id int, method string, params []any, result any) error {
		if err := enc.Encode(map[string]any{"id": id, "method": method, "params": params}); err != nil {
			return fmt.Errorf("dump: %s: %w", method, err)
		}
		for {
			var msg struct {
				ID     *int            `json:"id"`
				Method string          `json:"method"`
				Result json.RawMessage `json:"result"`
				Error  any             `json:"error"`
			}
			if err := dec.Decode(&msg); err != nil {
				return fmt.Errorf("dump: %s: %w", method, err)
			}
			if msg.Method == "echo" {
				continue
			}
			if msg.ID == nil || *msg.ID != id {
				continue
			}
			if msg.Error != nil {
				return fmt.Errorf("dump: %s: %v", method, msg.Error)
			}
			return json.Unmarshal(msg.Result, result)
		}
	}
	var schema struct {
		Tables map[string]json.RawMessage `json:"tables"`
	}
	if err := call(0, "get_schema", []any{db}, &schema); err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(schema.Tables))
	params := []any{db}
	for _, tn := range names {
		params = append(params, map[string]any{"op": "select", "table": tn, "where": []any{}})
	}
	var results []struct {
		Rows  []map[string]any `json:"rows"`
		Error string           `json:"error"`
	}
	if err := call(1, "transact", params, &results); err != nil {
		return nil, err
	}
	if len(results) != len(names) {
		return nil, fmt.Errorf("dump: %d results for %d tables", len(results), len(names))
	}
	out := map[string][]map[string]any{}
	for i, r := range results {
		if r.Error != "" {
			return nil, fmt.Errorf("dump: select %s: %s", names[i], r.Error)
		}
		out[names[i]] = r.Rows
	}
	return out, nil
}

type rawRow struct {
	table string
	uuid  string
	cols  map[string]any
}

func dump(endpoint string, vswitchd bool) (*dbDump, error) {
	return dumpDB(endpoint, "Open_vSwitch", vswitchd)
}

// dumpDB dumps database db of the server at endpoint, normalized. It
// reads with plain JSON-RPC (get_schema, then one select of every table),
// independent of ovskit's client, and sees what ovsdb-client dump would,
// without a process per dump.
func dumpDB(endpoint, db string, vswitchd bool) (*dbDump, error) {
	tables, err := selectAll(endpoint, db)
	if err != nil {
		return nil, err
	}
	var rows []*rawRow
	for _, tn := range slices.Sorted(maps.Keys(tables)) {
		for _, data := range tables[tn] {
			r := &rawRow{table: tn, cols: map[string]any{}}
			for h, v := range data {
				if h == "_uuid" {
					r.uuid = v.([]any)[1].(string)
					continue
				}
				if h == "_version" || ignored[tn+"."+h] || vswitchd && vswitchdColumns[tn+"."+h] {
					continue
				}
				r.cols[h] = v
			}
			rows = append(rows, r)
		}
	}
	labels := map[string]string{}
	for _, r := range rows {
		labels[r.uuid] = r.table
	}
	// Refine labels: a row is named by its table, its name if it has one,
	// and a hash of its content with references replaced by the labels of
	// the rows they point to.
	for range 5 {
		next := map[string]string{}
		for _, r := range rows {
			content := render(r.cols, labels)
			if n, ok := r.cols["name"].(string); ok && n != "" {
				next[r.uuid] = r.table + "(" + n + ")"
				continue
			}
			h := sha256.Sum256([]byte(content))
			next[r.uuid] = r.table + "#" + hex.EncodeToString(h[:])[:10]
		}
		labels = next
	}
	d := &dbDump{tables: map[string][]string{}, labels: labels}
	for _, r := range rows {
		d.tables[r.table] = append(d.tables[r.table], labels[r.uuid]+" "+render(r.cols, labels))
	}
	for _, rs := range d.tables {
		sort.Strings(rs)
	}
	return d, nil
}

// render prints columns in name order with references replaced by labels
// and set and map elements sorted.
func render(cols map[string]any, labels map[string]string) string {
	keys := make([]string, 0, len(cols))
	for k := range cols {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s ", k, renderValue(cols[k], labels))
	}
	return b.String()
}

func renderValue(v any, labels map[string]string) string {
	switch x := v.(type) {
	case []any:
		if len(x) == 2 {
			switch x[0] {
			case "uuid":
				if l, ok := labels[x[1].(string)]; ok {
					return "<" + l + ">"
				}
				return "<dangling>"
			case "set":
				var parts []string
				for _, e := range x[1].([]any) {
					parts = append(parts, renderValue(e, labels))
				}
				sort.Strings(parts)
				return "[" + strings.Join(parts, ",") + "]"
			case "map":
				var parts []string
				for _, e := range x[1].([]any) {
					p := e.([]any)
					parts = append(parts, renderValue(p[0], labels)+":"+renderValue(p[1], labels))
				}
				sort.Strings(parts)
				return "{" + strings.Join(parts, ",") + "}"
			}
		}
	case string:
		return fmt.Sprintf("%q", x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (d *dbDump) String() string {
	var b strings.Builder
	tables := make([]string, 0, len(d.tables))
	for t := range d.tables {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		for _, r := range d.tables[t] {
			fmt.Fprintf(&b, "%s: %s\n", t, r)
		}
	}
	return b.String()
}

// diffLines returns the lines only in a and only in b.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// normalizeOutput replaces UUIDs in command output by labels; unordered
// also sorts the lines (output whose row order follows UUIDs).
func normalizeOutput(out string, labels map[string]string, unordered bool) string {
	out = uuidRE.ReplaceAllStringFunc(out, func(u string) string {
		if l, ok := labels[u]; ok {
			return "<" + l + ">"
		}
		return "<uuid>"
	})
	if unordered {
		ls := strings.Split(out, "\n")
		sort.Strings(ls)
		out = strings.Join(ls, "\n")
	}
	return out
}

// splitWords splits a command line like a shell: whitespace separates
// words, single and double quotes group (and are removed).
func splitWords(s string) []string {
	var out []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}
