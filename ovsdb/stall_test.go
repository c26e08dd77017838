package ovsdb_test

// Liveness on a stalled clustered leader, through the public API: the
// inactivity probe drops a silent connection and the client writes
// through the new leader; Dial does not wait on a stopped member; Sync on
// a client still connected to a leader that was stopped and resumed does
// not return before the new leader's commits.

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
	"github.com/ovskit/ovskit/vswitchdb"
)

// stopLeader stops the Northbound leader (SIGSTOP) and waits until
// another member is leader. It returns the old and new leaders' indexes
// and a function that resumes the old one (also run at cleanup).
func stopLeader(t *testing.T, ctx context.Context, c *ovstest.Central) (old, next int, resume func()) {
	t.Helper()
	old, _ = leaderEndpoint(t, ctx, c)
	pid := c.MemberPID(ovsproc.NB, old)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	resume = func() { once.Do(func() { _ = syscall.Kill(pid, syscall.SIGCONT) }) }
	t.Cleanup(resume)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no new leader while the old one is stopped")
		}
		for i := range c.Members() {
			if i == old {
				continue
			}
			sctx, cancel := context.WithTimeout(ctx, time.Second)
			st, err := c.Status(sctx, ovsproc.NB, i)
			cancel()
			if err == nil && st.Role == "leader" {
				return old, i, resume
			}
		}
	}
}

// TestStalledLeaderFailover: writers on a cluster whose leader is stopped
// (SIGSTOP, not killed: its sockets stay open and silent) write through
// the new leader within the election time plus the inactivity probe; a
// fresh Dial with the stopped member first does not wait on it.
func TestStalledLeaderFailover(t *testing.T) {
	t.Parallel()
	c := ovstest.NewCentral(t, ovstest.Members(3), ovstest.WithoutNorthd())
	ctx := testCtx(t, 2*time.Minute)
	const probe = time.Second
	const writers = 4
	clients := make([]*ovsdb.Client, writers)
	for i := range clients {
		// A reconnect may try the stopped member again: the connect
		// timeout bounds that as the probe bounds a silent connection.
		cl, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()),
			ovsdb.WithInactivityProbe(probe), ovsdb.WithConnectTimeout(probe), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		clients[i] = cl
	}
	var stopped time.Time
	var mu sync.Mutex
	firstAfter := make([]time.Duration, writers)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				opCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
				call := time.Now()
				_, err := cl.Transact(opCtx, nb.AddSwitch(fmt.Sprintf("w%d-%d", w, n)))
				cancel()
				if err != nil {
					continue // outcome unknown or not connected: write again
				}
				mu.Lock()
				if !stopped.IsZero() && call.After(stopped) && firstAfter[w] == 0 {
					firstAfter[w] = time.Since(stopped)
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond) // writes in flight
	mu.Lock()
	stopped = time.Now()
	mu.Unlock()
	old, next, resume := stopLeader(t, ctx, c)
	election := time.Since(stopped)
	// The silent connection is dropped after 2 probes; a reconnect may
	// spend one connect timeout on the stopped member.
	bound := election + 3*probe + 3*time.Second
	deadline := time.Now().Add(bound + 2*time.Second)
	for {
		mu.Lock()
		all := true
		for _, d := range firstAfter {
			all = all && d > 0
		}
		mu.Unlock()
		if all || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(done)
	wg.Wait()
	t.Logf("leader %d stopped; %d elected after %v; each writer's first commit after the stop: %v", old, next, election, firstAfter)
	for w, d := range firstAfter {
		if d == 0 || d > bound {
			t.Errorf("writer %d: first commit after the stop after %v (election %v, probe %v)", w, d, election, probe)
		}
	}
	// A fresh Dial, the stopped member first, with the default timeouts.
	eps := []string{c.MemberEndpoint(ovsproc.NB, old)}
	for i := range c.Members() {
		if i != old {
			eps = append(eps, c.MemberEndpoint(ovsproc.NB, i))
		}
	}
	start := time.Now()
	fresh, err := ovsdb.Dial(ctx, strings.Join(eps, ","), ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithoutShuffle())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	took := time.Since(start)
	t.Logf("Dial with the stopped member first: %v, connected to %s", took, fresh.Endpoint())
	if took > ovsdb.DefaultConnectTimeout+3*time.Second {
		t.Errorf("Dial took %v with a stopped member first", took)
	}
	resume()
}

// TestSyncAfterResumedLeader: a client stays on the leader while it is
// stopped (briefly, under the probe); another commits through the new
// leader; the old leader resumes. Sync on the first client must not
// return before it sees that commit: a resumed leader answers with stale
// data until it learns of the new term.
func TestSyncAfterResumedLeader(t *testing.T) {
	t.Parallel()
	c := ovstest.NewCentral(t, ovstest.Members(3), ovstest.WithoutNorthd())
	ctx := testCtx(t, 4*time.Minute)
	rounds := 20
	if testing.Short() {
		rounds = 3
	}
	// The probe is longer than a round's stop, so that the client is
	// still on the old leader when it resumes.
	slow, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithInactivityProbe(time.Minute),
		ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	stale := 0
	for r := range rounds {
		_, ep := leaderEndpoint(t, ctx, c)
		for deadline := time.Now().Add(20 * time.Second); slow.Endpoint() != ep; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the client is on %s, the leader is %s", r, slow.Endpoint(), ep)
			}
		}
		if err := slow.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		_, next, resume := stopLeader(t, ctx, c)
		writer, err := ovsdb.Dial(ctx, c.MemberEndpoint(ovsproc.NB, next), ovsdb.WithDatabase(nbdb.Database()))
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("round%d", r)
		if _, err := writer.Transact(ctx, nb.AddSwitch(name)); err != nil {
			t.Fatal(err)
		}
		writer.Close()
		resume()
		if err := slow.Sync(ctx); err != nil {
			t.Fatalf("round %d: sync: %v", r, err)
		}
		if err := slow.View(ctx, func(tx *ovsdb.Tx) error {
			if _, err := nb.Switch(tx, name); err != nil {
				stale++
				t.Logf("round %d: after Sync on %s: %v", r, slow.Endpoint(), err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d stale of %d rounds", stale, rounds)
	if stale > 0 {
		t.Errorf("Sync returned without another client's commit in %d of %d rounds", stale, rounds)
	}
}

// TestSilentEndpointFailover: the first endpoint accepts TCP connections
// and never answers (a stopped server, a black hole); Dial and a CLI-style
// transaction go on to the next endpoint after the connect timeout, as
// ovn-nbctl does after its probe, instead of waiting for the context.
func TestSilentEndpointFailover(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithTCP())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	ctx := testCtx(t, time.Minute)
	if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), addBridge("br0")); err != nil {
		t.Fatal(err)
	}
	eps := "tcp:" + ln.Addr().String() + "," + s.TCPEndpoint
	for i, tt := range []struct {
		name    string
		opts    []ovsdb.Option
		timeout time.Duration
	}{
		{"defaults", nil, ovsdb.DefaultConnectTimeout},
		{"connect timeout 1s", []ovsdb.Option{ovsdb.WithConnectTimeout(time.Second)}, time.Second},
	} {
		start := time.Now()
		c, err := ovsdb.Dial(ctx, eps, append([]ovsdb.Option{ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithoutShuffle()}, tt.opts...)...)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		took := time.Since(start)
		if _, err := c.Transact(ctx, ovsdb.NoWait(), addPort("br0", fmt.Sprint("q", i), "internal")); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		c.Close()
		t.Logf("%s: connected to %s after %v", tt.name, c.Endpoint(), took)
		if took < tt.timeout || took > tt.timeout+3*time.Second {
			t.Errorf("%s: Dial took %v with a silent first endpoint, want the connect timeout %v", tt.name, took, tt.timeout)
		}
	}
}
