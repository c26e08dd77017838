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
)

// RawClient sends transactions over one JSON-RPC connection and waits for
// each reply.
type RawClient struct {
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
	if err := c.enc.Encode(map[string]any{"id": c.id, "method": "transact", "params": append([]any{"Open_vSwitch"}, ops...)}); err != nil {
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

// AddBridgeOps returns the operations of adding a bridge with no ports.
func AddBridgeOps(bridge string) []any {
	return []any{
		map[string]any{"op": "insert", "table": "Bridge", "uuid-name": "br", "row": map[string]any{"name": bridge}},
		map[string]any{"op": "mutate", "table": "Open_vSwitch", "where": []any{},
			"mutations": []any{[]any{"bridges", "insert", []any{"set", []any{[]any{"named-uuid", "br"}}}}}},
	}
}
