package ovsdb

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
)

// rpcConn is a JSON-RPC 1.0 connection to ovsdb-server. One goroutine reads
// and handles notifications in arrival order; that order is what makes the
// cache consistent, so notifications are never handled concurrently.
type rpcConn struct {
	nc     net.Conn
	notify func(method string, params json.RawMessage)

	wmu sync.Mutex // serialises writes of whole messages

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]*call
	err     error
	done    chan struct{}
}

type call struct {
	method string
	// inline runs on the reader goroutine before any later message is
	// handled (used for monitor replies, whose initial rows must be in the
	// cache before the next update is applied).
	inline func(result json.RawMessage) error
	ch     chan callResult
}

type callResult struct {
	result json.RawMessage
	err    error
}

type rpcMessage struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  json.RawMessage `json:"error,omitempty"`
}

func newRPCConn(nc net.Conn, notify func(string, json.RawMessage)) *rpcConn {
	c := &rpcConn{
		nc:      nc,
		notify:  notify,
		pending: make(map[uint64]*call),
		done:    make(chan struct{}),
	}
	go c.readLoop()
	return c
}

func (c *rpcConn) readLoop() {
	dec := json.NewDecoder(bufio.NewReaderSize(c.nc, 1<<16))
	for {
		var m rpcMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				err = fmt.Errorf("connection closed: %w", ErrNotConnected)
			} else {
				err = fmt.Errorf("read: %v: %w", err, ErrNotConnected)
			}
			c.fail(err)
			return
		}
		switch {
		case m.Method == "echo":
			// Inactivity probe from the server: answer with its params.
			params := m.Params
			if len(params) == 0 {
				params = json.RawMessage("[]")
			}
			reply := append(append(append([]byte(`{"id":`), m.ID...), `,"error":null,"result":`...), params...)
			_ = c.write(append(reply, "}\n"...))
		case m.Method != "":
			if c.notify != nil {
				c.notify(m.Method, m.Params)
			}
		default:
			c.reply(m)
		}
	}
}

func (c *rpcConn) reply(m rpcMessage) {
	id, err := strconv.ParseUint(string(m.ID), 10, 64)
	if err != nil {
		return // not one of ours
	}
	c.mu.Lock()
	cl := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if cl == nil {
		return
	}
	var res callResult
	if len(m.Error) > 0 && string(m.Error) != "null" {
		var msg any
		_ = json.Unmarshal(m.Error, &msg)
		res.err = &RPCError{Method: cl.method, Err: fmt.Sprint(msg)}
	} else {
		res.result = m.Result
		if cl.inline != nil {
			res.err = cl.inline(m.Result)
		}
	}
	cl.ch <- res
}

func (c *rpcConn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	pending := c.pending
	c.pending = nil
	close(c.done)
	c.mu.Unlock()
	_ = c.nc.Close()
	for _, cl := range pending {
		cl.ch <- callResult{err: err}
	}
}

// write sends one complete JSON-RPC message.
func (c *rpcConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.nc.Write(b); err != nil {
		return fmt.Errorf("write: %v: %w", err, ErrNotConnected)
	}
	return nil
}

// call sends a request and waits for its answer, the context, or the end of
// the connection. params already in JSON (a json.RawMessage, as transact's
// pre-encoded operations are) are written as they are.
func (c *rpcConn) call(ctx context.Context, method string, params any, inline func(json.RawMessage) error) (json.RawMessage, error) {
	cl := &call{method: method, inline: inline, ch: make(chan callResult, 1)}
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, err
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = cl
	c.mu.Unlock()
	var body []byte
	if raw, ok := params.(json.RawMessage); ok {
		body = raw
	} else {
		var err error
		if body, err = json.Marshal(params); err != nil {
			c.mu.Lock()
			delete(c.pending, id)
			c.mu.Unlock()
			return nil, fmt.Errorf("%s: encode params: %w", method, err)
		}
	}
	req := make([]byte, 0, len(body)+len(method)+48)
	req = append(req, `{"id":`...)
	req = strconv.AppendUint(req, id, 10)
	req = append(req, `,"method":`...)
	req = strconv.AppendQuote(req, method)
	req = append(req, `,"params":`...)
	req = append(req, body...)
	req = append(req, "}\n"...)
	if err := c.write(req); err != nil {
		c.fail(err)
		return nil, err
	}
	select {
	case r := <-cl.ch:
		return r.result, r.err
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *rpcConn) close() { c.fail(fmt.Errorf("closed by client: %w", ErrClosed)) }
