package ovsdb

import (
	"context"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scriptedConn is a connection to a server that never answers: Read blocks
// until Close, and each Write is answered by write, called with the number
// of writes before it.
type scriptedConn struct {
	net.Conn
	closed chan struct{}
	once   sync.Once
	mu     sync.Mutex
	writes int
	write  func(i int, p []byte) (int, error)
}

func newScriptedConn(write func(i int, p []byte) (int, error)) *scriptedConn {
	return &scriptedConn{closed: make(chan struct{}), write: write}
}

func (c *scriptedConn) Read([]byte) (int, error) {
	<-c.closed
	return 0, net.ErrClosed
}

func (c *scriptedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	i := c.writes
	c.writes++
	c.mu.Unlock()
	return c.write(i, p)
}

func (c *scriptedConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

// TestWriteFailureTellsWhatWasSent: when the connection breaks during a
// write, a request none of whose bytes were accepted is reported as never
// sent (so it may be retried on another connection), and one that was
// accepted, even in part, as sent.
func TestWriteFailureTellsWhatWasSent(t *testing.T) {
	t.Run("the caller's own write", func(t *testing.T) {
		for _, tc := range []struct {
			name     string
			accepted int
			wantSent bool
		}{
			{"nothing accepted", 0, false},
			{"a part accepted", 5, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				nc := newScriptedConn(func(_ int, p []byte) (int, error) { return tc.accepted, syscall.EPIPE })
				c := newRPCConn(nc, DefaultMaxMessageSize, nil, nil)
				defer c.close()
				_, sent, err := c.call(context.Background(), "echo", []any{}, nil)
				if err == nil || sent != tc.wantSent {
					t.Fatalf("sent %v, err %v; want sent %v and an error", sent, err, tc.wantSent)
				}
			})
		}
	})
	t.Run("the writer goroutine's batch", func(t *testing.T) {
		// The first request's write is held until two more are queued; the
		// writer goroutine then writes those two in one batch, of which the
		// connection accepts the first and refuses the second.
		release := make(chan struct{})
		nc := newScriptedConn(func(i int, p []byte) (int, error) {
			switch i {
			case 0:
				<-release
				return len(p), nil
			case 1:
				return len(p), nil
			default:
				return 0, syscall.EPIPE
			}
		})
		c := newRPCConn(nc, DefaultMaxMessageSize, nil, nil)
		defer c.close()
		type outcome struct {
			sent bool
			err  error
		}
		results := make([]chan outcome, 3)
		for i := range results {
			results[i] = make(chan outcome, 1)
			go func() {
				_, sent, err := c.call(context.Background(), "echo", []any{i}, nil)
				results[i] <- outcome{sent, err}
			}()
			if i == 0 {
				waitFor(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.writing })
			} else {
				waitFor(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.queue) == i })
			}
		}
		close(release)
		var sent []bool
		for i, ch := range results {
			o := <-ch
			if o.err == nil {
				t.Fatalf("request %d: no error from a connection that broke", i)
			}
			sent = append(sent, o.sent)
		}
		if !sent[0] || !sent[1] || sent[2] {
			t.Errorf("sent %v, want [true true false]", sent)
		}
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
