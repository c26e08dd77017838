package labs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/sim"
	"github.com/ovskit/ovskit/vswitchdb"
)

// prefix keeps the tests' namespaces apart from a lab a user kept.
const prefix = "ovskit-e2e-"

// TestMain lets the tests run a lab program as a child process: the test
// binary itself, with OVSKIT_LAB_MAIN naming the lab, runs sim.Main.
func TestMain(m *testing.M) {
	if name := os.Getenv("OVSKIT_LAB_MAIN"); name != "" {
		for _, l := range append(labs.All(), labs.Variants()...) {
			if l.Name == name {
				sim.Main(l)
			}
		}
		os.Exit(3)
	}
	code := m.Run()
	if cli.dir != "" {
		_ = os.RemoveAll(cli.dir)
	}
	os.Exit(code)
}

// rootLinks is ovstest.RootState: the machine's own namespace's links
// and forwarding sysctls.
func rootLinks(t *testing.T) []string {
	t.Helper()
	st, err := ovstest.RootState()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// noLeftovers fails the test if anything of the prefix is left, or if the
// root namespace's links changed.
func noLeftovers(t *testing.T, p string, linksBefore []string) {
	t.Helper()
	left, err := sim.Leftovers(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range left {
		t.Errorf("left behind: %s", l)
	}
	if after := rootLinks(t); !slices.Equal(after, linksBefore) {
		t.Errorf("root namespace links changed: before %v, after %v", linksBefore, after)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// TestLabs runs every lab through the code its example runs, asserts each
// check of its report, then that nothing was left behind.
func TestLabs(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	for _, tc := range []struct {
		lab sim.Lab
		// checks is the number of checks the report must have; cannot
		// says whether some expect no reply (isolation).
		checks int
		cannot bool
	}{
		{labs.Lab1, 5, false},
		{labs.Lab2, 9, true},
		{labs.Lab3, 4, false},
		{labs.Lab4, 13, false},
		{labs.Lab5, 21, true},
		{labs.Lab6, 17, true},
		{labs.Lab2Patch, 9, true},
		{labs.Lab3Dnsmasq, 4, false},
		{labs.Lab4VXLAN, 13, false},
		{labs.Lab4Geneve, 13, false},
		{labs.Trunk, 7, true},
		{labs.Lab2Flows, 8, true},
		{labs.FirewallFlows, 4, true},
	} {
		t.Run(tc.lab.Name, func(t *testing.T) {
			runLab(t, tc.lab, sim.NamespaceGuests, tc.checks, tc.cannot)
		})
	}
}

// TestLabsOnOlderSchema runs labs 1 and 4 with every host's database on
// Open vSwitch 2.13.8's schema (8.2.0), the tutorial's own version, under
// the installed ovs-vswitchd: ovskit negotiates with the older schema.
func TestLabsOnOlderSchema(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	schema, err := filepath.Abs("../../testdata/schemas/vswitch-2.13.8.ovsschema")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a host's database", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		w, err := sim.New(ctx, sim.Config{Prefix: prefix, Logger: testLogger(t), Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		h, err := w.AddHost(ctx, "h1")
		if err != nil {
			t.Fatal(err)
		}
		c, err := ovsdb.Dial(ctx, h.OVS.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c.ServerHas(vswitchdb.TableInterface, "ingress_policing_kpkts_rate") {
			t.Error("the host's database has a column schema 8.2.0 lacks: it was not made from that schema")
		}
	})
	for _, tc := range []struct {
		lab    sim.Lab
		checks int
	}{
		{labs.Lab1, 5},
		{labs.Lab4, 13},
	} {
		t.Run(tc.lab.Name, func(t *testing.T) {
			runLabOn(t, tc.lab, sim.NamespaceGuests, schema, tc.checks, false)
		})
	}
}

// TestLabsOVN runs the tutorial's multi-host labs on OVN, as `make
// labs-ovn` does, asserting every check and that nothing is left behind.
func TestLabsOVN(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns, ovstest.NeedOVN)
	for _, tc := range []struct {
		lab    sim.Lab
		checks int
		cannot bool
	}{
		{labs.Lab4OVN, 25, false},
		{labs.Lab5OVN, 12, true},
		{labs.Lab6OVN, 15, true},
	} {
		t.Run(tc.lab.Name, func(t *testing.T) {
			runLab(t, tc.lab, sim.NamespaceGuests, tc.checks, tc.cannot)
		})
	}
}

// runLab runs a lab with the guests of kind, asserts each check of its
// report (checks of them; cannot: some expect no reply), that it drew its
// diagram, and that nothing was left behind.
func runLab(t *testing.T, lab sim.Lab, kind sim.GuestKind, checks int, cannot bool) *sim.Report {
	t.Helper()
	return runLabOn(t, lab, kind, "", checks, cannot)
}

// runLabOn is runLab with every host's database made from schema (the
// installed one if "").
func runLabOn(t *testing.T, lab sim.Lab, kind sim.GuestKind, schema string, checks int, cannot bool) *sim.Report {
	t.Helper()
	before := rootLinks(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	diagram := filepath.Join(t.TempDir(), lab.Name+".dot")
	cfg := sim.Config{Prefix: prefix, Logger: testLogger(t), Guests: kind, Schema: schema}
	if kind == sim.QemuGuests {
		cfg.CLI = ovskitCLI(t)
	}
	rep, err := sim.Run(ctx, lab, sim.RunConfig{Config: cfg, Out: io.Discard, Diagram: diagram})
	var b strings.Builder
	_, _ = rep.WriteTo(&b)
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	checkDiagram(t, diagram, rep)
	got := rep.Checks()
	if len(got) != checks {
		t.Errorf("%d checks, want %d", len(got), checks)
	}
	var reach, isolated int
	for _, c := range got {
		if !c.Pass {
			t.Errorf("check failed: %s -> %s %s: expected %q, observed %q", c.From, c.To, c.What, c.Expected, c.Observed)
		}
		switch c.Expected {
		case sim.Reply:
			reach++
		case sim.NoReply:
			isolated++
		}
	}
	if reach == 0 || (isolated > 0) != cannot {
		t.Errorf("%d reachability and %d isolation checks; want some of the first and isolation=%v", reach, isolated, cannot)
	}
	noLeftovers(t, prefix, before)
	return rep
}

// TestFailedLabTearsDown: a lab whose step fails, and a lab whose check
// fails, both leave nothing behind, and the failure is in the report.
func TestFailedLabTearsDown(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	before := rootLinks(t)
	ctx := context.Background()
	boom := errors.New("boom")
	failing := sim.Lab{Name: "failing", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
		h, err := w.AddHost(ctx, "instance_001")
		if err != nil {
			return err
		}
		if _, err := h.Transact(ctx, bridge.Add("br-in", bridge.DatapathType("netdev"))); err != nil {
			return err
		}
		vm, err := h.AddGuest(ctx, sim.GuestConfig{Name: "vm1", Bridge: "br-in", Vif: "vif0.0", Addr: "10.0.3.1/24"})
		if err != nil {
			return err
		}
		// Nobody has 10.0.3.9: a check that fails.
		r.Reach(ctx, vm, "nobody", "10.0.3.9", true)
		return boom
	}}
	rep, err := sim.Run(ctx, failing, sim.RunConfig{Config: sim.Config{Prefix: prefix, Logger: testLogger(t)}})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if f := rep.Failed(); len(f) != 2 || f[0].Observed != sim.NoReply || f[1].What != "run" {
		t.Errorf("failed checks = %+v, want the ping and the run", f)
	}
	noLeftovers(t, prefix, before)
}

// labCommand runs a lab program (this test binary as sim.Main).
func labCommand(t *testing.T, lab string, args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "OVSKIT_LAB_MAIN="+lab)
	return cmd
}

// TestInterrupt: Ctrl-C in the middle of a lab tears everything down.
func TestInterrupt(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	before := rootLinks(t)
	p := prefix + "i-"
	cmd := labCommand(t, "lab5", "-prefix", p)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the second host exists: servers, guests and the
	// DHCP server are up by then.
	deadline := time.Now().Add(30 * time.Second)
	for {
		names, _ := netns.List()
		if slices.Contains(names, p+"vm5") {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("lab did not reach vm5: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit: %v, want status 1", err)
	}
	if !strings.Contains(stderr.String(), "interrupted: torn down") {
		t.Errorf("stderr: %s", stderr.String())
	}
	noLeftovers(t, p, before)
}

// TestKeepAndCleanup: -keep leaves a working topology and says how to
// reach it; the cleanup command removes it; a new run would too.
func TestKeepAndCleanup(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	before := rootLinks(t)
	p := prefix + "k-"
	t.Cleanup(func() { _ = sim.Cleanup(context.Background(), p) })
	out, err := labCommand(t, "lab1", "-keep", "-prefix", p).CombinedOutput()
	if err != nil {
		t.Fatalf("lab1 -keep: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"ip netns exec " + p + "vm1", "ovs-vsctl --db=unix:" + sim.StateDir(p) + "/instance_001/db.sock show"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// The kept host still answers, and its guests still talk.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, "unix:"+sim.StateDir(p)+"/instance_001/db.sock", ovsdb.WithDatabase(vswitchdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		ok, err := bridge.Exists(tx, "br-in")
		if err == nil && !ok {
			err = errors.New("br-in is gone")
		}
		return err
	})
	c.Close()
	if err != nil {
		t.Error(err)
	}
	vm1, err := netns.Open(p + "vm1")
	if err != nil {
		t.Fatal(err)
	}
	n, err := vm1.Ping(ctx, "10.0.3.2", 3, 100*time.Millisecond)
	vm1.Close()
	if err != nil || n == 0 {
		t.Errorf("kept vm1 -> vm2: %d replies, %v", n, err)
	}
	out, err = labCommand(t, "lab1", "-prefix", p, "cleanup").CombinedOutput()
	if err != nil {
		t.Fatalf("cleanup: %v\n%s", err, out)
	}
	noLeftovers(t, p, before)
}

// checkDiagram: the lab's picture renders with graphviz and names every
// bridge, port and interface (tunnels included) its report names.
func checkDiagram(t *testing.T, file string, rep *sim.Report) {
	t.Helper()
	dot, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("diagram: %v", err)
	}
	ovstest.RequireTools(t, "dot")
	cmd := exec.Command("dot", "-Tsvg")
	cmd.Stdin = strings.NewReader(string(dot))
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "<svg") {
		t.Fatalf("dot -Tsvg: %v\n%s\n%s", err, out, dot)
	}
	// The switch objects a report names: "Port vif0.0" in a check's ends,
	// and the bridges and ports that list-br, list-ports and port-to-br
	// checks name.
	var names []string
	for _, c := range rep.Checks() {
		for _, end := range []string{c.From, c.To} {
			if f := strings.Fields(end); len(f) >= 2 && (f[0] == "Port" || f[0] == "Interface" || f[0] == "Bridge") {
				names = append(names, f[1])
			}
		}
		switch c.What {
		case "list-br", "list-ports", "port-to-br", "iface-to-br", "list-ifaces":
			names = append(names, strings.Fields(c.Expected)...)
			names = append(names, strings.Fields(c.To)...)
		}
	}
	for _, n := range names {
		if !strings.Contains(string(dot), n) {
			t.Errorf("the diagram does not name %s, which the report names", n)
		}
	}
	named := len(names)
	for _, kind := range []string{"bridge ", "guest "} {
		if !strings.Contains(string(dot), kind) {
			t.Errorf("the diagram has no %s", kind)
		}
	}
	t.Logf("diagram: %d bytes, %d names of the report found", len(dot), named)
}

// TestOVNScale runs the scale run at a small size (6 chassis, 2 guests
// each), as examples/ovn-scale does: every chassis registered, every port
// up, every sampled pair reached, figures measured, nothing left.
func TestOVNScale(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns, ovstest.NeedOVN)
	before := rootLinks(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := labs.Scale(ctx, labs.ScaleConfig{Chassis: 6, Guests: 2, Pairs: 6, Idle: time.Second, Prefix: prefix, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	_, _ = res.WriteTo(&b)
	t.Log("\n" + b.String())
	if res.Pairs != 6 || res.Reached != 6 {
		t.Errorf("%d of %d pairs reached, want 6 of 6", res.Reached, res.Pairs)
	}
	if res.Registered <= 0 || res.PortsUp <= 0 || res.Teardown <= 0 || res.RSS < 1<<20 || res.IdleCPU < 0 {
		t.Errorf("figures not measured: %+v", res)
	}
	noLeftovers(t, prefix, before)
	if _, err := labs.Scale(ctx, labs.ScaleConfig{Chassis: 0, Guests: 1}); !errors.Is(err, labs.ErrScaleConfig) {
		t.Errorf("0 chassis: %v, want ErrScaleConfig", err)
	}
}

// TestFailedOVNLabTearsDown: a lab that fails with an OVN central, two
// chassis and a plugged guest up leaves nothing behind; so does one whose
// context ends while its chassis start (Ctrl-C).
func TestFailedOVNLabTearsDown(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns, ovstest.NeedOVN)
	before := rootLinks(t)
	boom := errors.New("boom")
	var started atomic.Bool
	build := func(ctx context.Context, w *sim.World) error {
		c, err := w.AddCentral(ctx, sim.CentralConfig{})
		if err != nil {
			return err
		}
		u, err := w.AddUnderlay(ctx, "underlay")
		if err != nil {
			return err
		}
		for i := 1; i <= 2; i++ {
			ch, err := c.AddChassis(ctx, sim.ChassisName(i), sim.ChassisConfig{Underlay: u, Addr: fmt.Sprintf("192.168.100.%d/24", 10+i), MAC: sim.UnderlayMAC(i)})
			if err != nil {
				return err
			}
			started.Store(true)
			if _, err := ch.Plug(ctx, sim.GuestConfig{Name: fmt.Sprint("vm", i), Vif: "vif0", Addr: fmt.Sprintf("10.0.0.%d/24", i)}, fmt.Sprint("vm", i)); err != nil {
				return err
			}
		}
		return nil
	}
	failing := sim.Lab{Name: "failing-ovn", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
		if err := build(ctx, w); err != nil {
			return err
		}
		return boom
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := sim.Run(ctx, failing, sim.RunConfig{Config: sim.Config{Prefix: prefix, Logger: testLogger(t)}, Out: io.Discard}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	noLeftovers(t, prefix, before)

	// Interrupted: the context ends once the first chassis runs.
	started.Store(false)
	ictx, icancel := context.WithCancel(ctx)
	go func() {
		for !started.Load() && ictx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		icancel()
	}()
	interrupted := sim.Lab{Name: "interrupted-ovn", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
		if err := build(ctx, w); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}}
	if _, err := sim.Run(ictx, interrupted, sim.RunConfig{Config: sim.Config{Prefix: prefix, Logger: testLogger(t)}, Out: io.Discard}); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted: err = %v, want context.Canceled", err)
	}
	noLeftovers(t, prefix, before)
}
