package ovsdb

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxMessageSize bounds one JSON-RPC message from the server unless
// WithMaxMessageSize says otherwise.
const DefaultMaxMessageSize = 32 << 20

// rpcConn is a JSON-RPC 1.0 connection to ovsdb-server. One goroutine reads
// and handles notifications in arrival order; that order is what makes the
// cache consistent, so notifications are never handled concurrently.
//
// Another goroutine writes: callers queue their requests and wait for the
// answer or their context, so a server that stops reading holds no caller
// past its own deadline, and a request still queued when its caller gives
// up is withdrawn, never sent.
type rpcConn struct {
	nc       net.Conn
	notify   func(method string, params json.RawMessage)
	maxSize  int
	received *atomic.Uint64 // bytes of messages read (nil: not counted)
	// lastRead is when bytes last arrived (Unix nanoseconds), for the
	// inactivity probe; heard is set when the first arrived.
	lastRead atomic.Int64
	heard    atomic.Bool

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]*call
	queue   []*outMsg
	writing bool // a caller or the writer goroutine is writing
	err     error
	done    chan struct{}
	kick    chan struct{} // capacity 1: the queue has messages
}

// outMsg is a queued request; state says how far it got.
type outMsg struct {
	b     []byte
	state atomic.Int32
}

const (
	msgQueued    int32 = iota
	msgTaken           // the writer has it: (partly) sent
	msgWithdrawn       // its caller gave up before the writer took it
)

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
	ID     json.RawMessage
	Method string
	Params json.RawMessage
	Result json.RawMessage
	Error  json.RawMessage
}

func newRPCConn(nc net.Conn, maxSize int, received *atomic.Uint64, notify func(string, json.RawMessage)) *rpcConn {
	c := &rpcConn{
		nc:       nc,
		notify:   notify,
		maxSize:  maxSize,
		received: received,
		pending:  make(map[uint64]*call),
		done:     make(chan struct{}),
		kick:     make(chan struct{}, 1),
	}
	c.lastRead.Store(time.Now().UnixNano())
	go c.readLoop()
	go c.writeLoop()
	return c
}

// ErrInactive: the server sent nothing, not even the answer to an
// inactivity probe, for too long (a stopped or partitioned server); the
// connection is dropped. It matches ErrNotConnected.
var ErrInactive = fmt.Errorf("no answer to the inactivity probe: %w", ErrNotConnected)

// probe is the inactivity probe (the C IDL's inactivity_probe): a
// connection from which nothing arrived for interval gets an echo; one
// from which still nothing arrived interval later is dropped with
// ErrInactive. Any bytes count, so a long message being received keeps
// the connection alive.
func (c *rpcConn) probe(interval time.Duration) {
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		if idle := time.Since(time.Unix(0, c.lastRead.Load())); idle < interval {
			t.Reset(interval - idle)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		_, _, err := c.call(ctx, "echo", []string{"ovskit-probe"}, nil)
		cancel()
		if err != nil && errors.Is(err, context.DeadlineExceeded) && time.Since(time.Unix(0, c.lastRead.Load())) >= interval {
			c.fail(fmt.Errorf("silent for %v: %w", 2*interval, ErrInactive))
			return
		}
		t.Reset(interval)
	}
}

// activity records when bytes arrive on c.
type activity struct {
	r io.Reader
	c *rpcConn
}

func (a activity) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.c.lastRead.Store(time.Now().UnixNano())
		a.c.heard.Store(true)
	}
	return n, err
}

func (c *rpcConn) readLoop() {
	r := &framer{br: bufio.NewReaderSize(activity{c.nc, c}, 1<<16), max: c.maxSize}
	for {
		frame, err := r.next()
		if err != nil {
			switch {
			case errors.Is(err, ErrMessageTooLarge):
				err = fmt.Errorf("read: %w; connection dropped: %w", err, ErrNotConnected)
			case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed):
				err = fmt.Errorf("connection closed: %w", ErrNotConnected)
			default:
				err = fmt.Errorf("read: %v: %w", err, ErrNotConnected)
			}
			c.fail(err)
			return
		}
		if c.received != nil {
			c.received.Add(uint64(len(frame)))
		}
		m, err := parseMessage(frame)
		if err != nil {
			c.fail(fmt.Errorf("read: bad message: %v: %w", err, ErrNotConnected))
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
			c.enqueue(&outMsg{b: append(reply, "}\n"...)})
		case m.Method != "":
			if c.notify != nil {
				c.notify(m.Method, m.Params)
			}
		default:
			c.reply(m)
		}
	}
}

// parseMessage splits a JSON-RPC message into its members in one pass,
// without copying: the values stay slices of frame, decoded by whoever
// takes them.
func parseMessage(frame []byte) (rpcMessage, error) {
	var m rpcMessage
	err := eachMember(frame, func(key string, val []byte) error {
		switch key {
		case "id":
			m.ID = val
		case "method":
			if string(val) == "null" {
				return nil
			}
			s, err := unquote(val)
			m.Method = s
			return err
		case "params":
			m.Params = val
		case "result":
			m.Result = val
		case "error":
			m.Error = val
		}
		return nil
	})
	return m, err
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
		res.err = &RPCError{Method: cl.method, Err: rpcErrorText(m.Error)}
	} else {
		res.result = m.Result
		if cl.inline != nil {
			res.err = cl.inline(m.Result)
		}
	}
	cl.ch <- res
}

// rpcErrorText is an error answer as text: OVSDB's {"error": ...,
// "details": ...} as "error: details", a string as itself, anything else
// as its JSON.
func rpcErrorText(raw json.RawMessage) string {
	var obj struct {
		Error   string `json:"error"`
		Details string `json:"details"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Error != "" {
		if obj.Details != "" {
			return obj.Error + ": " + obj.Details
		}
		return obj.Error
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str
	}
	return string(raw)
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

// enqueue hands a message to the writer.
func (c *rpcConn) enqueue(m *outMsg) {
	c.mu.Lock()
	c.queue = append(c.queue, m)
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// writeLoop writes queued messages, as many as are waiting in one system
// call, until the connection ends.
func (c *rpcConn) writeLoop() {
	var bufs net.Buffers
	for {
		select {
		case <-c.kick:
		case <-c.done:
			return
		}
		c.mu.Lock()
		if c.writing {
			c.mu.Unlock()
			continue // a caller is writing; it kicks again when it is done
		}
		q := c.queue
		c.queue = nil
		c.writing = len(q) > 0
		c.mu.Unlock()
		bufs = bufs[:0]
		taken := q[:0]
		for _, m := range q {
			if m.state.CompareAndSwap(msgQueued, msgTaken) {
				bufs = append(bufs, m.b)
				taken = append(taken, m)
			}
		}
		out := bufs // WriteTo consumes its receiver
		n, err := out.WriteTo(c.nc)
		c.doneWriting()
		if err != nil {
			// The messages that start at or past n were never sent.
			var at int64
			for _, m := range taken {
				if at >= n {
					m.state.Store(msgQueued)
				}
				at += int64(len(m.b))
			}
			c.fail(fmt.Errorf("write: %v: %w", err, ErrNotConnected))
			return
		}
	}
}

// doneWriting gives up the writer's role and wakes the writer goroutine
// for what was queued meanwhile.
func (c *rpcConn) doneWriting() {
	c.mu.Lock()
	c.writing = false
	more := len(c.queue) > 0
	c.mu.Unlock()
	if more {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// aLongTimeAgo is a deadline in the past: it interrupts a blocked write.
var aLongTimeAgo = time.Unix(1, 0)

// send writes m. When no one else is writing, the caller writes it itself
// (no hand-off to another goroutine), bounded by ctx: if ctx ends first,
// what is left of the message goes to the writer goroutine (the message
// was partly sent) or, if nothing was written, the message is withdrawn.
// Otherwise m is queued for the writer goroutine.
func (c *rpcConn) send(ctx context.Context, m *outMsg) {
	c.mu.Lock()
	if c.writing || len(c.queue) > 0 || c.err != nil {
		c.mu.Unlock()
		c.enqueue(m)
		return
	}
	c.writing = true
	m.state.Store(msgTaken)
	c.mu.Unlock()
	var interrupted chan struct{}
	stop := func() bool { return true }
	if ctx.Done() != nil {
		interrupted = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			_ = c.nc.SetWriteDeadline(aLongTimeAgo)
			close(interrupted)
		})
	}
	n, err := c.nc.Write(m.b)
	if !stop() {
		<-interrupted // the deadline was set: clear it only after that
		_ = c.nc.SetWriteDeadline(time.Time{})
	}
	switch {
	case err == nil:
		c.doneWriting()
	case errors.Is(err, os.ErrDeadlineExceeded):
		// Cut short by ctx. A partial message must still be completed,
		// or the stream is corrupt: the writer goroutine finishes it.
		if n == 0 {
			m.state.Store(msgWithdrawn)
		} else {
			c.mu.Lock()
			c.queue = append([]*outMsg{{b: m.b[n:]}}, c.queue...)
			c.mu.Unlock()
		}
		c.doneWriting()
		select {
		case c.kick <- struct{}{}:
		default:
		}
	default:
		if n == 0 {
			// Not a byte of it was accepted: the server never saw it.
			m.state.Store(msgQueued)
		}
		c.doneWriting()
		c.fail(fmt.Errorf("write: %v: %w", err, ErrNotConnected))
	}
}

// preEncoded is params that write their own JSON (transact's operations,
// encoded as they were added), straight into the request.
type preEncoded interface {
	size() int // a capacity hint
	appendJSON(b []byte) []byte
}

// call sends a request and waits for its answer, the context, or the end of
// the connection. params that are preEncoded write themselves into the
// request; others are encoded with encoding/json. sent reports
// whether any of the request may have reached the server: when it is false
// the server never saw it.
func (c *rpcConn) call(ctx context.Context, method string, params any, inline func(json.RawMessage) error) (res json.RawMessage, sent bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("%s: %w", method, err)
	}
	var body []byte
	pre, _ := params.(preEncoded)
	if pre == nil {
		if body, err = json.Marshal(params); err != nil {
			return nil, false, fmt.Errorf("%s: encode params: %w", method, err)
		}
	}
	cl := &call{method: method, inline: inline, ch: make(chan callResult, 1)}
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, false, err
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = cl
	c.mu.Unlock()
	size := len(body)
	if pre != nil {
		size = pre.size()
	}
	req := make([]byte, 0, size+len(method)+48)
	req = append(req, `{"id":`...)
	req = strconv.AppendUint(req, id, 10)
	req = append(req, `,"method":`...)
	req = strconv.AppendQuote(req, method)
	req = append(req, `,"params":`...)
	if pre != nil {
		req = pre.appendJSON(req)
	} else {
		req = append(req, body...)
	}
	req = append(req, "}\n"...)
	m := &outMsg{b: req}
	c.send(ctx, m)
	select {
	case r := <-cl.ch:
		if r.err != nil && m.state.CompareAndSwap(msgQueued, msgWithdrawn) {
			return nil, false, r.err // the connection ended before it was written
		}
		return r.result, true, r.err
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		sent := !m.state.CompareAndSwap(msgQueued, msgWithdrawn)
		return nil, sent, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *rpcConn) close() { c.fail(fmt.Errorf("closed by client: %w", ErrClosed)) }

// errFramerStart: a message is not a JSON object.
var errFramerStart = errors.New("a JSON-RPC message must be a JSON object")

// framer splits the byte stream into JSON-RPC messages (top-level JSON
// objects) without decoding them, and refuses one larger than max before
// reading the rest of it.
type framer struct {
	br  *bufio.Reader
	max int
}

func (f *framer) next() ([]byte, error) {
	var msg []byte
	depth := 0
	inString, escaped := false, false
	for {
		if f.br.Buffered() == 0 {
			if _, err := f.br.Peek(1); err != nil {
				if len(msg) > 0 && errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return nil, err
			}
		}
		buf, _ := f.br.Peek(f.br.Buffered())
		start := 0
		if len(msg) == 0 && depth == 0 {
			// Skip white space between messages.
			for start < len(buf) && (buf[start] == ' ' || buf[start] == '\n' || buf[start] == '\r' || buf[start] == '\t') {
				start++
			}
			if start == len(buf) {
				_, _ = f.br.Discard(start)
				continue
			}
			if buf[start] != '{' {
				return nil, fmt.Errorf("%w: it starts with %q", errFramerStart, buf[start])
			}
		}
		end := -1
	scan:
		for i := start; i < len(buf); i++ {
			b := buf[i]
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
					end = i + 1
					break scan
				}
			}
		}
		n := len(buf)
		if end >= 0 {
			n = end
		}
		if len(msg)+n-start > f.max {
			return nil, fmt.Errorf("a message exceeds %d bytes: %w", f.max, ErrMessageTooLarge)
		}
		msg = append(msg, buf[start:n]...)
		_, _ = f.br.Discard(n)
		if end >= 0 {
			return msg, nil
		}
	}
}
