package labs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/qemu"
	"github.com/ovskit/ovskit/sim"
)

// requireQemu skips (fails under CI=true) without what VM guests need:
// root, OVS, namespaces, qemu and the guest image's inputs (Debian's
// linux-image-cloud-amd64 and busybox-static).
func requireQemu(t *testing.T) {
	t.Helper()
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	ovstest.RequireTools(t, "qemu-system-x86_64", "go")
	if _, err := qemu.BuildImage(context.Background(), qemu.ImageConfig{}); err != nil {
		if errors.Is(err, qemu.ErrImageInput) && !ovstest.InCI() {
			t.Skipf("no guest image (scripts/deps.sh installs its packages): %v", err)
		}
		t.Fatal(err)
	}
}

var cli struct {
	once sync.Once
	dir  string
	err  error
}

// ovskitCLI builds the ovskit command once for the tests' worlds (each
// copies it into its own state directory).
func ovskitCLI(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		if cli.dir, cli.err = os.MkdirTemp("", "ovskit-cli-"); cli.err != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(cli.dir, "ovskit"), "github.com/ovskit/ovskit/cmd/ovskit").CombinedOutput()
		if err != nil {
			cli.err = errors.New(string(out))
		}
	})
	if cli.err != nil {
		t.Fatalf("build ovskit: %v", cli.err)
	}
	return filepath.Join(cli.dir, "ovskit")
}

// TestLabsQemu runs labs 1 and 2 with real VMs: every check of the
// namespace labs, each probe run inside a guest by its own ping, plus
// one boot check per VM. `make labs-qemu` runs all of them.
func TestLabsQemu(t *testing.T) {
	requireQemu(t)
	for _, tc := range []struct {
		lab    sim.Lab
		checks int
		vms    []string
	}{
		{labs.Lab1, 5 + 2, []string{"vm1", "vm2"}},
		{labs.Lab2, 9 + 3, []string{"vm1", "vm2", "vm3"}},
	} {
		t.Run(tc.lab.Name, func(t *testing.T) {
			rep := runLab(t, tc.lab, sim.QemuGuests, tc.checks, tc.lab.Name == "lab2")
			booted := map[string]bool{}
			for _, c := range rep.Checks() {
				if c.What == "boot" && c.Pass && strings.HasPrefix(c.Observed, "booted in ") {
					booted[c.From] = true
					t.Logf("%s %s", c.From, c.Observed)
				}
			}
			for _, vm := range tc.vms {
				if !booted[vm] {
					t.Errorf("%s did not boot as a VM", vm)
				}
			}
		})
	}
}

// TestFailedQemuLabTearsDown: a lab with a VM that fails a check and then
// a step stops the VM (its if-down runs), and leaves no qemu, tap or
// namespace.
func TestFailedQemuLabTearsDown(t *testing.T) {
	requireQemu(t)
	before := rootLinks(t)
	boom := errors.New("boom")
	var detached bool
	failing := sim.Lab{Name: "failing", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
		h, err := w.AddHost(ctx, "instance_001")
		if err != nil {
			return err
		}
		if _, err := h.Transact(ctx, bridge.Add("br-in", bridge.DatapathType("netdev"))); err != nil {
			return err
		}
		vm, err := h.AddGuest(ctx, sim.GuestConfig{Name: "vm1", Bridge: "br-in", Vif: "vif0.0", MAC: "52:54:00:00:00:01", Addr: "10.0.3.1/24"})
		if err != nil {
			return err
		}
		if vm.VM == nil {
			return errors.New("vm1 is not a VM")
		}
		r.Reach(ctx, vm, "nobody", "10.0.3.9", true)
		// The tutorial's if-down, then if-up again, run as qemu runs them.
		if err := vm.Detach(ctx); err != nil {
			return err
		}
		detached = true
		if err := vm.Attach(ctx); err != nil {
			return err
		}
		return boom
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := sim.Run(ctx, failing, sim.RunConfig{Config: sim.Config{Prefix: prefix, Logger: testLogger(t), Guests: sim.QemuGuests, CLI: ovskitCLI(t)}})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if !detached {
		t.Error("the lab did not get to detach")
	}
	var failed []string
	for _, c := range rep.Failed() {
		failed = append(failed, c.What+": "+c.Observed)
	}
	if len(failed) != 2 || failed[0] != "ping: "+sim.NoReply || !strings.HasPrefix(failed[1], "run: ") {
		t.Errorf("failed checks = %q, want the ping and the run", failed)
	}
	noLeftovers(t, prefix, before)
}

// TestInterruptQemu: Ctrl-C while VMs run stops them (qemu, taps) and
// tears everything down.
func TestInterruptQemu(t *testing.T) {
	requireQemu(t)
	before := rootLinks(t)
	p := prefix + "q-"
	cmd := labCommand(t, "lab2", "-prefix", p, "-guests", "qemu")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once a VM has booted (its console says so).
	console := filepath.Join(sim.StateDir(p), "instance_001", "vm1.console")
	deadline := time.Now().Add(90 * time.Second)
	for {
		if b, err := os.ReadFile(console); err == nil && strings.Contains(string(b), "up after") {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			_ = sim.Cleanup(context.Background(), p)
			t.Fatalf("vm1 did not boot: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
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
