package ovsdb_test

// The core's concurrency promise, proven the way etcd's robustness tests
// prove theirs: concurrent clients record every operation's invocation and
// response while faults are injected, and a linearizability checker
// (porcupine) decides whether some sequential order explains the history.
// An operation whose answer was lost is "outcome unknown": it may be placed
// anywhere after its invocation, or nowhere. Every operation also leaves a
// marker in the database, so the end state tells which ones committed.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/internal/lincheck"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vlan"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Registers are ports r0..r3: external_ids n is a counter written by
// read-modify-write, bond_updelay a counter written by blind mutations,
// and other_config holds a marker per committed operation.
const registers = 4

// The operations and their model are package lincheck's.
const (
	opIncVerify = lincheck.IncVerify // Do: read n, Verify, write n+1
	opIncUpdate = lincheck.IncUpdate // port.Update: read n, write n+1
	opAdd       = lincheck.Add       // Mutate bond_updelay += 1
	opRead      = lincheck.Read      // Do: read n, m and the tag, verified at commit
	opIncPlain  = lincheck.IncPlain  // Do: read n, Update n+1 (no Verify)
	opSetTag    = lincheck.SetTag    // vlan.SetTag, a blind write
)

// lzKinds are the writes of TestLinearizable's clients, in turn.
var lzKinds = []lincheck.Kind{opIncVerify, opIncUpdate, opAdd, opIncPlain, opSetTag}

// marker is a command that leaves an operation's marker on port name.
func marker(name, m string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", name)
		if err != nil {
			return err
		}
		return tx.Mutate(p, ovsdb.Insert("other_config", map[string]string{m: "1"}))
	})
}

type (
	lzInput  = lincheck.Input
	lzOutput = lincheck.Output
)

// faultProxy forwards unix connections to ovsdb-server and can cut them.
type faultProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]bool // true for the client's side
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("unix", filepath.Join(t.TempDir(), "proxy.sock"))
	require.NoError(t, err)
	p := &faultProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *faultProxy) endpoint() string { return "unix:" + p.ln.Addr().String() }

func (p *faultProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("unix", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns[in], p.conns[out] = true, false
		p.mu.Unlock()
		pipe := func(a, b net.Conn) {
			_, _ = io.Copy(a, b)
			a.Close()
			b.Close()
		}
		go pipe(in, out)
		go pipe(out, in)
	}
}

// inject writes msg to the client side of every connection, as if the
// server had sent it. Use it while the client is idle, so that it cannot
// land inside a message from the server.
func (p *faultProxy) inject(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, client := range p.conns {
		if client {
			_, _ = c.Write([]byte(msg))
		}
	}
}

// cut closes every connection through the proxy.
func (p *faultProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

type lzRecord struct {
	op        porcupine.Operation
	committed bool // reported committed (or, for reads, answered)
	unknown   bool
}

func register(k int) string { return fmt.Sprint("r", k) }

// lzRun runs one operation and returns its output and what was reported.
func lzRun(ctx context.Context, c *ovsdb.Client, in lzInput) (lzOutput, error) {
	name := register(in.Key)
	var out lzOutput
	var err error
	switch in.Kind {
	case opIncVerify, opIncPlain:
		// opIncPlain is the plain read-modify-write: Update verifies
		// what it overwrites, with no Verify of the caller's.
		_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
			tx.NoWait()
			p, n, err := portCounter(tx, name)
			if err != nil {
				return err
			}
			if in.Kind == opIncVerify {
				if err := tx.Verify(p, "external_ids"); err != nil {
					return err
				}
			}
			out.N = n + 1
			p.ExternalIDs = map[string]string{"n": strconv.Itoa(out.N)}
			if err := tx.Update(p, "external_ids"); err != nil {
				return err
			}
			return tx.Mutate(p, ovsdb.Insert("other_config", map[string]string{in.Marker: "1"}))
		})
	case opIncUpdate:
		_, err = c.Transact(ctx, ovsdb.NoWait(), port.Update(name, func(p *vswitchdb.Port) error {
			n, _ := strconv.Atoi(p.ExternalIDs["n"])
			out.N = n + 1
			p.ExternalIDs = map[string]string{"n": strconv.Itoa(out.N)}
			if p.OtherConfig == nil {
				p.OtherConfig = map[string]string{}
			}
			p.OtherConfig[in.Marker] = "1"
			return nil
		}, "external_ids", "other_config"))
	case opAdd:
		_, err = c.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", name)
			if err != nil {
				return err
			}
			return tx.Mutate(p, ovsdb.Mutation{Column: "bond_updelay", Mutator: ovsdb.MutateAdd, Value: 1},
				ovsdb.Insert("other_config", map[string]string{in.Marker: "1"}))
		}))
	case opSetTag:
		_, err = c.Transact(ctx, ovsdb.NoWait(), vlan.SetTag(name, in.Value), marker(name, in.Marker))
	case opRead:
		_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
			p, n, err := portCounter(tx, name)
			if err != nil {
				return err
			}
			out.N, out.M = n, p.BondUpdelay
			if p.Tag != nil {
				out.T = *p.Tag
			}
			return tx.Verify(p, "external_ids", "bond_updelay", "tag")
		})
	}
	return out, err
}

// faultWindow is how long clients go on: each operations without faults;
// with faults, until they are over (at most most).
type faultWindow struct {
	f          lzFault
	each, most int
	done       chan struct{}
	started    chan struct{}
	once       sync.Once
}

func newFaultWindow(f lzFault, each, most int) *faultWindow {
	w := &faultWindow{f: f, each: each, most: most, done: make(chan struct{}), started: make(chan struct{})}
	if f.inject == nil {
		close(w.done)
	}
	return w
}

// begun says a client has done an operation: the faults may start.
func (w *faultWindow) begun() { w.once.Do(func() { close(w.started) }) }

// inject injects the faults, if any, once a client has begun, and then
// ends the window.
func (w *faultWindow) inject(t *testing.T, s *ovstest.Server, p *faultProxy) {
	if w.f.inject == nil {
		return
	}
	<-w.started
	w.f.inject(t, s, p)
	close(w.done)
}

// more says whether a client that did i operations does another.
func (w *faultWindow) more(i int) bool {
	if i < w.each {
		return true
	}
	select {
	case <-w.done:
		return false
	default:
		return i < w.most
	}
}

type lzFault struct {
	name   string
	inject func(t *testing.T, s *ovstest.Server, p *faultProxy)
	// felt says whether the clients noticed the fault.
	felt func(reconnects uint64, unknown, failed int, slowest time.Duration) bool
	// server are the options of the server (its schema, say).
	server []ovstest.Option
	// after, if set, runs once the clients are done, with a client that
	// was connected before the fault and stayed connected through it.
	after func(t *testing.T, ctx context.Context, c *ovsdb.Client)
}

// TestLinearizable records histories of 8 clients doing read-modify-write,
// blind mutations and verified reads on 4 registers, with faults, and
// checks them with porcupine.
func TestLinearizable(t *testing.T) {
	t.Parallel()
	for _, f := range lzFaults() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			lzCheck(t, f)
		})
	}
}

// lzFaults are the faults of the linearizability tests: none,
// ovsdb-server killed and restarted, connections cut, the server stalled.
func lzFaults() []lzFault {
	return []lzFault{
		{name: "no faults"},
		{name: "ovsdb-server killed and restarted", inject: func(t *testing.T, s *ovstest.Server, _ *faultProxy) {
			for range 2 {
				time.Sleep(300 * time.Millisecond)
				s.KillDB()
				time.Sleep(100 * time.Millisecond)
				if err := s.StartDB(context.Background()); err != nil {
					t.Errorf("restart ovsdb-server: %v", err)
					return
				}
			}
		}, felt: func(reconnects uint64, _, _ int, _ time.Duration) bool { return reconnects > 0 }},
		{name: "connections cut", inject: func(t *testing.T, _ *ovstest.Server, p *faultProxy) {
			for range 4 {
				time.Sleep(200 * time.Millisecond)
				p.cut()
			}
		}, felt: func(reconnects uint64, _, _ int, _ time.Duration) bool { return reconnects > 0 }},
		{name: "server stalls", inject: func(t *testing.T, s *ovstest.Server, _ *faultProxy) {
			for range 2 {
				time.Sleep(200 * time.Millisecond)
				pid := s.DBPID()
				_ = syscall.Kill(pid, syscall.SIGSTOP)
				time.Sleep(1200 * time.Millisecond)
				_ = syscall.Kill(pid, syscall.SIGCONT)
			}
		}, felt: func(_ uint64, unknown, failed int, slowest time.Duration) bool {
			return unknown+failed > 0 || slowest > time.Second
		}},
	}
}

func lzCheck(t *testing.T, f lzFault) {
	s := ovstest.NewServer(t, f.server...)
	ctx := testCtx(t, 120*time.Second)
	cmds := []ovsdb.Command{ovsdb.NoWait(), addBridge("br0")}
	for k := range registers {
		cmds = append(cmds, addPort("br0", register(k), "internal"))
	}
	_, err := s.Client.Transact(ctx, cmds...)
	require.NoError(t, err)
	proxy := newFaultProxy(t, s.Endpoint[len("unix:"):])

	// Without faults each client does 20 writes; with faults, clients go
	// on until the faults are over, so that every fault meets operations
	// in flight (bounded: at most 200 writes each).
	const clients, each, most = 8, 20, 200
	var early *ovsdb.Client
	if f.after != nil {
		early, err = ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
		require.NoError(t, err)
		defer early.Close()
	}
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	var mu sync.Mutex
	var records []lzRecord
	var wg sync.WaitGroup
	w := newFaultWindow(f, each, most)
	var reconnects atomic.Uint64
	var slowest atomic.Int64
	for cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ovsdb.Dial(ctx, proxy.endpoint(), ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
			if err != nil {
				t.Error(err)
				return
			}
			defer func() { reconnects.Add(c.Stats().Reconnects); c.Close() }()
			for i := 0; w.more(i); i++ {
				// Writes in a fixed pattern, a read after every other one.
				in := lzInput{Kind: lzKinds[i%len(lzKinds)], Key: (cl + i) % registers, Marker: fmt.Sprintf("o%d-%d", cl, i),
					Value: 1 + (cl*most+i)%4094}
				for _, in := range []lzInput{in, {Kind: opRead, Key: in.Key}} {
					if in.Kind == opRead && i%2 == 1 {
						continue
					}
					opCtx, cancel := context.WithTimeout(ctx, time.Second)
					call := now()
					out, err := lzRun(opCtx, c, in)
					ret := now()
					cancel()
					if d := ret - call; d > slowest.Load() {
						slowest.Store(d)
					}
					w.begun()
					// ErrCommitted: committed, then gave up waiting (for the
					// cache to show it, under load): a commit all the same.
					rec := lzRecord{committed: err == nil || errors.Is(err, ovsdb.ErrCommitted)}
					if errors.Is(err, ovsdb.ErrOutcomeUnknown) {
						rec.unknown, out.Unknown, ret = true, true, math.MaxInt64
					}
					rec.op = porcupine.Operation{ClientId: cl, Input: in, Output: out, Call: call, Return: ret}
					mu.Lock()
					records = append(records, rec)
					mu.Unlock()
				}
			}
		}()
	}
	w.inject(t, s, proxy)
	wg.Wait()
	if f.after != nil {
		f.after(t, ctx, early)
	}

	// The end state, read by a fresh client connected after everything.
	final := make([]*vswitchdb.Port, registers)
	fresh, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer fresh.Close()
	require.NoError(t, fresh.View(ctx, func(tx *ovsdb.Tx) error {
		for k := range registers {
			p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", register(k))
			if err != nil {
				return err
			}
			final[k] = p
		}
		return nil
	}))

	recs := make([]lincheck.Record, len(records))
	for i, r := range records {
		recs[i] = lincheck.Record{Op: r.op, Committed: r.committed, Unknown: r.unknown}
	}
	tally := lincheck.Account(recs, func(in lzInput) bool {
		_, ok := final[in.Key].OtherConfig[in.Marker]
		return ok
	})
	for _, in := range tally.Lost {
		t.Errorf("%+v was reported committed but is not in the database", in)
	}
	for _, in := range tally.Phantom {
		t.Errorf("%+v was reported failed but is in the database", in)
	}
	incs, adds := make([]int, registers), make([]int, registers)
	for _, in := range tally.Applied {
		switch in.Kind {
		case opAdd:
			adds[in.Key]++
		case opSetTag:
		default:
			incs[in.Key]++
		}
	}
	history, committed, unknown, failed, lost, phantom := tally.History, tally.Committed, tally.Unknown, tally.Failed, len(tally.Lost), len(tally.Phantom)
	total := 0
	for k := range registers {
		n, _ := strconv.Atoi(final[k].ExternalIDs["n"])
		total += n + final[k].BondUpdelay
		for _, in := range tally.Applied {
			if in.Kind == opSetTag && in.Key == k {
				total++
			}
		}
		if n != incs[k] || final[k].BondUpdelay != adds[k] {
			t.Errorf("register %d: n=%d m=%d, but %d increments and %d additions left their marker", k, n, final[k].BondUpdelay, incs[k], adds[k])
		}
	}
	if f.inject == nil && total != clients*each {
		t.Errorf("%d writes committed, want %d", total, clients*each)
	}
	if f.felt != nil && !f.felt(reconnects.Load(), unknown, failed, time.Duration(slowest.Load())) {
		t.Errorf("the fault went unnoticed (reconnects %d, %d outcome unknown, %d failed, slowest %v): the run proved nothing",
			reconnects.Load(), unknown, failed, time.Duration(slowest.Load()))
	}
	path := filepath.Join(t.TempDir(), "history.html")
	res := lincheck.Check(registers, history, 60*time.Second, path)
	violations := 0
	if res != porcupine.Ok {
		violations = 1
		t.Errorf("history is not linearizable (%v); visualization in %s", res, path)
	}
	fmt.Printf("linearizability: %s: %d operations: %d committed, %d outcome unknown, %d failed; %d writes in the database; %d lost, %d phantom, %d violations\n",
		f.name, len(records), committed, unknown, failed, total, lost, phantom, violations)
}
