package openflow

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of the connection.
var (
	// ErrBadMessage: the switch sent a message that does not decode.
	ErrBadMessage = errors.New("openflow: malformed message")
	// ErrUnsupported: a message, field or action this package does not
	// know.
	ErrUnsupported = errors.New("openflow: unsupported")
	// ErrVersion: no OpenFlow version both sides speak (this package
	// speaks 1.3, 1.4 and 1.5), or a version this package does not speak.
	ErrVersion = errors.New("openflow: no common OpenFlow version")
	// ErrClosed: the connection is closed.
	ErrClosed = errors.New("openflow: connection closed")
	// ErrOutcomeUnknown: a request that changes the switch (a flow,
	// group or meter change, a bundle's commit) was sent whole, but its
	// answer did not come before the context ended or the connection
	// closed: the switch may or may not have applied it. Calls fail with
	// an *OutcomeUnknownError, which matches it. Any other error of such
	// a call means the request was not applied: never sent, sent only in
	// part (the connection is then closed), or refused.
	ErrOutcomeUnknown = errors.New("openflow: request sent, outcome unknown")
	// ErrReplyTooLarge: a multipart reply (a dump) grew past the size
	// WithMaxReplySize allows.
	ErrReplyTooLarge = errors.New("openflow: reply too large")
)

// OutcomeUnknownError is a request that changes the switch, sent whole,
// whose answer was lost: it may or may not have been applied. It matches
// ErrOutcomeUnknown and unwraps to the cause (the context's error, or
// ErrClosed). Dump the flows (or groups, or meters) to find out.
type OutcomeUnknownError struct {
	// Request is what was sent: "flow_mod", "group_mod", "meter_mod",
	// "packet_out" or "bundle commit".
	Request string
	// Err is why the answer was lost.
	Err error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("openflow: %s sent, outcome unknown: %v", e.Request, e.Err)
}

// Is reports whether target is ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Message types of OpenFlow 1.3 (the same in 1.4 and 1.5).
const (
	typeHello            = 0
	typeError            = 1
	typeEchoRequest      = 2
	typeEchoReply        = 3
	typePacketOut        = 13
	typeFlowMod          = 14
	typeMultipartRequest = 18
	typeMultipartReply   = 19
	typeBarrierRequest   = 20
	typeBarrierReply     = 21
)

// maxMessage bounds a message from the switch (OpenFlow's own limit).
const maxMessage = 65535

// Conn is an OpenFlow connection to a switch, in the version the hello
// exchange picked (Version). Its methods may be called from several
// goroutines.
type Conn struct {
	conn    net.Conn
	version Version
	// wsem is held by the one write in progress; waiting for it is
	// bounded by each caller's context.
	wsem chan struct{}
	// echoing is set while an echo reply is being written: a switch
	// sending echoes faster than it reads their replies gets one at a
	// time, and the read loop never blocks on a write.
	echoing  atomic.Bool
	maxReply int
	// format is the flow format of an OpenFlow 1.0 connection.
	format   FlowFormat
	mu       sync.Mutex
	xid      uint32
	bundleID uint32
	pending  map[uint32]waiter
	err      error
	done     chan struct{}
}

// waiter is a caller waiting for replies: gone closes when it stops.
type waiter struct {
	ch   chan message
	gone chan struct{}
}

type message struct {
	typ  uint8
	xid  uint32
	body []byte
}

// Target resolves a bridge name to its management socket in rundir
// ($OVS_RUNDIR, or /var/run/openvswitch), as ovs-ofctl does; "unix:PATH",
// "tcp:HOST[:PORT]" and "ssl:HOST[:PORT]" (port 6653 by default) are taken
// as they are. network is "unix", "tcp" or "ssl".
func Target(target, rundir string) (network, addr string, err error) {
	for _, n := range []string{"unix", "tcp", "ssl"} {
		rest, ok := strings.CutPrefix(target, n+":")
		if !ok {
			continue
		}
		if rest == "" {
			return "", "", fmt.Errorf("openflow: %s: no address: %w", target, ErrSyntax)
		}
		if n != "unix" {
			if _, _, err := net.SplitHostPort(rest); err != nil {
				rest = net.JoinHostPort(strings.Trim(rest, "[]"), "6653")
			}
		}
		return n, rest, nil
	}
	if strings.ContainsAny(target, ":/") {
		return "", "", fmt.Errorf("openflow: %s: unsupported target: %w", target, ErrSyntax)
	}
	if rundir == "" {
		rundir = os.Getenv("OVS_RUNDIR")
	}
	if rundir == "" {
		rundir = "/var/run/openvswitch"
	}
	return "unix", filepath.Join(rundir, target+".mgmt"), nil
}

// DialOption configures Dial.
type DialOption func(*dialConfig)

type dialConfig struct {
	tls      *tls.Config
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	versions []Version
	maxReply int
	format   FlowFormat
}

// DefaultMaxReplySize bounds a multipart reply (a dump of flows, groups,
// meters, ports) reassembled in memory, unless WithMaxReplySize says
// otherwise: 512 MiB, some 1.5 million flows of an OVN chassis.
const DefaultMaxReplySize = 512 << 20

// WithMaxReplySize bounds the bytes of one multipart reply (a dump): a
// reply that grows past it fails with ErrReplyTooLarge instead of
// holding more memory. n <= 0: DefaultMaxReplySize.
func WithMaxReplySize(n int) DialOption { return func(c *dialConfig) { c.maxReply = n } }

// WithTLS is the TLS configuration for ssl: targets (certificates, the CA
// that signs the switch's, the server name). An ssl: target without it
// is refused.
func WithTLS(cfg *tls.Config) DialOption { return func(c *dialConfig) { c.tls = cfg } }

// WithDialer dials the connection with dial instead of a net.Dialer (for
// example, from inside a network namespace). For ssl: targets it dials
// "tcp", and TLS runs over what it returns.
func WithDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) DialOption {
	return func(c *dialConfig) { c.dial = dial }
}

// Dial connects to a switch (a bridge name, "unix:PATH", "tcp:HOST[:PORT]"
// or "ssl:HOST[:PORT]") and negotiates the highest OpenFlow version both
// sides speak (of 1.3, 1.4 and 1.5, or those WithVersions names).
func Dial(ctx context.Context, target string, opts ...DialOption) (*Conn, error) {
	network, addr, err := Target(target, "")
	if err != nil {
		return nil, err
	}
	cfg := dialConfig{versions: versionsDefault}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxReply <= 0 {
		cfg.maxReply = DefaultMaxReplySize
	}
	if len(cfg.versions) == 0 {
		return nil, fmt.Errorf("openflow: %s: WithVersions names no version: %w", target, ErrVersion)
	}
	for _, v := range cfg.versions {
		if !slices.Contains(versionsSpoken, v) {
			return nil, fmt.Errorf("openflow: %s: %v: %w", target, v, ErrVersion)
		}
	}
	if network == "ssl" && cfg.tls == nil {
		return nil, fmt.Errorf("openflow: %s: an ssl: target needs WithTLS: %w", target, ErrSyntax)
	}
	if cfg.dial == nil {
		var d net.Dialer
		cfg.dial = d.DialContext
	}
	dialNet := network
	if network == "ssl" {
		dialNet = "tcp"
	}
	nc, err := cfg.dial(ctx, dialNet, addr)
	if err != nil {
		return nil, fmt.Errorf("openflow: %s: %w", target, err)
	}
	if network == "ssl" {
		tc := cfg.tls.Clone()
		if tc.ServerName == "" {
			tc.ServerName, _, _ = net.SplitHostPort(addr)
		}
		t := tls.Client(nc, tc)
		if err := t.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, fmt.Errorf("openflow: %s: TLS: %w", target, err)
		}
		nc = t
	}
	if cfg.format == 0 {
		cfg.format = FormatNXM
	}
	if cfg.format != FormatNXM && cfg.format != FormatOpenFlow10 {
		return nil, fmt.Errorf("openflow: %s: WithFlowFormat(%v): %w (NXM or OpenFlow10)", target, cfg.format, ErrUnsupported)
	}
	c := &Conn{conn: nc, pending: map[uint32]waiter{}, done: make(chan struct{}), wsem: make(chan struct{}, 1), maxReply: cfg.maxReply, format: cfg.format}
	if err := c.handshake(ctx, cfg.versions); err != nil {
		nc.Close()
		return nil, fmt.Errorf("openflow: %s: %w", target, err)
	}
	go c.readLoop(bufio.NewReader(nc))
	return c, nil
}

// handshake exchanges hellos: this side offers versions (its header has
// the highest, its bitmap all of them) and keeps the one negotiate picks.
func (c *Conn) handshake(ctx context.Context, versions []Version) error {
	if dl, ok := ctx.Deadline(); ok {
		_ = c.conn.SetDeadline(dl)
	}
	// Cancelling ctx ends a read or write in progress.
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = c.conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	defer func() {
		if !stop() {
			<-fired
		}
		_ = c.conn.SetDeadline(time.Time{})
	}()
	hello := []byte{byte(slices.Max(versions)), typeHello, 0, 16, 0, 0, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hello[12:], helloBitmap(versions))
	if _, err := c.conn.Write(hello); err != nil {
		return ctxErr(ctx, err)
	}
	m, ver, err := readMessage(c.conn)
	if err != nil {
		return ctxErr(ctx, err)
	}
	if m.typ != typeHello {
		return fmt.Errorf("expected a hello, got type %d: %w", m.typ, ErrBadMessage)
	}
	v, err := negotiate(versions, Version(ver), m.body)
	if err != nil {
		return fmt.Errorf("the switch offers %v: %w", Version(ver), err)
	}
	c.version = v
	if v == OpenFlow10 {
		// Nicira's flow_mod_table_id: a flow mod's table in its command's
		// high byte (OpenFlow 1.0 has no field for it). No reply comes.
		body := append(appendNXT(nil, nxtFlowModTableID), 1, 0, 0, 0, 0, 0, 0, 0)
		msg, _ := appendFrame(nil, v, typeExperimenter, 0, body)
		if _, err := c.conn.Write(msg); err != nil {
			return ctxErr(ctx, err)
		}
	}
	return nil
}

// readMessage reads one message, whatever its version.
func readMessage(r io.Reader) (message, uint8, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return message{}, 0, err
	}
	n := int(binary.BigEndian.Uint16(h[2:]))
	if n < 8 || n > maxMessage {
		return message{}, 0, fmt.Errorf("message length %d: %w", n, ErrBadMessage)
	}
	body := make([]byte, n-8)
	if _, err := io.ReadFull(r, body); err != nil {
		return message{}, 0, err
	}
	return message{typ: h[1], xid: binary.BigEndian.Uint32(h[4:]), body: body}, h[0], nil
}

// readLoop hands replies to their callers and answers echo requests.
func (c *Conn) readLoop(r *bufio.Reader) {
	var err error
	for {
		var m message
		var ver uint8
		m, ver, err = readMessage(r)
		if err != nil {
			break
		}
		m.typ = readType(ver, m.typ)
		if Version(ver) == OpenFlow10 && m.typ == typeError {
			m.body = error10(m.body)
		}
		if m.typ == typeEchoRequest {
			c.echo(m)
			continue
		}
		c.mu.Lock()
		w, ok := c.pending[m.xid]
		c.mu.Unlock()
		if ok {
			select {
			case w.ch <- m:
			case <-w.gone:
			}
		}
	}
	c.mu.Lock()
	if c.err == nil {
		c.err = fmt.Errorf("%w: %v", ErrClosed, err)
	}
	c.mu.Unlock()
	close(c.done)
}

// ctxErr is err, or ctx's error when ctx ended it (a deadline of the
// connection set from ctx's may pass a moment before ctx says so).
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if dl, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return err
}

// echoTimeout bounds the write of an echo reply.
const echoTimeout = 5 * time.Second

// echo answers an echo request without blocking the read loop: one reply
// at a time, each bounded by echoTimeout; requests that come while one is
// being written go unanswered (the switch asked again before reading).
func (c *Conn) echo(m message) {
	if !c.echoing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer c.echoing.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), echoTimeout)
		defer cancel()
		_, _ = c.write(ctx, typeEchoReply, m.xid, m.body)
	}()
}

// Close closes the connection.
func (c *Conn) Close() error {
	c.fail(ErrClosed)
	return nil
}

// fail closes the connection for err (the first cause is kept).
func (c *Conn) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	_ = c.conn.Close()
}

// write sends one message, bounded by ctx; n is the bytes written.
func (c *Conn) write(ctx context.Context, typ uint8, xid uint32, body []byte) (int, error) {
	msg, err := appendFrame(nil, c.version, typ, xid, body)
	if err != nil {
		return 0, err
	}
	return c.writeRaw(ctx, msg)
}

// appendFrame appends a message with its header.
func appendFrame(b []byte, v Version, typ uint8, xid uint32, body []byte) ([]byte, error) {
	if 8+len(body) > maxMessage {
		return b, fmt.Errorf("openflow: message of %d bytes: %w", 8+len(body), ErrUnsupported)
	}
	wt, ok := wireType(v, typ)
	if !ok {
		return b, fmt.Errorf("openflow: message type %d: %w at %v", typ, ErrUnsupported, v)
	}
	b = append(b, byte(v), wt, 0, 0, 0, 0, 0, 0)
	binary.BigEndian.PutUint16(b[len(b)-6:], uint16(8+len(body)))
	binary.BigEndian.PutUint32(b[len(b)-4:], xid)
	return append(b, body...), nil
}

// writeRaw writes framed messages in one write, bounded by ctx: waiting
// for an earlier write and the write itself end when ctx does. It returns
// the bytes written. A write cut short closes the connection: the switch
// would read the next message from the middle of this one.
func (c *Conn) writeRaw(ctx context.Context, msg []byte) (int, error) {
	select {
	case c.wsem <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-c.done:
		return 0, c.closedErr()
	}
	defer func() { <-c.wsem }()
	if err := c.closedErr(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	dl, _ := ctx.Deadline()
	_ = c.conn.SetWriteDeadline(dl)
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = c.conn.SetWriteDeadline(time.Unix(1, 0))
		close(fired)
	})
	n, err := c.conn.Write(msg)
	if !stop() {
		<-fired
	}
	if err == nil {
		return n, nil
	}
	err = ctxErr(ctx, err)
	if n > 0 {
		c.fail(fmt.Errorf("%w: a write cut short after %d of %d bytes: %w", ErrClosed, n, len(msg), err))
	} else if cerr := c.closedErr(); cerr != nil {
		err = cerr
	}
	return n, err
}

// newXID registers a reply channel for a new transaction id.
func (c *Conn) newXID() (uint32, chan message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, nil, c.err
	}
	c.xid++
	w := waiter{make(chan message, 16), make(chan struct{})}
	c.pending[c.xid] = w
	return c.xid, w.ch, nil
}

func (c *Conn) forget(xid uint32) {
	c.mu.Lock()
	if w, ok := c.pending[xid]; ok {
		close(w.gone)
		delete(c.pending, xid)
	}
	c.mu.Unlock()
}

// MessageError says which message of several the switch refused.
type MessageError struct {
	// Index is the refused message's position, from 0.
	Index int
	Err   error
}

func (e *MessageError) Error() string { return fmt.Sprintf("message %d: %v", e.Index+1, e.Err) }

// Unwrap returns the switch's error.
func (e *MessageError) Unwrap() error { return e.Err }

// send writes a message that changes the switch and, with a barrier
// behind it, waits until the switch has processed it: its error if it
// refused it, nil otherwise. Once the message is written whole, an answer
// that does not come is an *OutcomeUnknownError.
func (c *Conn) send(ctx context.Context, typ uint8, body []byte) error {
	xid, ch, err := c.newXID()
	if err != nil {
		return err
	}
	defer c.forget(xid)
	bxid, bch, err := c.newXID()
	if err != nil {
		return err
	}
	defer c.forget(bxid)
	if err := ctx.Err(); err != nil {
		return err
	}
	// The message and its barrier in one write.
	msg, err := appendFrame(make([]byte, 0, 16+len(body)), c.version, typ, xid, body)
	if err != nil {
		return err
	}
	sent := len(msg)
	msg, _ = appendFrame(msg, c.version, typeBarrierRequest, bxid, nil)
	unknown := func(err error) error { return &OutcomeUnknownError{Request: requestNames[typ], Err: err} }
	if n, err := c.writeRaw(ctx, msg); err != nil {
		if n >= sent {
			return unknown(err)
		}
		return err
	}
	for {
		select {
		case m := <-ch:
			if m.typ == typeError {
				return decodeError(m.body)
			}
		case <-bch:
			select {
			case m := <-ch:
				if m.typ == typeError {
					return decodeError(m.body)
				}
			default:
			}
			return nil
		case <-c.done:
			return unknown(c.closedErr())
		case <-ctx.Done():
			return unknown(ctx.Err())
		}
	}
}

// requestNames name the requests that change the switch, for
// OutcomeUnknownError.
var requestNames = map[uint8]string{typeFlowMod: "flow_mod", typeExperimenter: "Nicira message", typeGroupMod: "group_mod", typeMeterMod: "meter_mod", typePacketOut: "packet_out"}

func (c *Conn) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Barrier waits until the switch has processed every earlier message.
// Equivalent to: ovs-ofctl barrier
func (c *Conn) Barrier(ctx context.Context) error {
	xid, ch, err := c.newXID()
	if err != nil {
		return err
	}
	defer c.forget(xid)
	if _, err := c.write(ctx, typeBarrierRequest, xid, nil); err != nil {
		return err
	}
	select {
	case <-ch:
		return nil
	case <-c.done:
		return c.closedErr()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// records decodes the records a multipart reply's parts hold, one after
// another, each read by dec, which returns its length.
func records[T any](parts [][]byte, ver Version, dec func([]byte, Version) (T, int, error)) ([]T, error) {
	var out []T
	for _, p := range parts {
		for len(p) > 0 {
			r, n, err := dec(p, ver)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
			p = p[n:]
		}
	}
	return out, nil
}

// multipart sends a multipart request and gathers the replies' bodies.
func (c *Conn) multipart(ctx context.Context, mtype uint16, body []byte) ([][]byte, error) {
	xid, ch, err := c.newXID()
	if err != nil {
		return nil, err
	}
	defer c.forget(xid)
	// OpenFlow 1.0's statistics header has no padding after the flags.
	hdr := 8
	if c.version == OpenFlow10 {
		hdr = 4
	}
	req := binary.BigEndian.AppendUint16(nil, mtype)
	req = append(req, make([]byte, hdr-2)...)
	req = append(req, body...)
	if _, err := c.write(ctx, typeMultipartRequest, xid, req); err != nil {
		return nil, err
	}
	var out [][]byte
	size := 0
	for {
		select {
		case m := <-ch:
			if m.typ == typeError {
				return nil, decodeError(m.body)
			}
			if m.typ != typeMultipartReply || len(m.body) < hdr {
				return nil, fmt.Errorf("openflow: reply type %d: %w", m.typ, ErrBadMessage)
			}
			if size += len(m.body); size > c.maxReply {
				return nil, fmt.Errorf("openflow: multipart reply of more than %d bytes: %w", c.maxReply, ErrReplyTooLarge)
			}
			out = append(out, m.body[hdr:])
			if binary.BigEndian.Uint16(m.body[2:])&1 == 0 { // no OFPMPF_REPLY_MORE
				return out, nil
			}
		case <-c.done:
			return nil, c.closedErr()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
