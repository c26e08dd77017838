package ovsdb_test

// Tests of the core's promises, one per defect that was reproduced on the
// old core: snapshot reads, independent values, honest cancellation,
// absence confirmed by the server, writes bounded by the context, typed
// outcomes, bad bytes refused before sending, and the documented error
// mappings.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// portCounter reads the counter n of port name's external_ids in tx.
func portCounter(tx *ovsdb.Tx, name string) (*vswitchdb.Port, int, error) {
	p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", name)
	if err != nil {
		return nil, 0, err
	}
	n, _ := strconv.Atoi(p.ExternalIDs["n"])
	return p, n, nil
}

// setCounter is a command that writes n into port name's external_ids.
func setCounter(name string, n int) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		p, _, err := portCounter(tx, name)
		if err != nil {
			return err
		}
		p.ExternalIDs = map[string]string{"n": strconv.Itoa(n)}
		return tx.Update(p, "external_ids")
	})
}

// serverCounter reads port name's counter through a fresh client, whose
// first snapshot is the server's state.
func serverCounter(t *testing.T, s *ovstest.Server, name string) int {
	t.Helper()
	c, err := ovsdb.Dial(testCtx(t, 10*time.Second), s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer c.Close()
	var n int
	require.NoError(t, c.View(testCtx(t, 10*time.Second), func(tx *ovsdb.Tx) error {
		_, n, err = portCounter(tx, name)
		return err
	}))
	return n
}

func newSwitch(t *testing.T, opts ...ovstest.Option) *ovstest.Server {
	t.Helper()
	s := ovstest.NewServer(t, opts...)
	_, err := s.Client.Transact(testCtx(t, 10*time.Second), ovsdb.NoWait(), addBridge("br0"), addPort("br0", "p1", "internal"))
	require.NoError(t, err)
	return s
}

// TestSnapshotRead: a transaction reads one version of the database however
// the cache moves meanwhile, and Verify asserts the value it read.
func TestSnapshotRead(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 20*time.Second)
	other, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer other.Close()
	runs := 0
	_, err = s.Client.Do(ctx, func(tx *ovsdb.Tx) error {
		tx.NoWait()
		runs++
		p, first, err := portCounter(tx, "p1")
		if err != nil {
			return err
		}
		if runs == 1 {
			// Another client commits n=1, and this client's cache shows it.
			if _, err := other.Transact(ctx, ovsdb.NoWait(), setCounter("p1", 1)); err != nil {
				return err
			}
			if _, err := ovsdb.WaitUntil(ctx, s.Client, func(p *vswitchdb.Port) bool { return p.ExternalIDs["n"] == "1" }); err != nil {
				return err
			}
			_, again, err := portCounter(tx, "p1")
			if err != nil {
				return err
			}
			if again != first {
				return fmt.Errorf("the view moved under the transaction: read %d, then %d", first, again)
			}
		}
		if err := tx.Verify(p, "external_ids"); err != nil {
			return err
		}
		p.ExternalIDs = map[string]string{"n": strconv.Itoa(first + 1)}
		return tx.Update(p, "external_ids")
	})
	require.NoError(t, err)
	assert.Equal(t, 2, runs, "the verify of the first run must fail and the transaction re-run")
	assert.Equal(t, 2, serverCounter(t, s, "p1"), "two increments")
}

// TestConcurrentIncrements: 8 goroutines, each with its own client, × 20
// read-modify-write increments of one counter end at exactly 160, through
// Do with Verify and through port.Update.
func TestConcurrentIncrements(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 60*time.Second)
	const workers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Optimistic retries give no fairness: on a loaded machine a
			// client with a slower path (the container backend's
			// forwarder) was seen to lose 101 times in a row. This test is
			// about lost updates, not fairness: it allows more retries.
			c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithMaxRetries(10000))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for range each {
				var err error
				if w%2 == 0 {
					_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
						tx.NoWait()
						p, n, err := portCounter(tx, "p1")
						if err != nil {
							return err
						}
						if err := tx.Verify(p, "external_ids"); err != nil {
							return err
						}
						p.ExternalIDs = map[string]string{"n": strconv.Itoa(n + 1)}
						return tx.Update(p, "external_ids")
					})
				} else {
					// port.Update is a read-modify-write: it verifies what f read.
					_, err = c.Transact(ctx, ovsdb.NoWait(), port.Update("p1", func(p *vswitchdb.Port) error {
						n, _ := strconv.Atoi(p.ExternalIDs["n"])
						p.ExternalIDs = map[string]string{"n": strconv.Itoa(n + 1)}
						return nil
					}, "external_ids"))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, workers*each, serverCounter(t, s, "p1"))
}

// TestIndependentValues: what a read hands out is the caller's; editing it
// changes neither the cache nor a later write.
func TestIndependentValues(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 20*time.Second)
	_, err := s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
		if err != nil {
			return err
		}
		tag := 5
		p.Tag, p.Trunks, p.ExternalIDs = &tag, []int{3, 1, 2}, map[string]string{"a": "1"}
		return tx.Update(p, "tag", "trunks", "external_ids")
	}))
	require.NoError(t, err)
	edit := func(p *vswitchdb.Port) {
		p.ExternalIDs["owner"] = "never-committed"
		*p.Tag = 99
		slices.Sort(p.Trunks)
	}
	want := func(t *testing.T, p *vswitchdb.Port) {
		t.Helper()
		assert.Equal(t, map[string]string{"a": "1"}, p.ExternalIDs)
		require.NotNil(t, p.Tag)
		assert.Equal(t, 5, *p.Tag)
		assert.ElementsMatch(t, []int{3, 1, 2}, p.Trunks)
	}
	// Edits of a row read in a View.
	require.NoError(t, s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
		if err != nil {
			return err
		}
		trunks := slices.Clone(p.Trunks)
		edit(p)
		q, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
		if err != nil {
			return err
		}
		assert.Equal(t, trunks, q.Trunks, "a second read in the same view")
		return nil
	}))
	// Edits of rows from List, Rows, Get and WaitUntil.
	require.NoError(t, s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		ports, err := ovsdb.List[vswitchdb.Port](tx)
		if err != nil {
			return err
		}
		for _, p := range ports {
			if p.Name == "p1" {
				edit(p)
				g, err := ovsdb.Get[vswitchdb.Port](tx, p.UUID)
				if err != nil {
					return err
				}
				want(t, g)
				edit(g)
			}
		}
		rows, err := tx.Rows(vswitchdb.TablePort)
		for _, r := range rows {
			if p := r.(*vswitchdb.Port); p.Name == "p1" {
				want(t, p)
				edit(p)
			}
		}
		return err
	}))
	w, err := ovsdb.WaitUntil(ctx, s.Client, func(p *vswitchdb.Port) bool { return p.Name == "p1" })
	require.NoError(t, err)
	edit(w)
	// Edits of a value handed to Update after the call.
	_, err = s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br0")
		if err != nil {
			return err
		}
		ids := map[string]string{"k": "v"}
		br.ExternalIDs = ids
		if err := tx.Update(br, "external_ids"); err != nil {
			return err
		}
		ids["k"] = "changed-after-update"
		return nil
	}))
	require.NoError(t, err)
	// An unrelated write of the same row.
	_, err = s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
		if err != nil {
			return err
		}
		want(t, p)
		p.OtherConfig = map[string]string{"x": "y"}
		return tx.Update(p, "other_config")
	}))
	require.NoError(t, err)
	dump, err := s.Dump()
	require.NoError(t, err)
	assert.False(t, strings.Contains(dump, "never-committed"), "an edit of a copy reached the server")
	assert.False(t, strings.Contains(dump, "changed-after-update"), "an edit after Update reached the server")
	fresh, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer fresh.Close()
	require.NoError(t, fresh.View(ctx, func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
		if err == nil {
			want(t, p)
		}
		return err
	}))
}

// TestIndependentValuesRace edits handed-out rows while the monitor applies
// updates to the same rows: the race detector must find nothing.
func TestIndependentValuesRace(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 30*time.Second)
	events, err := ovsdb.Watch[vswitchdb.Port](ctx, s.Client)
	require.NoError(t, err)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(2)
	go func() { // a writer moves the cache
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
				p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
				if err != nil {
					return err
				}
				return tx.Mutate(p, ovsdb.Insert("external_ids", map[string]string{fmt.Sprint("k", i): "v"}))
			})); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() { // a watcher edits what it receives
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case ev := <-events:
				if ev.New != nil {
					ev.New.ExternalIDs["mine"] = "x"
					ev.New.Interfaces = append(ev.New.Interfaces[:0], "x")
				}
			}
		}
	}()
	for range 500 {
		require.NoError(t, s.Client.View(ctx, func(tx *ovsdb.Tx) error {
			p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
			if err != nil {
				return err
			}
			for k := range p.ExternalIDs {
				p.ExternalIDs[k] = "edited"
			}
			p.Interfaces[0] = "edited"
			return nil
		}))
	}
	close(stop)
	wg.Wait()
	dump, err := s.Dump()
	require.NoError(t, err)
	assert.False(t, strings.Contains(dump, "edited") || strings.Contains(dump, "mine"), "an edit of a copy reached the server")
}

// TestCancelledContext: a context done before the request is sent sends
// nothing and returns the context's error, never ErrNotConnected.
func TestCancelledContext(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 40 {
		_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addPort("br0", fmt.Sprint("c", i), "internal"))
		require.ErrorIs(t, err, context.Canceled)
		require.NotErrorIs(t, err, ovsdb.ErrNotConnected)
		require.NotErrorIs(t, err, ovsdb.ErrOutcomeUnknown)
	}
	err := s.Client.View(ctx, func(tx *ovsdb.Tx) error { return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, ovsdb.ErrNotConnected)
	_, err = ovsdb.WaitUntil(ctx, s.Client, func(*vswitchdb.Port) bool { return true })
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, ovsdb.ErrNotConnected)
	require.ErrorIs(t, s.Client.Echo(ctx), context.Canceled)
	out, err := s.Vsctl("list-ports", "br0")
	require.NoError(t, err)
	assert.Equal(t, "p1\n", out, "a transaction with a cancelled context committed")
}

// TestAbsenceConfirmed: a command that fails because a row is absent has
// that absence confirmed by the server: a port another client has just
// added is never reported missing.
func TestAbsenceConfirmed(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 60*time.Second)
	b, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer b.Close()
	notFound := 0
	for i := range 200 {
		name := fmt.Sprint("a", i)
		_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addPort("br0", name, "internal"))
		require.NoError(t, err)
		if _, err := b.Transact(ctx, ovsdb.NoWait(), delPort(name)); errors.Is(err, ovsdb.ErrNotFound) {
			notFound++
		} else {
			require.NoError(t, err)
		}
	}
	assert.Zero(t, notFound, "deletes that reported ErrNotFound for a committed port")
	// A real absence is still reported, after the server confirmed it.
	_, err = b.Transact(ctx, ovsdb.NoWait(), delPort("nosuch"))
	require.ErrorIs(t, err, ovsdb.ErrNotFound)
}

// stall stops ovsdb-server (SIGSTOP) for d, in the background.
func stall(t *testing.T, s *ovstest.Server, d time.Duration) {
	t.Helper()
	pid := s.DBPID()
	require.NoError(t, syscall.Kill(pid, syscall.SIGSTOP))
	var once sync.Once
	resume := func() { once.Do(func() { _ = syscall.Kill(pid, syscall.SIGCONT) }) }
	t.Cleanup(resume)
	time.AfterFunc(d, resume)
}

// bigPort is a command that adds a port with an external_ids value of n
// bytes.
func bigPort(name string, n int) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if err := addPort("br0", name, "internal").Run(tx); err != nil {
			return err
		}
		p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", name)
		if err != nil {
			return err
		}
		p.ExternalIDs = map[string]string{"blob": strings.Repeat("x", n)}
		return tx.Update(p, "external_ids")
	})
}

// TestStalledServerHonoursDeadlines: with ovsdb-server stopped, large
// writes and an echo on the same client return by their own deadlines.
func TestStalledServerHonoursDeadlines(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	stall(t, s, 3500*time.Millisecond)
	var wg sync.WaitGroup
	for i, size := range []int{512 << 10, 2 << 20, 8 << 20} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			_, err := s.Client.Transact(ctx, ovsdb.NoWait(), bigPort(fmt.Sprint("big", i), size))
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 2500*time.Millisecond, "a %d-byte transaction held its caller", size)
		}()
	}
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	assert.ErrorIs(t, s.Client.Echo(ctx), context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2500*time.Millisecond, "an echo was held by other callers' writes")
	wg.Wait()
	// Once the server runs again, the client works.
	require.NoError(t, s.Client.Echo(testCtx(t, 20*time.Second)))
}

// TestOutcomes: the three ways a call can fail after trying are told apart
// by type: never sent, sent with the outcome unknown, committed.
func TestOutcomes(t *testing.T) {
	t.Parallel()
	t.Run("never sent", func(t *testing.T) {
		t.Parallel()
		s := newSwitch(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addPort("br0", "x", "internal"))
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, ovsdb.ErrOutcomeUnknown)
		assert.NotErrorIs(t, err, ovsdb.ErrCommitted)
	})
	t.Run("outcome unknown", func(t *testing.T) {
		t.Parallel()
		s := newSwitch(t)
		stall(t, s, 2*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addPort("br0", "sent", "internal"))
		require.ErrorIs(t, err, ovsdb.ErrOutcomeUnknown)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, ovsdb.ErrNotConnected)
		var ou *ovsdb.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		assert.NotEmpty(t, ou.Marker)
		assert.NotEmpty(t, ou.Operations)
		// It was sent: once the server runs again, it commits.
		_, err = ovsdb.WaitUntil(testCtx(t, 20*time.Second), s.Client, func(p *vswitchdb.Port) bool { return p.Name == "sent" })
		require.NoError(t, err)
	})
	t.Run("read only, sent", func(t *testing.T) {
		// A transaction that only reads (its reads verified at commit)
		// changes nothing whatever happened to it: its outcome is not
		// unknown.
		t.Parallel()
		s := newSwitch(t)
		stall(t, s, 2*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			_, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br0")
			return err
		}))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, ovsdb.ErrOutcomeUnknown)
		assert.NotErrorIs(t, err, ovsdb.ErrCommitted)
	})
	t.Run("committed, gave up waiting", func(t *testing.T) {
		t.Parallel()
		s := newSwitch(t) // no ovs-vswitchd: cur_cfg never moves
		c := waitingClient(t, s)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		res, err := c.Transact(ctx, addPort("br0", "p2", "internal"))
		require.ErrorIs(t, err, ovsdb.ErrCommitted)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, ovsdb.ErrNotConnected)
		assert.NotErrorIs(t, err, ovsdb.ErrOutcomeUnknown)
		require.NotNil(t, res)
		assert.NotZero(t, vswitchdb.ReportOf(res).NextCfg)
	})
}

// TestBadBytesRefused: values ovsdb-server cannot store are ErrInvalid
// before anything is sent, and the connection survives.
func TestBadBytesRefused(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 20*time.Second)
	setIDs := func(k, v string) ovsdb.Command {
		return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
			if err != nil {
				return err
			}
			p.ExternalIDs = map[string]string{k: v}
			return tx.Update(p, "external_ids")
		})
	}
	mutateConfig := func(k, v string) ovsdb.Command {
		return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
			if err != nil {
				return err
			}
			return tx.Mutate(p, ovsdb.Insert("other_config", map[string]string{k: v}))
		})
	}
	tests := []struct {
		name string
		cmd  ovsdb.Command
	}{
		{"NUL in a name", addPort("br0", "a\x00b", "internal")},
		{"NUL in an external_ids value", setIDs("k", "v\x00")},
		{"NUL in an external_ids key", setIDs("k\x00", "v")},
		{"NUL in an other_config mutation", mutateConfig("k", "\x00")},
		{"invalid UTF-8 in a name", addPort("br0", "bad\xffname", "internal")},
		{"invalid UTF-8 in a value", setIDs("k", "\xc3")},
		{"NUL in a comment", ovsdb.Comment("a\x00b")},
		{"NUL in a lookup", ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			_, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p\x001")
			return err
		})},
	}
	before, err := s.Dump()
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Client.Transact(ctx, ovsdb.NoWait(), tt.cmd)
			require.ErrorIs(t, err, ovsdb.ErrInvalid)
		})
	}
	after, err := s.Dump()
	require.NoError(t, err)
	assert.True(t, before == after, "the database changed")
	assert.Zero(t, s.Client.Stats().Reconnects, "a bad value reached the server and cost the connection")
}

// TestErrorMappings: every errors.Is mapping the docs promise.
func TestErrorMappings(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 20*time.Second)
	// A server-side duplicate: the index refuses a second interface "p1".
	_, dupErr := s.Client.Transact(ctx, ovsdb.NoWait(), onBridge("br0", func(tx *ovsdb.Tx, br *vswitchdb.Bridge) error {
		iface := &vswitchdb.Interface{Name: "p1"}
		if _, err := tx.Insert(iface); err != nil {
			return err
		}
		port := &vswitchdb.Port{Name: "p9", Interfaces: []string{iface.UUID}}
		if _, err := tx.Insert(port); err != nil {
			return err
		}
		return tx.Mutate(br, ovsdb.Insert("ports", []string{port.UUID}))
	}))
	var lookupErr error
	_ = s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		_, lookupErr = ovsdb.Lookup[vswitchdb.Bridge](tx, "name", 42)
		return nil
	})
	_, notFound := s.Client.Transact(ctx, ovsdb.NoWait(), delPort("nosuch"))
	closed, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	closedErr := closed.Echo(ctx)
	// A wrong column named to port.Update: refused before anything is sent.
	_, unknownColumn := s.Client.Transact(ctx, port.Update("p1", func(*vswitchdb.Port) error { return nil }, "nosuch"))
	unknownTable := s.Client.View(ctx, func(tx *ovsdb.Tx) error { _, err := tx.Rows("Nosuch"); return err })
	waitTimedOut := &ovsdb.OpError{Index: 0, Op: &ovsdb.Operation{Op: "wait", Table: "Port"}, Err: "timed out"}
	notFoundOp := &ovsdb.OpError{Index: 0, Op: &ovsdb.Operation{Op: "update", Table: "Port"}, Err: "not found"}
	tests := []struct {
		name   string
		err    error
		is     []error
		isNot  []error
		asType any
	}{
		{"server duplicate", dupErr, []error{ovsdb.ErrExists, fs.ErrExist}, []error{ovsdb.ErrNotFound, ovsdb.ErrConflict}, new(*ovsdb.OpError)},
		{"failed wait", waitTimedOut, []error{ovsdb.ErrConflict}, []error{ovsdb.ErrExists, ovsdb.ErrNotFound}, nil},
		{"server not found", notFoundOp, []error{ovsdb.ErrNotFound, fs.ErrNotExist}, []error{ovsdb.ErrConflict}, nil},
		{"wrong value type in a lookup", lookupErr, []error{ovsdb.ErrInvalid, fs.ErrInvalid}, []error{ovsdb.ErrNotFound}, nil},
		{"absent row", notFound, []error{ovsdb.ErrNotFound, fs.ErrNotExist}, []error{ovsdb.ErrInvalid}, nil},
		{"closed client", closedErr, []error{ovsdb.ErrClosed, net.ErrClosed}, []error{ovsdb.ErrNotConnected}, nil},
		{"outcome unknown", &ovsdb.OutcomeUnknownError{Err: ovsdb.ErrNotConnected}, []error{ovsdb.ErrOutcomeUnknown, ovsdb.ErrNotConnected}, []error{ovsdb.ErrCommitted}, nil},
		{"interface error", &vswitchdb.InterfaceError{Name: "x"}, []error{ovsdb.ErrCommitted}, []error{ovsdb.ErrOutcomeUnknown}, nil},
		{"unknown column", unknownColumn, []error{ovsdb.ErrUnknownColumn, ovsdb.ErrInvalid, fs.ErrInvalid}, []error{ovsdb.ErrNotFound}, nil},
		{"unknown table", unknownTable, []error{ovsdb.ErrUnknownTable, ovsdb.ErrInvalid}, []error{ovsdb.ErrNotFound}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, tt.err)
			for _, target := range tt.is {
				assert.ErrorIs(t, tt.err, target)
			}
			for _, target := range tt.isNot {
				assert.NotErrorIs(t, tt.err, target)
			}
			if tt.asType != nil {
				assert.ErrorAs(t, tt.err, tt.asType)
			}
		})
	}
	t.Run("dial error names the endpoint once", func(t *testing.T) {
		ep := "unix:" + s.Dir + "/nothing.sock"
		_, err := ovsdb.Dial(ctx, ep, ovsdb.WithDatabase(vswitchdb.Database()))
		require.Error(t, err)
		assert.Equal(t, 1, strings.Count(err.Error(), s.Dir+"/nothing.sock"), err.Error())
	})
}

// TestConcurrentCallsOneClient: many goroutines share one client; every
// call completes and the count is exact (run under -race).
func TestConcurrentCallsOneClient(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 60*time.Second)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), addPort("br0", fmt.Sprintf("g%d-%d", g, i), "internal")); err != nil {
					t.Error(err)
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	require.Zero(t, failed.Load())
	assert.Len(t, portNames(t, s.Client, "br0"), 16*10+2)
}

// TestReconnectCyclesEndpoints: with a dead endpoint listed first, a
// client whose server restarts tries the endpoints in turn and comes back.
func TestReconnectCyclesEndpoints(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 30*time.Second)
	c, err := ovsdb.Dial(ctx, "unix:"+s.Dir+"/nothing.sock,"+s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	require.NoError(t, err)
	defer c.Close()
	s.KillDB()
	time.Sleep(300 * time.Millisecond) // several attempts on both endpoints
	require.NoError(t, s.StartDB(ctx))
	require.NoError(t, c.Sync(ctx))
	assert.Positive(t, c.Stats().Reconnects)
	assert.Equal(t, s.Endpoint, c.Endpoint())
}

// TestMalformedUpdateResyncs: an update2 notification the client cannot
// read is a change its cache missed, so it is never dropped silently: the
// client drops the connection and reloads the database, and its reads are
// the server's again.
func TestMalformedUpdateResyncs(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, params string }{
		{"one element", `["ovskit-1"]`},
		{"not an array", `{"Port":{}}`},
		{"three elements", `["ovskit-1",{},{}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSwitch(t)
			ctx := testCtx(t, 30*time.Second)
			p := newFaultProxy(t, strings.TrimPrefix(s.Endpoint, "unix:"))
			c, err := ovsdb.Dial(ctx, p.endpoint(), ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithNoWait(), ovsdb.WithBackoff(10*time.Millisecond, 50*time.Millisecond))
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, c.Sync(ctx))
			p.inject(`{"id":null,"method":"update2","params":` + tt.params + "}\n")
			require.Eventually(t, func() bool { return c.Stats().Reconnects > 0 }, 10*time.Second, 10*time.Millisecond,
				"a malformed update was dropped silently")
			_, err = c.Transact(ctx, setCounter("p1", 7))
			require.NoError(t, err)
			assert.Equal(t, 7, serverCounter(t, s, "p1"))
		})
	}
}

// TestListSeesOwnWrites: inside a transaction, List shows the
// transaction's own writes: an updated row with its new value, not a
// deleted one, an inserted one; the cache is untouched until commit.
func TestListSeesOwnWrites(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 20*time.Second)
	_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addPort("br0", "p2", "internal"))
	require.NoError(t, err)
	names := func(ports []*vswitchdb.Port) []string {
		var out []string
		for _, p := range ports {
			out = append(out, fmt.Sprintf("%s:%v", p.Name, p.ExternalIDs["k"]))
		}
		slices.Sort(out)
		return out
	}
	_, err = s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		p1, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
		if err != nil {
			return err
		}
		p1.ExternalIDs = map[string]string{"k": "v"}
		if err := tx.Update(p1, "external_ids"); err != nil {
			return err
		}
		ports, err := ovsdb.List[vswitchdb.Port](tx)
		if err != nil {
			return err
		}
		assert.Equal(t, []string{"br0:", "p1:v", "p2:"}, names(ports), "after an update")
		p2, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p2")
		if err != nil {
			return err
		}
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br0")
		if err != nil {
			return err
		}
		br.Ports = slices.DeleteFunc(br.Ports, func(u string) bool { return u == p2.UUID })
		if err := tx.Update(br, "ports"); err != nil {
			return err
		}
		if err := tx.Delete(p2); err != nil {
			return err
		}
		ports, err = ovsdb.List[vswitchdb.Port](tx)
		if err != nil {
			return err
		}
		assert.Equal(t, []string{"br0:", "p1:v"}, names(ports), "after a delete")
		return nil
	}))
	require.NoError(t, err)
	require.NoError(t, s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		ports, err := ovsdb.List[vswitchdb.Port](tx)
		assert.Equal(t, []string{"br0:", "p1:v"}, names(ports), "committed")
		return err
	}))
}

// TestOwnWritesAcrossTables checks that reads which scan the
// transaction's own rows (a lookup by a column without an index,
// FindByKey) see the rows of their table and only those, when rows of
// other tables with the same values are pending too.
func TestOwnWritesAcrossTables(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 20*time.Second)
	_, err := s.Client.Transact(ctx, ovsdb.DryRun(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		owner := map[string]string{"owner": "q"}
		ifc := &vswitchdb.Interface{Name: "q1", Type: "dummy", ExternalIDs: owner}
		if _, err := tx.Insert(ifc); err != nil {
			return err
		}
		if _, err := tx.Insert(&vswitchdb.Port{Name: "q1", Interfaces: []string{ifc.UUID}, ExternalIDs: owner}); err != nil {
			return err
		}
		got, err := ovsdb.Lookup[vswitchdb.Interface](tx, "type", "dummy")
		if err != nil {
			return err
		}
		assert.Equal(t, "q1", got.Name)
		found, err := ovsdb.FindByKey[vswitchdb.Interface](tx, "external_ids", "owner", "q")
		if err != nil {
			return err
		}
		require.Len(t, found, 1)
		assert.Equal(t, "q1", found[0].Name)
		ports, err := ovsdb.FindByKey[vswitchdb.Port](tx, "external_ids", "owner", "q")
		if err != nil {
			return err
		}
		require.Len(t, ports, 1)
		assert.Equal(t, "q1", ports[0].Name)
		return nil
	}))
	require.NoError(t, err)
}

// TestLookupErrorText checks the text and mapping of a lookup that finds
// nothing.
func TestLookupErrorText(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	err := s.Client.View(testCtx(t, 10*time.Second), func(tx *ovsdb.Tx) error {
		_, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "nosuch")
		return err
	})
	require.ErrorIs(t, err, ovsdb.ErrNotFound)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Equal(t, "Port with name nosuch: not found", err.Error())
}
