package sim_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
	"github.com/ovskit/ovskit/sim"
	"golang.org/x/sys/unix"
)

func TestReport(t *testing.T) {
	r := sim.NewReport("lab0", "a title")
	r.Duration = 1500 * time.Millisecond
	if !r.Equal("h1", "Port p", "tag", "10", "10") {
		t.Error("Equal of equal strings is false")
	}
	if r.Equal("h1", "Port p", "trunks", "[]", "[10]") {
		t.Error("Equal of different strings is true")
	}
	if f := r.Failed(); len(f) != 1 || f[0].What != "trunks" {
		t.Errorf("Failed = %+v", f)
	}
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `== lab0: a title
        FROM  TO      CHECK   EXPECTED  OBSERVED
  ok    h1    Port p  tag     10        10
  FAIL  h1    Port p  trunks  []        [10]
   2 checks, 1 failed, 1.5s
`
	if b.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", b.String(), want)
	}
}

func prefix(t *testing.T) string {
	return "ovskit-s" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))[4:10] + "-"
}

func noLeftovers(t *testing.T, p string) {
	t.Helper()
	left, err := sim.Leftovers(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range left {
		t.Errorf("left behind: %s", l)
	}
}

// TestMainExitCodes: 0 when every check passes (with a summary for
// several labs), 1 when one fails, 2 on a usage error; cleanup works
// when there is nothing to clean.
func TestMainExitCodes(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	p := prefix(t)
	lab := func(name string, pass bool) sim.Lab {
		return sim.Lab{Name: name, Title: "t", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
			if _, err := w.Namespace(ctx, "n1"); err != nil {
				return err
			}
			observed := "x"
			if !pass {
				observed = "y"
			}
			r.Equal("n1", "", "value", "x", observed)
			return nil
		}}
	}
	for _, tc := range []struct {
		name string
		args []string
		labs []sim.Lab
		code int
		out  string
	}{
		{"pass", []string{"-prefix", p}, []sim.Lab{lab("a", true), lab("b", true)}, 0, "== summary"},
		{"fail", []string{"-prefix", p}, []sim.Lab{lab("a", true), lab("b", false)}, 1, "  FAIL  n1"},
		{"usage", []string{"-prefix", p, "nonsense"}, []sim.Lab{lab("a", true)}, 2, ""},
		{"bad flag", []string{"-nope"}, []sim.Lab{lab("a", true)}, 2, ""},
		{"cleanup", []string{"-prefix", p, "cleanup"}, []sim.Lab{lab("a", true)}, 0, "nothing left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := sim.RunMain(tc.args, &out, &errOut, tc.labs); code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("output lacks %q:\n%s", tc.out, out.String())
			}
			noLeftovers(t, p)
		})
	}
}

// TestGuestDetachAttach: the if-down step cuts a guest off, the if-up step
// brings it back; a host's servers are private to the world.
func TestGuestDetachAttach(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	p := prefix(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := sim.New(ctx, sim.Config{Prefix: p})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := w.Close(); err != nil {
			t.Error(err)
		}
		noLeftovers(t, p)
	}()
	h, err := w.AddHost(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h.OVS.Endpoint, "unix:"+w.Dir+"/") {
		t.Errorf("endpoint %s is not in the world's directory %s", h.OVS.Endpoint, w.Dir)
	}
	if _, err := h.Transact(ctx, bridge.Add("br0", bridge.DatapathType("netdev"))); err != nil {
		t.Fatal(err)
	}
	var gs []*sim.Guest
	for i, name := range []string{"g1", "g2"} {
		g, err := h.AddGuest(ctx, sim.GuestConfig{Name: name, Bridge: "br0", Vif: "vif-" + name, MAC: "52:54:00:00:01:0" + string(rune('1'+i)), Addr: "10.9.0." + string(rune('1'+i)) + "/24"})
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	reach := func(want bool) {
		t.Helper()
		ok, err := gs[0].Ping(ctx, "10.9.0.2")
		if err != nil || ok != want {
			t.Errorf("g1 -> g2: %v, %v; want %v", ok, err, want)
		}
	}
	reach(true)
	if err := gs[1].Detach(ctx); err != nil {
		t.Fatal(err)
	}
	reach(false)
	if err := gs[1].Attach(ctx); err != nil {
		t.Fatal(err)
	}
	reach(true)
	var b strings.Builder
	w.Describe(&b)
	for _, want := range []string{"ip netns exec " + p + "g2", "ovs-vsctl --db=" + h.OVS.Endpoint + " show"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Describe lacks %q:\n%s", want, b.String())
		}
	}
	// A second Close is harmless.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Namespace(ctx, "late"); !errors.Is(err, sim.ErrClosed) {
		t.Errorf("Namespace after Close: %v, want ErrClosed", err)
	}
}

// TestStartOVSFailure: a bad schema fails with the tool's message, and
// nothing is left running.
func TestStartOVSFailure(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ovsschema")
	if err := os.WriteFile(bad, []byte(`{"name": "x"`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ovsproc.Start(context.Background(), ovsproc.Config{Dir: dir, Schema: bad})
	if err == nil || !strings.Contains(err.Error(), "ovsdb-tool create") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ovsdb-server.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ovsdb-server was started: %v", err)
	}
}

// TestNewRequiresPrerequisites: outside root, New says so with a typed error.
func TestNewRequiresPrerequisites(t *testing.T) {
	err := sim.Supported()
	if os.Geteuid() != 0 && !errors.Is(err, sim.ErrNotRoot) {
		t.Errorf("Supported() = %v, want ErrNotRoot", err)
	}
	if os.Geteuid() == 0 && err != nil && !errors.Is(err, sim.ErrMissingBinary) {
		t.Errorf("Supported() = %v", err)
	}
}

// TestNoProbeFromOwnNamespace: a node that is, by mistake, the program's
// own namespace (here a second name bound to it) refuses to probe. Only
// the name is added and removed; the namespace itself is untouched.
func TestNoProbeFromOwnNamespace(t *testing.T) {
	ovstest.Require(t, ovstest.NeedNetns)
	name := prefix(t) + "initial"
	path := filepath.Join(netns.Dir, name)
	if err := os.WriteFile(path, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	err := unix.Mount("/proc/thread-self/ns/net", path, "none", unix.MS_BIND, "")
	runtime.UnlockOSThread()
	if err != nil {
		os.Remove(path)
		t.Fatal(err)
	}
	ns, err := netns.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := ns.Delete(); err != nil {
			t.Error(err)
		}
	}()
	ok, err := (&sim.Node{Name: "oops", NS: ns}).Ping(context.Background(), "127.0.0.1")
	if ok || !errors.Is(err, sim.ErrOwnNamespace) {
		t.Errorf("Ping = %v, %v; want ErrOwnNamespace", ok, err)
	}
}
