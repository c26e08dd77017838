package openflow_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/openflow"
)

// fakeSwitch is a switch that misbehaves as its serve function says. It
// listens on a unix socket of the test's.
type fakeSwitch struct {
	addr string
	wg   sync.WaitGroup
}

// newFakeSwitch starts a fake switch: serve runs on each connection,
// which is closed when serve returns or the test ends (quit closes then).
func newFakeSwitch(t *testing.T, serve func(c net.Conn, quit <-chan struct{})) *fakeSwitch {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sw")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	fs := &fakeSwitch{addr: "unix:" + path}
	var mu sync.Mutex
	var conns []net.Conn
	quit := make(chan struct{})
	fs.wg.Add(1)
	go func() {
		defer fs.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			fs.wg.Add(1)
			go func() {
				defer fs.wg.Done()
				defer c.Close()
				serve(c, quit)
			}()
		}
	}()
	t.Cleanup(func() {
		close(quit)
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		fs.wg.Wait()
	})
	return fs
}

// fakeConn starts a fake switch serving each connection with serve and
// dials it (with opts); the connection is closed when the test ends,
// before the switch.
func fakeConn(t *testing.T, serve func(c net.Conn, quit <-chan struct{}), opts ...openflow.DialOption) *openflow.Conn {
	t.Helper()
	sw := newFakeSwitch(t, serve)
	c, err := openflow.Dial(context.Background(), sw.addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// mute greets, then reads nothing more until the test ends: a switch
// that stopped reading.
func mute(c net.Conn, quit <-chan struct{}) {
	if greet(c) == nil {
		<-quit
	}
}

// hello is an OpenFlow 1.3 hello offering only 1.3.
var hello = []byte{4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 8, 0, 0, 0, 1 << 4}

// readMsg reads one message: its type, xid and body.
func readMsg(r io.Reader) (typ uint8, xid uint32, body []byte, err error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, 0, nil, err
	}
	body = make([]byte, int(binary.BigEndian.Uint16(h[2:]))-8)
	_, err = io.ReadFull(r, body)
	return h[1], binary.BigEndian.Uint32(h[4:]), body, err
}

// greet exchanges hellos.
func greet(c net.Conn) error {
	if _, err := c.Write(hello); err != nil {
		return err
	}
	_, _, _, err := readMsg(c)
	return err
}

// within fails the test if fn takes longer than d.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	start := time.Now()
	fn()
	if took := time.Since(start); took > d {
		t.Errorf("%s took %v; want at most %v", what, took, d)
	}
}

// noLeaks fails the test if goroutines are left a while after it.
func noLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines left (%d before):\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
	})
}

func flow(t *testing.T, s string) *openflow.Flow {
	t.Helper()
	f, err := openflow.ParseFlow(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDialHonoursContext: a switch that never says hello holds Dial only
// as long as its context: until the deadline, or until it is cancelled.
func TestDialHonoursContext(t *testing.T) {
	noLeaks(t)
	sw := newFakeSwitch(t, func(c net.Conn, quit <-chan struct{}) { _, _ = io.Copy(io.Discard, c) })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	within(t, time.Second, "Dial with a deadline", func() {
		if _, err := openflow.Dial(ctx, sw.addr); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Dial: %v; want the context's deadline", err)
		}
	})
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel2)
	within(t, time.Second, "Dial cancelled", func() {
		if _, err := openflow.Dial(ctx2, sw.addr); !errors.Is(err, context.Canceled) {
			t.Errorf("Dial: %v; want context.Canceled", err)
		}
	})
}

// TestSwitchThatStopsReading: once the switch stops reading, a big write
// blocks; it ends by its context, and so does every other call, each by
// its own deadline or cancellation (none waits behind the blocked write),
// and a write cut short closes the connection instead of leaving it
// misframed.
func TestSwitchThatStopsReading(t *testing.T) {
	noLeaks(t)
	c := fakeConn(t, mute)
	var flows []*openflow.Flow
	for i := range 20000 {
		flows = append(flows, flow(t, "priority=1,tcp,tp_dst="+strconv.Itoa(i%65536)+",actions=drop"))
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		within(t, 1500*time.Millisecond, "a bundle of 20000 flows to a switch that does not read", func() {
			if err := c.AddFlowsAtomic(ctx, flows...); err == nil {
				t.Error("AddFlowsAtomic succeeded on a switch that reads nothing")
			} else if errors.Is(err, openflow.ErrOutcomeUnknown) {
				t.Errorf("AddFlowsAtomic: %v; a bundle never committed is not applied, not unknown", err)
			}
		})
	}()
	time.Sleep(100 * time.Millisecond) // the bundle's write is blocked now
	// Twenty calls cancelled after 200 ms, and twenty with deadlines of
	// 300 ms: none waits for the blocked write.
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if i%2 == 0 {
				time.AfterFunc(200*time.Millisecond, cancel)
			} else {
				ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
				defer cancel()
			}
			within(t, time.Second, "AddFlows while a write is blocked", func() {
				if err := c.AddFlows(ctx, flow(t, "priority=2,actions=drop")); err == nil {
					t.Error("AddFlows succeeded on a switch that reads nothing")
				}
			})
		}()
	}
	wg.Wait()
}

// TestPartialWriteCloses: a write the deadline cuts short, part of a
// message in the switch's socket, closes the connection: the next call
// fails with ErrClosed instead of sending a message the switch would
// read from the middle of the last.
func TestPartialWriteCloses(t *testing.T) {
	noLeaks(t)
	c := fakeConn(t, mute)
	frame := make([]byte, 60000) // socket buffers hold a few: one is cut
	var last error
	for i := 0; i < 50 && !errors.Is(last, openflow.ErrClosed); i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		last = c.PacketOut(ctx, openflow.PortController, frame, nil)
		cancel()
	}
	if !errors.Is(last, openflow.ErrClosed) {
		t.Fatalf("50 packet-outs of 60000 bytes to a switch that reads nothing; the last: %v; want ErrClosed after one is cut short", last)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := c.Barrier(ctx); !errors.Is(err, openflow.ErrClosed) {
		t.Errorf("Barrier after a write cut short: %v; want ErrClosed", err)
	}
}

// TestSwitchThatFloodsEchoes: a switch sending echo requests without
// reading the replies neither freezes the connection nor keeps
// goroutines after Close.
func TestSwitchThatFloodsEchoes(t *testing.T) {
	noLeaks(t)
	c := fakeConn(t, func(c net.Conn, quit <-chan struct{}) {
		if greet(c) != nil {
			return
		}
		echo := make([]byte, 1024)
		copy(echo, []byte{4, 2, 4, 0})
		for {
			if _, err := c.Write(echo); err != nil {
				return
			}
		}
	})
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	within(t, 1200*time.Millisecond, "Barrier while echoes flood in", func() {
		if err := c.Barrier(ctx); err == nil {
			t.Error("Barrier succeeded on a switch that reads nothing")
		}
	})
	c.Close()
}

// TestEndlessMultipart: a reply whose parts never end is refused at the
// size WithMaxReplySize sets, with ErrReplyTooLarge.
func TestEndlessMultipart(t *testing.T) {
	noLeaks(t)
	c := fakeConn(t, func(c net.Conn, quit <-chan struct{}) {
		if greet(c) != nil {
			return
		}
		for {
			typ, xid, _, err := readMsg(c)
			if err != nil {
				return
			}
			if typ != 18 { // a multipart request
				continue
			}
			part := make([]byte, 16+8000)
			copy(part, []byte{4, 19})
			binary.BigEndian.PutUint16(part[2:], uint16(len(part)))
			binary.BigEndian.PutUint32(part[4:], xid)
			binary.BigEndian.PutUint16(part[8:], 1)  // OFPMP_FLOW
			binary.BigEndian.PutUint16(part[10:], 1) // more to come
			for {
				if _, err := c.Write(part); err != nil {
					return
				}
			}
		}
	}, openflow.WithMaxReplySize(1<<20))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	within(t, 3*time.Second, "DumpFlows of an endless reply", func() {
		if _, err := c.DumpFlows(ctx, nil); !errors.Is(err, openflow.ErrReplyTooLarge) {
			t.Errorf("DumpFlows: %v; want ErrReplyTooLarge", err)
		}
	})
}

// TestHalfWrittenMessage: a switch that sends half a message and stalls
// holds a call only until its deadline.
func TestHalfWrittenMessage(t *testing.T) {
	noLeaks(t)
	c := fakeConn(t, func(c net.Conn, quit <-chan struct{}) {
		if greet(c) != nil {
			return
		}
		_, _ = c.Write([]byte{4, 21, 0, 16})
		_, _ = io.Copy(io.Discard, c)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	within(t, time.Second, "Barrier with half a message in", func() {
		if err := c.Barrier(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Barrier: %v; want the deadline", err)
		}
	})
}

// TestOutcome: a flow written whose answer never comes is
// ErrOutcomeUnknown (an *OutcomeUnknownError); one never written (the
// context already done, the connection closed) is not.
func TestOutcome(t *testing.T) {
	noLeaks(t)
	c := fakeConn(t, func(c net.Conn, quit <-chan struct{}) {
		if greet(c) == nil {
			_, _ = io.Copy(io.Discard, c) // reads all, answers nothing
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := c.AddFlows(ctx, flow(t, "priority=1,actions=drop"))
	var ou *openflow.OutcomeUnknownError
	if !errors.As(err, &ou) || !errors.Is(err, openflow.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("AddFlows answered by nothing: %v; want an *OutcomeUnknownError wrapping the deadline", err)
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := c.AddFlows(done, flow(t, "priority=1,actions=drop")); !errors.Is(err, context.Canceled) || errors.Is(err, openflow.ErrOutcomeUnknown) {
		t.Errorf("AddFlows with a cancelled context: %v; want context.Canceled, not unknown", err)
	}
	c.Close()
	if err := c.AddFlows(context.Background(), flow(t, "priority=1,actions=drop")); !errors.Is(err, openflow.ErrClosed) || errors.Is(err, openflow.ErrOutcomeUnknown) {
		t.Errorf("AddFlows on a closed connection: %v; want ErrClosed, not unknown", err)
	}
}

// TestOutcomeOnStoppedSwitch: with ovs-vswitchd stopped (SIGSTOP), flows
// added with short deadlines fail; once it runs again, every flow it
// installed is one whose call said ErrOutcomeUnknown, never one whose
// call said it was not sent.
func TestOutcomeOnStoppedSwitch(t *testing.T) {
	s, sw := newOFSwitch(t)
	pid := s.VSwitchdPID()
	if pid == 0 {
		t.Fatal("no ovs-vswitchd pid")
	}
	c, err := openflow.Dial(context.Background(), sw.a)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
				t.Error(err)
			}
		}
	}
	defer resume()
	errs := make([]error, 30)
	for i := range errs {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		errs[i] = c.AddFlows(ctx, flow(t, "priority=1,tcp,tp_dst="+strconv.Itoa(1000+i)+",actions=drop"))
		cancel()
	}
	resume()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Whatever was written is processed now: a fresh connection's barrier
	// comes after it.
	c2, err := openflow.Dial(ctx, sw.a)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	time.Sleep(500 * time.Millisecond)
	if err := c2.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	dump := dumpSorted(ctx, t, openflow.OpenFlow13, sw.a)
	var unknown, installed int
	for i, err := range errs {
		in := strings.Contains(dump, "tp_dst="+strconv.Itoa(1000+i)+" ")
		if in {
			installed++
		}
		switch {
		case err == nil:
			t.Errorf("flow %d: AddFlows succeeded on a stopped switch", i)
		case errors.Is(err, openflow.ErrOutcomeUnknown):
			unknown++
		case in:
			t.Errorf("flow %d: installed, but AddFlows said %v (not ErrOutcomeUnknown)", i, err)
		}
	}
	t.Logf("30 flows to a stopped switch: %d outcome unknown, %d installed once it ran again", unknown, installed)
	if unknown == 0 {
		t.Error("no call reported ErrOutcomeUnknown, yet the first flow was sent whole")
	}
}

// TestDumpErrorNamesTheFlow: a flow the switch sends malformed fails the
// dump with an error naming the flow (cookie, table, priority); an error
// about a long line quotes only its start.
func TestDumpErrorNamesTheFlow(t *testing.T) {
	noLeaks(t)
	c := fakeConn(t, func(c net.Conn, quit <-chan struct{}) {
		if greet(c) != nil {
			return
		}
		for {
			typ, xid, _, err := readMsg(c)
			if err != nil {
				return
			}
			if typ != 18 {
				continue
			}
			// One flow stats entry: table 3, priority 7, cookie 0x99, an
			// empty match, and an apply-actions instruction holding an
			// action of length 3.
			e := make([]byte, 48)
			e[2] = 3
			binary.BigEndian.PutUint16(e[12:], 7)
			binary.BigEndian.PutUint64(e[24:], 0x99)
			e = append(e, 0, 1, 0, 4, 0, 0, 0, 0)                          // OXM match, no fields, padded
			e = append(e, 0, 4, 0, 16, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0) // apply-actions: a bad action
			binary.BigEndian.PutUint16(e, uint16(len(e)))
			msg := append([]byte{4, 19, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, e...)
			binary.BigEndian.PutUint16(msg[2:], uint16(len(msg)))
			binary.BigEndian.PutUint32(msg[4:], xid)
			if _, err := c.Write(msg); err != nil {
				return
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.DumpFlows(ctx, nil)
	if !errors.Is(err, openflow.ErrBadMessage) || !strings.Contains(err.Error(), "cookie=0x99, table=3, priority=7") {
		t.Errorf("DumpFlows of a malformed flow: %v; want ErrBadMessage naming cookie=0x99, table=3, priority=7", err)
	}
	_, err = openflow.ParseFlow("actions=note:" + strings.Repeat("01", 30000) + "zz")
	if err == nil || len(err.Error()) > 500 {
		t.Errorf("ParseFlow of a 60 KB note with a bad digit: an error of %d bytes; want a short one", len(err.Error()))
	}
}
