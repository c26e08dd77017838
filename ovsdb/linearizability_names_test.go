package ovsdb_test

// The linearizability suite through the public commands that create and
// delete by name: port.Add and port.Delete (with and without MayExist and
// IfExists), bridge.Add and bridge.Delete, and ovn-nbctl's switch and
// switch port adds and deletes, by concurrent clients with the same
// faults as TestLinearizable. A false "not found", a duplicate, a lost
// delete or a stale read is a violation of the names model.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/internal/lincheck"
	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// nameDomain is a database and the commands on its names: keys 0..3 are
// of one kind (ports, switches), keys 4 and 5 of another (bridges, switch
// ports).
type nameDomain struct {
	name   string
	server []ovstest.Option
	dial   []ovsdb.Option
	setup  []ovsdb.Command
	// cmd is the command of a write, probe reads the name's presence.
	cmd   func(in lincheck.Input) ovsdb.Command
	probe func(tx *ovsdb.Tx, key int) (bool, error)
}

const nameKeys = 6

func nameDomains() []nameDomain {
	portName := func(k int) string { return fmt.Sprint("e", k) }
	bridgeName := func(k int) string { return fmt.Sprint("b", k) }
	isAbsent := func(err error) (bool, error) {
		if errors.Is(err, ovsdb.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	return []nameDomain{{
		name:  "vswitch",
		setup: []ovsdb.Command{ovsdb.NoWait(), bridge.Add("br0")},
		cmd: func(in lincheck.Input) ovsdb.Command {
			if in.Key < 4 {
				n := portName(in.Key)
				switch in.Kind {
				case lincheck.Create:
					return port.Add("br0", n)
				case lincheck.CreateMayExist:
					return port.Add("br0", n, port.MayExist())
				case lincheck.Remove:
					return port.Delete(n)
				default:
					return port.Delete(n, port.IfExists())
				}
			}
			n := bridgeName(in.Key)
			switch in.Kind {
			case lincheck.Create:
				return bridge.Add(n)
			case lincheck.CreateMayExist:
				return bridge.Add(n, bridge.MayExist())
			case lincheck.Remove:
				return bridge.Delete(n)
			default:
				return bridge.Delete(n, bridge.IfExists())
			}
		},
		probe: func(tx *ovsdb.Tx, k int) (bool, error) {
			if k < 4 {
				_, err := port.Get(tx, portName(k))
				return isAbsent(err)
			}
			return bridge.Exists(tx, bridgeName(k))
		},
	}, {
		name:   "nb",
		server: []ovstest.Option{ovstest.WithSchema(ovsproc.DefaultNBSchema), ovstest.WithoutInit(), ovstest.WithClientOptions(ovsdb.WithDatabase(nbdb.Database()))},
		dial:   []ovsdb.Option{ovsdb.WithDatabase(nbdb.Database())},
		setup:  []ovsdb.Command{nb.AddSwitch("base")},
		cmd: func(in lincheck.Input) ovsdb.Command {
			n := portName(in.Key)
			if in.Key < 4 {
				switch in.Kind {
				case lincheck.Create:
					return nb.AddSwitch(n)
				case lincheck.CreateMayExist:
					return nb.AddSwitch(n, nb.MayExist())
				case lincheck.Remove:
					return nb.DeleteSwitch(n)
				default:
					return nb.DeleteSwitch(n, nb.IfExists())
				}
			}
			switch in.Kind {
			case lincheck.Create:
				return nb.AddSwitchPort("base", n)
			case lincheck.CreateMayExist:
				return nb.AddSwitchPort("base", n, nb.MayExist())
			case lincheck.Remove:
				return nb.DeleteSwitchPort(n)
			default:
				return nb.DeleteSwitchPort(n, nb.IfExists())
			}
		},
		probe: func(tx *ovsdb.Tx, k int) (bool, error) {
			n := portName(k)
			if k < 4 {
				_, err := nb.Switch(tx, n)
				return isAbsent(err)
			}
			_, err := nb.SwitchPort(tx, n)
			return isAbsent(err)
		},
	}}
}

// runName runs one name operation and says what it reported: answered
// (committed, or refused for the name's presence), unknown, or failed.
func runName(ctx context.Context, c *ovsdb.Client, d nameDomain, in lincheck.Input) (lincheck.NameOutput, bool) {
	var out lincheck.NameOutput
	var err error
	if in.Kind == lincheck.Probe {
		_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
			var perr error
			out.Present, perr = d.probe(tx, in.Key)
			return perr
		})
	} else {
		_, err = c.Transact(ctx, ovsdb.NoWait(), d.cmd(in))
	}
	switch {
	case err == nil, errors.Is(err, ovsdb.ErrCommitted):
		return out, true
	case errors.Is(err, ovsdb.ErrOutcomeUnknown):
		return lincheck.NameOutput{Unknown: true}, true
	case errors.Is(err, ovsdb.ErrExists):
		return lincheck.NameOutput{Err: lincheck.ErrExists}, true
	case errors.Is(err, ovsdb.ErrNotFound):
		return lincheck.NameOutput{Err: lincheck.ErrNotFound}, true
	}
	return out, false // nothing written: not connected, the context
}

// TestLinearizableNames checks histories of concurrent creates, deletes
// and probes of names through the public commands, with faults.
func TestLinearizableNames(t *testing.T) {
	t.Parallel()
	for _, d := range nameDomains() {
		for _, f := range lzFaults() {
			t.Run(d.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				lzNamesCheck(t, d, f)
			})
		}
	}
}

func lzNamesCheck(t *testing.T, d nameDomain, f lzFault) {
	s := ovstest.NewServer(t, d.server...)
	ctx := testCtx(t, 120*time.Second)
	_, err := s.Client.Transact(ctx, d.setup...)
	require.NoError(t, err)
	proxy := newFaultProxy(t, s.Endpoint[len("unix:"):])

	// Without faults each client does 20 operations; with faults, clients
	// go on until the faults are over (bounded).
	const clients, each, most = 8, 20, 5000
	kinds := []lincheck.Kind{lincheck.Create, lincheck.Remove, lincheck.CreateMayExist, lincheck.Probe, lincheck.RemoveIfExists}
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	var mu sync.Mutex
	var history []porcupine.Operation
	var answered, unknown, failed atomic.Int64
	var reconnects atomic.Uint64
	var slowest atomic.Int64
	w := newFaultWindow(f, each, most)
	var wg sync.WaitGroup
	for cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := append([]ovsdb.Option{ovsdb.WithBackoff(10*time.Millisecond, 100*time.Millisecond)}, d.dial...)
			c, err := ovsdb.Dial(ctx, proxy.endpoint(), append([]ovsdb.Option{ovsdb.WithDatabase(vswitchdb.Database())}, opts...)...)
			if err != nil {
				t.Error(err)
				return
			}
			defer func() { reconnects.Add(c.Stats().Reconnects); c.Close() }()
			for i := 0; w.more(i); i++ {
				in := lincheck.Input{Kind: kinds[(cl*3+i)%len(kinds)], Key: (cl + i) % nameKeys}
				opCtx, cancel := context.WithTimeout(ctx, time.Second)
				call := now()
				out, ok := runName(opCtx, c, d, in)
				ret := now()
				cancel()
				if dt := ret - call; dt > slowest.Load() {
					slowest.Store(dt)
				}
				w.begun()
				switch {
				case !ok:
					failed.Add(1)
					continue
				case out.Unknown:
					unknown.Add(1)
					ret = math.MaxInt64
				default:
					answered.Add(1)
				}
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: cl, Input: in, Output: out, Call: call, Return: ret})
				mu.Unlock()
			}
		}()
	}
	w.inject(t, s, proxy)
	wg.Wait()
	// The end state, probed by a fresh client after everything.
	opts := append([]ovsdb.Option{}, d.dial...)
	fresh, err := ovsdb.Dial(ctx, s.Endpoint, append([]ovsdb.Option{ovsdb.WithDatabase(vswitchdb.Database())}, opts...)...)
	require.NoError(t, err)
	defer fresh.Close()
	for k := range nameKeys {
		in := lincheck.Input{Kind: lincheck.Probe, Key: k}
		call := now()
		out, ok := runName(ctx, fresh, d, in)
		require.True(t, ok, "final probe of key %d", k)
		history = append(history, porcupine.Operation{ClientId: clients, Input: in, Output: out, Call: call, Return: now()})
	}
	if f.felt != nil && !f.felt(reconnects.Load(), int(unknown.Load()), int(failed.Load()), time.Duration(slowest.Load())) {
		t.Errorf("the fault went unnoticed (reconnects %d, %d outcome unknown, %d failed, slowest %v): the run proved nothing",
			reconnects.Load(), unknown.Load(), failed.Load(), time.Duration(slowest.Load()))
	}
	path := filepath.Join(t.TempDir(), "history.html")
	violations := 0
	if res := lincheck.CheckNames(nameKeys, history, 60*time.Second, path); res != porcupine.Ok {
		violations = 1
		t.Errorf("history is not linearizable (%v); visualization in %s", res, path)
		sort.Slice(history, func(i, j int) bool { return history[i].Call < history[j].Call })
		for k := range nameKeys {
			var kh []porcupine.Operation
			for _, op := range history {
				if op.Input.(lincheck.Input).Key == k {
					kh = append(kh, op)
				}
			}
			if lincheck.CheckNames(nameKeys, kh, 10*time.Second, "") == porcupine.Ok {
				continue
			}
			n := sort.Search(len(kh), func(n int) bool {
				return lincheck.CheckNames(nameKeys, kh[:n+1], 10*time.Second, "") != porcupine.Ok
			})
			for _, op := range kh[max(0, n-12) : n+1] {
				in := op.Input.(lincheck.Input)
				t.Logf("client %d k%d %v [%d, %d] -> %+v", op.ClientId, in.Key, in.Kind, op.Call/1000, op.Return/1000, op.Output)
			}
		}
	}
	fmt.Printf("linearizability: names (%s): %s: %d operations: %d answered, %d outcome unknown, %d failed; %d violations\n",
		d.name, f.name, len(history), answered.Load(), unknown.Load(), failed.Load(), violations)
}
