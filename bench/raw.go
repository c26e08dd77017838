// Package bench holds the benchmarks of ovskit against its references, and
// RawClient, the smallest OVSDB client that can add a port: no cache, no
// verification, one JSON-RPC request per transaction. It is the practical
// floor the benchmarks compare ovskit's full command path with.
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
)

// RawClient sends transactions over one JSON-RPC connection and waits for
// each reply.
type RawClient struct {
	// Database is the database transactions go to ("" for
	// Open_vSwitch).
	Database string

	conn net.Conn
	enc  *json.Encoder
	dec  *json.Decoder
	id   int
}

// DialRaw connects to a unix: or tcp: endpoint.
func DialRaw(ctx context.Context, endpoint string) (*RawClient, error) {
	network, addr, ok := strings.Cut(endpoint, ":")
	if !ok {
		return nil, fmt.Errorf("bad endpoint %q", endpoint)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &RawClient{conn: conn, enc: json.NewEncoder(conn), dec: json.NewDecoder(bufio.NewReader(conn))}, nil
}

// Close closes the connection.
func (c *RawClient) Close() error { return c.conn.Close() }

// Transact sends one transaction and returns its results, failing on the
// first operation error.
func (c *RawClient) Transact(ops ...any) ([]map[string]any, error) {
	c.id++
	db := c.Database
	if db == "" {
		db = "Open_vSwitch"
	}
	if err := c.enc.Encode(map[string]any{"id": c.id, "method": "transact", "params": append([]any{db}, ops...)}); err != nil {
		return nil, err
	}
	for {
		var m struct {
			ID     any              `json:"id"`
			Method string           `json:"method"`
			Result []map[string]any `json:"result"`
			Error  any              `json:"error"`
		}
		if err := c.dec.Decode(&m); err != nil {
			return nil, err
		}
		if m.Method == "echo" {
			if err := c.enc.Encode(map[string]any{"id": m.ID, "result": []any{}, "error": nil}); err != nil {
				return nil, err
			}
			continue
		}
		if m.Error != nil {
			return nil, fmt.Errorf("transact: %v", m.Error)
		}
		for _, r := range m.Result {
			if e, ok := r["error"]; ok {
				return nil, fmt.Errorf("transact: %v: %v", e, r["details"])
			}
		}
		return m.Result, nil
	}
}

// AddPortOps returns the operations of adding port name (with one interface)
// to a bridge, the way a hand-written client does it: two inserts and a
// mutation of the bridge's ports. n makes the named UUIDs unique.
func AddPortOps(bridge, name string, n int) []any {
	iface, port := fmt.Sprintf("i%d", n), fmt.Sprintf("p%d", n)
	return []any{
		map[string]any{"op": "insert", "table": "Interface", "uuid-name": iface, "row": map[string]any{"name": name, "type": "internal"}},
		map[string]any{"op": "insert", "table": "Port", "uuid-name": port, "row": map[string]any{"name": name, "interfaces": []any{"named-uuid", iface}}},
		map[string]any{"op": "mutate", "table": "Bridge", "where": []any{[]any{"name", "==", bridge}},
			"mutations": []any{[]any{"ports", "insert", []any{"set", []any{[]any{"named-uuid", port}}}}}},
	}
}

// AddSwitchPortOps returns the operations of lsp-add without its checks:
// the port's insert and a mutation of the switch's ports.
func AddSwitchPortOps(sw, name string) []any {
	return []any{
		map[string]any{"op": "insert", "table": "Logical_Switch_Port", "uuid-name": "lsp", "row": map[string]any{"name": name}},
		map[string]any{"op": "mutate", "table": "Logical_Switch", "where": []any{[]any{"name", "==", sw}},
			"mutations": []any{[]any{"ports", "insert", []any{"set", []any{[]any{"named-uuid", "lsp"}}}}}},
	}
}

// AddBridgeOps returns the operations of adding a bridge with no ports.
func AddBridgeOps(bridge string) []any {
	return []any{
		map[string]any{"op": "insert", "table": "Bridge", "uuid-name": "br", "row": map[string]any{"name": bridge}},
		map[string]any{"op": "mutate", "table": "Open_vSwitch", "where": []any{},
			"mutations": []any{[]any{"bridges", "insert", []any{"set", []any{[]any{"named-uuid", "br"}}}}}},
	}
}

// RawPipeline is RawClient for many goroutines: requests from all of them
// share one connection, each written whole under a lock, and one reader
// hands each reply to its caller, so as many transactions are in flight as
// there are callers. It is the floor for concurrent use of one client.
type RawPipeline struct {
	conn net.Conn
	wmu  sync.Mutex
	enc  *json.Encoder

	mu      sync.Mutex
	id      int
	pending map[int]chan rawReply
	err     error
}

type rawReply struct {
	result []map[string]any
	err    error
}

// DialPipeline connects to a unix: or tcp: endpoint.
func DialPipeline(ctx context.Context, endpoint string) (*RawPipeline, error) {
	rc, err := DialRaw(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	p := &RawPipeline{conn: rc.conn, enc: rc.enc, pending: map[int]chan rawReply{}}
	go p.read(rc.dec)
	return p, nil
}

// Close closes the connection.
func (p *RawPipeline) Close() error { return p.conn.Close() }

func (p *RawPipeline) read(dec *json.Decoder) {
	for {
		var m struct {
			ID     any              `json:"id"`
			Method string           `json:"method"`
			Result []map[string]any `json:"result"`
			Error  any              `json:"error"`
		}
		if err := dec.Decode(&m); err != nil {
			p.mu.Lock()
			p.err = err
			for _, ch := range p.pending {
				ch <- rawReply{err: err}
			}
			p.pending = nil
			p.mu.Unlock()
			return
		}
		if m.Method == "echo" {
			p.wmu.Lock()
			_ = p.enc.Encode(map[string]any{"id": m.ID, "result": []any{}, "error": nil})
			p.wmu.Unlock()
			continue
		}
		id, _ := m.ID.(float64)
		p.mu.Lock()
		ch := p.pending[int(id)]
		delete(p.pending, int(id))
		p.mu.Unlock()
		if ch == nil {
			continue
		}
		r := rawReply{result: m.Result}
		if m.Error != nil {
			r.err = fmt.Errorf("transact: %v", m.Error)
		}
		for _, res := range m.Result {
			if e, ok := res["error"]; ok && r.err == nil {
				r.err = fmt.Errorf("transact: %v: %v", e, res["details"])
			}
		}
		ch <- r
	}
}

// Transact sends one transaction and waits for its results; it is safe for
// concurrent use.
func (p *RawPipeline) Transact(ops ...any) ([]map[string]any, error) {
	ch := make(chan rawReply, 1)
	p.mu.Lock()
	if p.err != nil {
		err := p.err
		p.mu.Unlock()
		return nil, err
	}
	p.id++
	id := p.id
	p.pending[id] = ch
	p.mu.Unlock()
	p.wmu.Lock()
	err := p.enc.Encode(map[string]any{"id": id, "method": "transact", "params": append([]any{"Open_vSwitch"}, ops...)})
	p.wmu.Unlock()
	if err != nil {
		return nil, err
	}
	r := <-ch
	return r.result, r.err
}

// MonitorBytes asks for the whole of a table (a monitor_cond request of
// every column, as ovskit's and the C IDL's) and reads the reply without
// decoding it: the floor of a first download, the server's time to
// compose and send the reply. It returns the reply's size.
func (c *RawClient) MonitorBytes(db, table string) (int64, error) {
	c.id++
	if err := c.enc.Encode(map[string]any{"id": c.id, "method": "monitor_cond", "params": []any{db, nil, map[string]any{table: []any{map[string]any{}}}}}); err != nil {
		return 0, err
	}
	// One JSON object, read as bytes: braces counted outside strings.
	br := bufio.NewReaderSize(c.conn, 1<<20)
	var n int64
	depth, inString, escaped := 0, false, false
	for {
		b, err := br.ReadByte()
		if err != nil {
			return n, err
		}
		n++
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
		case b == '}' || b == ']':
			depth--
			if depth == 0 {
				return n, nil
			}
		}
	}
}
