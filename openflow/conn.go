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
)

// Message types of OpenFlow 1.3 (the same in 1.4 and 1.5).
const (
	typeHello            = 0
	typeError            = 1
	typeEchoRequest      = 2
	typeEchoReply        = 3
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
	wmu     sync.Mutex

	writeDeadline time.Time // under wmu: the connection's write deadline
	mu            sync.Mutex
	xid           uint32
	bundleID      uint32
	pending       map[uint32]waiter
	err           error
	done          chan struct{}
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
}

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
	cfg := dialConfig{versions: versionsSpoken}
	for _, o := range opts {
		o(&cfg)
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
	c := &Conn{conn: nc, pending: map[uint32]waiter{}, done: make(chan struct{})}
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
		defer c.conn.SetDeadline(time.Time{})
	}
	hello := []byte{byte(slices.Max(versions)), typeHello, 0, 16, 0, 0, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hello[12:], helloBitmap(versions))
	if _, err := c.conn.Write(hello); err != nil {
		return err
	}
	m, ver, err := readMessage(c.conn)
	if err != nil {
		return err
	}
	if m.typ != typeHello {
		return fmt.Errorf("expected a hello, got type %d: %w", m.typ, ErrBadMessage)
	}
	v, err := negotiate(versions, Version(ver), m.body)
	if err != nil {
		return fmt.Errorf("the switch offers %v: %w", Version(ver), err)
	}
	c.version = v
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
		m, _, err = readMessage(r)
		if err != nil {
			break
		}
		if m.typ == typeEchoRequest {
			_ = c.write(context.Background(), typeEchoReply, m.xid, m.body)
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

// Close closes the connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrClosed
	}
	c.mu.Unlock()
	return c.conn.Close()
}

// write sends one message, bounded by ctx.
func (c *Conn) write(ctx context.Context, typ uint8, xid uint32, body []byte) error {
	msg, err := appendFrame(nil, c.version, typ, xid, body)
	if err != nil {
		return err
	}
	return c.writeRaw(ctx, msg)
}

// appendFrame appends a message with its header.
func appendFrame(b []byte, v Version, typ uint8, xid uint32, body []byte) ([]byte, error) {
	if 8+len(body) > maxMessage {
		return b, fmt.Errorf("openflow: message of %d bytes: %w", 8+len(body), ErrUnsupported)
	}
	b = append(b, byte(v), typ, 0, 0, 0, 0, 0, 0)
	binary.BigEndian.PutUint16(b[len(b)-6:], uint16(8+len(body)))
	binary.BigEndian.PutUint32(b[len(b)-4:], xid)
	return append(b, body...), nil
}

// writeRaw writes framed messages in one write, bounded by ctx.
func (c *Conn) writeRaw(ctx context.Context, msg []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	// Each write has its context's deadline (none without one), set only
	// when it differs from the last write's.
	dl, _ := ctx.Deadline()
	if !dl.Equal(c.writeDeadline) {
		_ = c.conn.SetWriteDeadline(dl)
		c.writeDeadline = dl
	}
	_, err := c.conn.Write(msg)
	return err
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

// send writes a message and, with a barrier behind it, waits until the
// switch has processed it: its error if it refused it, nil otherwise.
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
	msg, _ = appendFrame(msg, c.version, typeBarrierRequest, bxid, nil)
	if err := c.writeRaw(ctx, msg); err != nil {
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
			return c.closedErr()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

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
	if err := c.write(ctx, typeBarrierRequest, xid, nil); err != nil {
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
	req := binary.BigEndian.AppendUint16(nil, mtype)
	req = append(req, 0, 0, 0, 0, 0, 0)
	req = append(req, body...)
	if err := c.write(ctx, typeMultipartRequest, xid, req); err != nil {
		return nil, err
	}
	var out [][]byte
	for {
		select {
		case m := <-ch:
			if m.typ == typeError {
				return nil, decodeError(m.body)
			}
			if m.typ != typeMultipartReply || len(m.body) < 8 {
				return nil, fmt.Errorf("openflow: reply type %d: %w", m.typ, ErrBadMessage)
			}
			out = append(out, m.body[8:])
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
