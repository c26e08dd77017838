package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

// cutProxy forwards unix connections to the path target names at each
// connection, and can cut them all.
type cutProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCutProxy(b *testing.B, target func() string) *cutProxy {
	ln, err := net.Listen("unix", filepath.Join(b.TempDir(), "p.sock"))
	if err != nil {
		b.Fatal(err)
	}
	p := &cutProxy{ln: ln}
	b.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("unix", target())
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(in, out); in.Close(); out.Close() }()
			go func() { _, _ = io.Copy(out, in); in.Close(); out.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// BenchmarkResume: a client's connection to the Southbound leader (of a
// 3-member cluster) is cut, with one change made meanwhile; the time
// until it has reconnected, resumed (monitor_cond_since) and told its
// watchers what changed, at 10,000 and 50,000 logical flows: flat in the
// cache's size (the changes the server sends are the watchers' events; no
// comparison of the old and new caches).
func BenchmarkResume(b *testing.B) {
	for _, n := range []int{10000, 50000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			central := ovstest.NewCentral(b, ovstest.Members(3), ovstest.WithoutNorthd())
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
			defer cancel()
			w, err := ovsdb.Dial(ctx, central.SBEndpoint, ovsdb.WithDatabase(sbdb.Database()))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			for batch := 0; batch < n; batch += 5000 {
				if _, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
					for i := batch; i < min(n, batch+5000); i++ {
						if _, err := tx.Insert(&sbdb.LogicalFlow{Pipeline: "ingress", TableID: i % 30, Priority: i % 100,
							Match: fmt.Sprintf("reg0 == %d && ip4.dst == 10.%d.%d.%d", i, i>>16&255, i>>8&255, i&255), Actions: "next;"}); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			// To the leader of the moment (the client reads from the
			// leader only).
			p := newCutProxy(b, func() string {
				leader, err := central.Leader(ctx, ovsproc.SB)
				if err != nil {
					return ""
				}
				return strings.TrimPrefix(central.MemberEndpoint(ovsproc.SB, leader), "unix:")
			})
			c, err := ovsdb.Dial(ctx, "unix:"+p.ln.Addr().String(), ovsdb.WithDatabase(sbdb.Database()),
				ovsdb.WithBackoff(time.Millisecond, time.Millisecond))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			events, err := ovsdb.Watch[sbdb.LogicalFlow](ctx, c)
			if err != nil {
				b.Fatal(err)
			}
			// The flow that changes while the client is away.
			var target string
			if err := w.View(ctx, func(tx *ovsdb.Tx) error {
				fl, err := ovsdb.Lookup[sbdb.LogicalFlow](tx, "match", "reg0 == 7 && ip4.dst == 10.0.0.7")
				if err == nil {
					target = fl.UUID
				}
				return err
			}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				// From the cut to the watcher's event: the reconnect, the
				// resume and the one change made meanwhile (a commit on
				// the cluster, the same at every size).
				p.cut()
				if _, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
					fl, err := ovsdb.Get[sbdb.LogicalFlow](tx, target)
					if err != nil {
						return err
					}
					fl.Actions = fmt.Sprintf("reg1 = %d; next;", i)
					return tx.Update(fl, "actions")
				}); err != nil {
					b.Fatal(err)
				}
				select {
				case <-events:
				case <-time.After(time.Minute):
					b.Fatalf("the watcher heard nothing (iteration %d, stats %+v)", i, c.Stats())
				}
			}
			b.StopTimer()
			if st := c.Stats(); st.Resumed < uint64(b.N) || st.Reconnects < uint64(b.N) {
				b.Fatalf("resumed %d of %d reconnects", st.Resumed, b.N)
			}
		})
	}
}
