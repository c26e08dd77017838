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

// DefaultMaxMessageSize bounds what the client holds of one message from
// the server (see WithMaxMessageSize) unless WithMaxMessageSize says
// otherwise.
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
	// stream, when set, reads the result as it arrives instead (on the
	// reader goroutine too): a reply that need not be held whole.
	stream func(r *msgReader) error
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
	// streamed: the result went to its call's stream function, which
	// returned streamErr.
	streamed  bool
	streamErr error
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
		if a.c.received != nil {
			a.c.received.Add(uint64(n))
		}
	}
	return n, err
}

func (c *rpcConn) readLoop() {
	r := &msgReader{br: bufio.NewReaderSize(activity{c.nc, c}, 1<<16), max: c.maxSize}
	for {
		m, err := r.message(c.streamer)
		if err != nil {
			if m.streamed && m.streamErr != nil {
				c.reply(m) // its call learns why
			}
			switch {
			case errors.Is(err, ErrMessageTooLarge):
				err = fmt.Errorf("read: %w; connection dropped: %w", err, ErrNotConnected)
			case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed):
				err = fmt.Errorf("connection closed: %w", ErrNotConnected)
			case m.streamed && m.streamErr != nil:
				err = fmt.Errorf("read: %v; connection dropped: %w", err, ErrNotConnected)
			default:
				err = fmt.Errorf("read: bad message: %v: %w", err, ErrNotConnected)
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

// streamer returns the stream function of the call waiting for id, if
// it has one.
func (c *rpcConn) streamer(id []byte) func(*msgReader) error {
	n, err := strconv.ParseUint(string(id), 10, 64)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl := c.pending[n]; cl != nil {
		return cl.stream
	}
	return nil
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
	switch {
	case m.streamed:
		res.err = m.streamErr
	case len(m.Error) > 0 && string(m.Error) != "null":
		res.err = &RPCError{Method: cl.method, Err: rpcErrorText(m.Error)}
	case cl.stream != nil:
		res.err = fmt.Errorf("%s: a reply without a result", cl.method)
	default:
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
	return c.roundTrip(ctx, method, params, &call{method: method, inline: inline, ch: make(chan callResult, 1)})
}

// callStream is call for a reply that stream reads as it arrives (on the
// reader goroutine, before any later message is handled), never held
// whole.
func (c *rpcConn) callStream(ctx context.Context, method string, params any, stream func(*msgReader) error) error {
	_, _, err := c.roundTrip(ctx, method, params, &call{method: method, stream: stream, ch: make(chan callResult, 1)})
	return err
}

func (c *rpcConn) roundTrip(ctx context.Context, method string, params any, cl *call) (res json.RawMessage, sent bool, err error) {
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
