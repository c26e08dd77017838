package qemu_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/qemu"
	"github.com/ovskit/ovskit/vswitchdb"
)

// image builds (or takes from the cache) the guest image, skipping or
// failing as the harness decides when the machine lacks its inputs.
func image(t *testing.T, ctx context.Context) *qemu.Image {
	t.Helper()
	ovstest.Require(t, ovstest.NeedRoot)
	ovstest.RequireTools(t, "qemu-system-x86_64")
	img, err := qemu.BuildImage(ctx, qemu.ImageConfig{})
	if errors.Is(err, qemu.ErrImageInput) && !ovstest.InCI() {
		t.Skipf("no guest image: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// buildCLI builds the ovskit command into dir.
func buildCLI(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "ovskit"), "github.com/ovskit/ovskit/cmd/ovskit").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/ovskit: %v: %s", err, out)
	}
}

// TestTwoVMsPing is the probe as a test: two VMs on tap devices in
// a netdev bridge, attached by the tutorial's scripts, ping each other; the
// results are the guests' own.
func TestTwoVMsPing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	img := image(t, ctx)
	s := ovstest.NewServer(t, ovstest.WithVSwitchd())
	if _, err := s.Client.Transact(ctx, bridge.Add("br-in", bridge.DatapathType("netdev"))); err != nil {
		t.Fatal(err)
	}
	ns, err := netns.Open(s.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	bin := filepath.Join(s.Dir, "bin")
	if err := os.Mkdir(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	buildCLI(t, bin)
	up, down := filepath.Join(s.Dir, "if-up"), filepath.Join(s.Dir, "if-down")
	ifUp, ifDown := qemu.TutorialScripts("br-in", "ovskit")
	for p, text := range map[string]string{up: ifUp, down: ifDown} {
		if err := os.WriteFile(p, []byte(text), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PATH=" + bin + ":/usr/sbin:/usr/bin:/sbin:/bin", "OVS_RUNDIR=" + s.Dir}
	var vms []*qemu.VM
	for i, addr := range []string{"10.0.3.1/24", "10.0.3.2/24"} {
		vm, err := qemu.Start(ctx, qemu.Config{
			Name: fmt.Sprintf("vm%d", i+1), Dir: s.Dir, NS: ns, Image: img,
			MAC: fmt.Sprintf("52:54:00:00:00:%02x", i+1), Tap: fmt.Sprintf("vif%d.0", i),
			IfUp: up, IfDown: down, Env: env, Addr: addr,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = vm.Stop(context.Background()) })
		vms = append(vms, vm)
	}
	for _, vm := range vms {
		if err := vm.Ready(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s booted in %v", vm.Name(), vm.BootTime().Round(time.Millisecond))
	}
	// The if-up scripts attached both taps.
	for _, name := range []string{"vif0.0", "vif1.0"} {
		if _, err := ovsdb.WaitUntil(ctx, s.Client, func(p *vswitchdb.Port) bool { return p.Name == name }); err != nil {
			t.Fatalf("port %s: %v", name, err)
		}
	}
	r, err := vms[0].Exec(ctx, "hostname; exit 3")
	if err != nil || r.Status != 3 || strings.TrimSpace(r.Output) != "vm1" {
		t.Errorf("Exec(hostname; exit 3) = %+v, %v; want status 3, output vm1", r, err)
	}
	for _, tt := range []struct {
		from *qemu.VM
		dst  string
	}{{vms[0], "10.0.3.2"}, {vms[1], "10.0.3.1"}} {
		ok, err := tt.from.Ping(ctx, tt.dst)
		if err != nil || !ok {
			t.Errorf("%s ping %s = %v, %v; want replies", tt.from.Name(), tt.dst, ok, err)
		}
	}
	// Nobody answers for 10.0.3.9: the guest's own count says so.
	if ok, err := vms[0].Ping(ctx, "10.0.3.9"); err != nil || ok {
		t.Errorf("vm1 ping 10.0.3.9 = %v, %v; want no reply", ok, err)
	}
	// Stopping runs the if-down script: the port goes, and the tap with qemu.
	if err := vms[0].Stop(ctx); err != nil {
		t.Fatal(err)
	}
	err = s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		ports, err := port.List(tx, "br-in")
		if !slices.Equal(ports, []string{"vif1.0"}) {
			t.Errorf("ports after vm1 stopped = %v, want [vif1.0]", ports)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := ns.Run("ip", "link", "show", "vif0.0"); err == nil {
		t.Errorf("vif0.0 outlived its VM: %s", out)
	}
}
