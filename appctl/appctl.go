// Package appctl talks to the control socket of an Open vSwitch daemon
// (ovs-vswitchd, ovsdb-server), as ovs-appctl does: one JSON-RPC request
// per command, over the daemon's unixctl socket.
//
// Its use in ovskit: after a transaction that changes forwarding (a VLAN
// tag, say), ovs-vswitchd reports the configuration applied (cur_cfg)
// while datapath flows set up before it may still forward a few more
// packets the old way, until its revalidators have gone over them.
// WaitRevalidated waits for that.
//
// Server is the other side: a Go program (a daemon of its own, such as
// ovskit's ovn-nbctl daemon) answers ovs-appctl on a control socket of
// its own, with the commands it registers.
package appctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
)

// Error is a command the daemon refused or failed; errors.As finds it.
type Error struct {
	Command string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("appctl %s: %s", e.Command, e.Message) }

// Client is a connection to one daemon's control socket. It is safe for
// concurrent use; commands run one at a time.
type Client struct {
	conn net.Conn
	dec  *json.Decoder
	sem  chan struct{}
	id   atomic.Int64
}

// Dial connects to a control socket (the daemon's --unixctl path, e.g.
// /var/run/openvswitch/ovs-vswitchd.PID.ctl).
func Dial(ctx context.Context, path string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("appctl: %w", err)
	}
	return &Client{conn: conn, dec: json.NewDecoder(conn), sem: make(chan struct{}, 1)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

type request struct {
	Method string   `json:"method"`
	Params []string `json:"params"`
	ID     int64    `json:"id"`
}

type response struct {
	Result *string         `json:"result"`
	Error  json.RawMessage `json:"error"`
	ID     int64           `json:"id"`
}

// Call runs a command with its arguments and returns the daemon's output.
// Equivalent to: ovs-appctl -t TARGET COMMAND ARGS...
func (c *Client) Call(ctx context.Context, command string, args ...string) (string, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.sem }()
	if args == nil {
		args = []string{}
	}
	id := c.id.Add(1)
	stop := context.AfterFunc(ctx, func() { _ = c.conn.Close() })
	defer stop()
	if err := json.NewEncoder(c.conn).Encode(request{Method: command, Params: args, ID: id}); err != nil {
		return "", c.fail(ctx, command, err)
	}
	for {
		var r response
		if err := c.dec.Decode(&r); err != nil {
			return "", c.fail(ctx, command, err)
		}
		if r.ID != id {
			continue
		}
		if len(r.Error) > 0 && string(r.Error) != "null" {
			var msg string
			if json.Unmarshal(r.Error, &msg) != nil {
				msg = string(r.Error)
			}
			return "", &Error{Command: command, Message: msg}
		}
		if r.Result == nil {
			return "", nil
		}
		return *r.Result, nil
	}
}

func (c *Client) fail(ctx context.Context, command string, err error) error {
	if ctx.Err() != nil {
		// The connection was closed to interrupt the call: it is unusable.
		return fmt.Errorf("appctl %s: %w", command, ctx.Err())
	}
	return fmt.Errorf("appctl %s: %w", command, err)
}

// Call dials, runs one command and closes.
func Call(ctx context.Context, path, command string, args ...string) (string, error) {
	c, err := Dial(ctx, path)
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.Call(ctx, command, args...)
}

// WaitRevalidated returns once ovs-vswitchd's revalidators have gone over
// every datapath flow with the configuration current at the call: two
// full rounds (revalidator/wait twice), since the first may have started
// before the call. Without any datapath there is nothing to wait for.
// ovs-vswitchd cannot wait on several datapath types at once (system and
// netdev bridges together): that is an *Error.
func WaitRevalidated(ctx context.Context, path string) error {
	c, err := Dial(ctx, path)
	if err != nil {
		return err
	}
	defer c.Close()
	for range 2 {
		_, err := c.Call(ctx, "revalidator/wait")
		var ae *Error
		if errors.As(err, &ae) {
			// The same refusal for no datapath and for several.
			if dps, derr := c.Call(ctx, "dpif/show"); derr == nil && strings.TrimSpace(dps) == "" {
				return nil
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
