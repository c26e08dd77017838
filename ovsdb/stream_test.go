package ovsdb_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// sbServer starts an empty Southbound database of OVN 23.03's schema
// (testdata/schemas), without a client.
func sbServer(t *testing.T) *ovstest.Server {
	t.Helper()
	return ovstest.NewServer(t, ovstest.WithSchema("../testdata/schemas/ovn-sb-23.03.0.ovsschema"), ovstest.WithoutInit(),
		ovstest.WithoutClient(), ovstest.WithBackend(ovstest.ProcessBackend))
}

// sbFlows starts a Southbound database with n logical flows of about
// size bytes each (their match), written in batches.
func sbFlows(t *testing.T, n, size int) *ovstest.Server {
	t.Helper()
	srv := sbServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	w, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()), ovsdb.WithMaxMessageSize(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var name string
	res, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
		var err error
		name, err = tx.Insert(&sbdb.DatapathBinding{TunnelKey: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	dp := res.UUID(name)
	for batch := 0; batch < n; batch += 2000 {
		_, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
			for i := batch; i < min(n, batch+2000); i++ {
				match := fmt.Sprintf("inport == \"lsp%d\" && eth.src == {00:00:00:00:%02x:%02x} && ", i, i>>8&255, i&255)
				match += strings.Repeat("ip4.dst == 10.0.0.1 || ", max(0, size-len(match))/23)
				if _, err := tx.Insert(&sbdb.LogicalFlow{LogicalDatapath: &dp, Pipeline: "ingress", TableID: i % 30,
					Priority: i % 100, Match: match, Actions: "next;"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// TestMonitorReplyStreams: a database whose initial contents (one monitor
// reply) are larger than the client's message limit is downloaded: the
// reply is read as it arrives, row by row, the limit bounding each row;
// a row larger than the limit is still refused.
func TestMonitorReplyStreams(t *testing.T) {
	const flows, size, limit = 3000, 600, 256 << 10 // a reply of about 2.5 MB
	srv := sbFlows(t, flows, size)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()), ovsdb.WithMaxMessageSize(limit))
	if err != nil {
		t.Fatalf("Dial with a %d-byte limit: %v", limit, err)
	}
	defer c.Close()
	st := c.Stats()
	if st.Received < 4*limit {
		t.Fatalf("received %d bytes: the reply is not larger than the limit (%d)", st.Received, limit)
	}
	var got int
	if err := c.View(ctx, func(tx *ovsdb.Tx) error {
		lf, err := ovsdb.List[sbdb.LogicalFlow](tx)
		got = len(lf)
		for _, f := range lf {
			if !strings.HasPrefix(f.Match, "inport == ") || f.Actions != "next;" || f.LogicalDatapath == nil {
				return fmt.Errorf("row %+v", f)
			}
		}
		return err
	}); err != nil || got != flows {
		t.Fatalf("cache: %d logical flows, %v; want %d", got, err, flows)
	}
	// One row over the limit: refused.
	big, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	if _, err := big.Do(ctx, func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&sbdb.LogicalFlow{Pipeline: "egress", Match: strings.Repeat("x", limit), Actions: "drop;"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c2, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()), ovsdb.WithMaxMessageSize(limit)); err == nil {
		c2.Close()
		t.Fatal("a row larger than the limit was taken")
	} else if !strings.Contains(err.Error(), "message too large") {
		t.Fatalf("a row larger than the limit: %v, want ErrMessageTooLarge", err)
	}
}

// slowMonitorProxy forwards unix connections to target; on every
// connection after the first, the server's answer to the monitor request
// of the Southbound database (not the _Server one) is held back for delay, as a server composing a large database's reply
// is silent for that long.
func slowMonitorProxy(t *testing.T, target string, delay time.Duration) string {
	t.Helper()
	ln, err := net.Listen("unix", filepath.Join(t.TempDir(), "proxy.sock"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for n := 0; ; n++ {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("unix", target)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			asked := make(chan struct{})
			go func() { // client → server, watching for the monitor request
				var once sync.Once
				buf := make([]byte, 1<<16)
				for {
					k, err := in.Read(buf)
					if k > 0 && bytes.Contains(buf[:k], []byte(`"monitor_cond`)) && bytes.Contains(buf[:k], []byte(`"params":["OVN_Southbound"`)) {
						once.Do(func() { close(asked) })
					}
					if k > 0 {
						if _, werr := out.Write(buf[:k]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				in.Close()
				out.Close()
			}()
			go func(first bool) { // server → client, the reply held back
				held := false
				buf := make([]byte, 1<<16)
				for {
					k, err := out.Read(buf)
					if k > 0 && !first && !held {
						select {
						case <-asked:
							held = true
							time.Sleep(delay)
						default:
						}
					}
					if k > 0 {
						if _, werr := in.Write(buf[:k]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				in.Close()
				out.Close()
			}(n == 0)
		}
	}()
	return "unix:" + ln.Addr().String()
}

// TestReconnectSlowDownload: after a reconnect, a server that needs longer
// than any fixed limit to send its first answer to the monitor request
// (12 s here; a large database's reply being composed) is waited for: the
// client's cache comes back. (Without an inactivity probe, which would
// take such silence for a stopped server: see WithInactivityProbe.)
func TestReconnectSlowDownload(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 12 s (-short)")
	}
	srv := sbServer(t)
	ep := slowMonitorProxy(t, strings.TrimPrefix(srv.Endpoint, "unix:"), 12*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := ovsdb.Dial(ctx, ep, ovsdb.WithDatabase(sbdb.Database()), ovsdb.WithInactivityProbe(0),
		ovsdb.WithBackoff(50*time.Millisecond, 500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The server restarts: the client reconnects (through the slow proxy).
	if err := srv.RestartDB(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: 7})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	wctx, wcancel := context.WithTimeout(ctx, 45*time.Second)
	defer wcancel()
	for {
		var n int
		err := c.View(wctx, func(tx *ovsdb.Tx) error {
			ch, err := ovsdb.List[sbdb.DatapathBinding](tx)
			n = len(ch)
			return err
		})
		if err == nil && n == 1 {
			break
		}
		if wctx.Err() != nil {
			t.Fatalf("the cache did not come back in %v: %v (stats %+v)", time.Since(start), err, c.Stats())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDefaultsConnectLargeSouthbound: with the default options, a client
// connects to a Southbound database whose first download is larger than
// DefaultMaxMessageSize (60,000 logical flows of about 600 bytes: ~40 MB
// in one monitor reply), which failed with ErrMessageTooLarge before the
// reply was read as it arrives.
func TestDefaultsConnectLargeSouthbound(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 60,000 rows (-short)")
	}
	const flows = 60000
	srv := sbFlows(t, flows, 600)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatalf("Dial with the default options: %v", err)
	}
	defer c.Close()
	if st := c.Stats(); st.Received <= ovsdb.DefaultMaxMessageSize {
		t.Fatalf("received %d bytes, not more than DefaultMaxMessageSize", st.Received)
	}
	var n int
	if err := c.View(ctx, func(tx *ovsdb.Tx) error {
		lf, err := ovsdb.List[sbdb.LogicalFlow](tx)
		n = len(lf)
		return err
	}); err != nil || n != flows {
		t.Fatalf("%d logical flows, %v; want %d", n, err, flows)
	}
}
