package ovsdb_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vswitchdb"
)

// countHandler counts the log records with one message.
type countHandler struct {
	msg string
	n   *atomic.Int64
}

func (h countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return nil
}
func (h countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countHandler) WithGroup(string) slog.Handler      { return h }

// TestReconnectBacksOff: with the server gone, reconnection attempts are
// spaced by a backoff that doubles up to its maximum: from 10 ms to 80 ms,
// about 15 attempts a second, not a busy loop.
func TestReconnectBacksOff(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithoutClient())
	var failed atomic.Int64
	log := slog.New(countHandler{"ovsdb: reconnect failed", &failed})
	c, err := ovsdb.Dial(testCtx(t, 10*time.Second), s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithBackoff(10*time.Millisecond, 80*time.Millisecond), ovsdb.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s.StopDB()
	time.Sleep(100 * time.Millisecond)
	start := failed.Load()
	time.Sleep(time.Second)
	n := failed.Load() - start
	t.Logf("%d failed attempts in 1 s", n)
	if n < 5 || n > 40 {
		t.Errorf("%d reconnection attempts in a second; with a backoff from 10 to 80 ms, want about 13", n)
	}
}

// TestCloseEndsSession: Close closes the connection: the server drops the
// client's session and its monitors.
func TestCloseEndsSession(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithoutClient())
	ctx := testCtx(t, 20*time.Second)
	monitors := func() string {
		out, err := appctl.Call(ctx, s.DBCtl(), "memory/show")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range strings.Fields(out) {
			if strings.HasPrefix(f, "monitors:") {
				return strings.TrimPrefix(f, "monitors:")
			}
		}
		return "0"
	}
	c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// Without the client's monitors first, their absence after would
	// prove nothing.
	if n := monitors(); n == "0" {
		t.Fatalf("memory/show reports no monitors while the client is connected")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); monitors() != "0"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after Close the server still has %s monitors", monitors())
		}
	}
}

// TestRetryOnceCacheMoved: a transaction whose verified read was changed
// by another client conflicts; when the client's cache already shows the
// change, it runs again at once (it does not wait for a further change
// that may never come) and commits on the second attempt.
func TestRetryOnceCacheMoved(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 10*time.Second)
	other, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithNoWait())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	attempts := 0
	start := time.Now()
	_, err = s.Client.Do(ctx, func(tx *ovsdb.Tx) error {
		tx.NoWait()
		attempts++
		p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
		if err != nil {
			return err
		}
		if err := tx.Verify(p, "external_ids"); err != nil {
			return err
		}
		if attempts == 1 {
			if _, err := other.Transact(ctx, setCounter("p1", 100)); err != nil {
				return err
			}
			if _, err := ovsdb.WaitUntil(ctx, s.Client, func(q *vswitchdb.Port) bool { return q.Name == "p1" && q.ExternalIDs["n"] == "100" }); err != nil {
				return err
			}
		}
		n, _ := strconv.Atoi(p.ExternalIDs["n"])
		p.ExternalIDs = map[string]string{"n": strconv.Itoa(n + 1)}
		return tx.Update(p, "external_ids")
	})
	if err != nil {
		t.Fatal(err)
	}
	if attempts != 2 {
		t.Errorf("%d attempts, want 2", attempts)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the retry took %v", d)
	}
	if n := serverCounter(t, s, "p1"); n != 101 {
		t.Errorf("counter %d, want 101", n)
	}
}
