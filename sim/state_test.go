package sim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/internal/rootdir"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/sim"
)

// victim is a namespace that is not the world's, with a process in it.
type victim struct {
	ns  *netns.NS
	cmd *exec.Cmd
}

func newVictim(t *testing.T, name string) *victim {
	t.Helper()
	ns, err := netns.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	v := &victim{ns: ns, cmd: exec.Command("sleep", "300")}
	if err := ns.Start(v.cmd); err != nil {
		_ = ns.Delete()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = v.cmd.Process.Kill()
		_ = v.cmd.Wait()
		if err := ns.Delete(); err != nil && !errors.Is(err, netns.ErrNotFound) {
			t.Error(err)
		}
	})
	return v
}

// intact fails the test unless the victim's namespace and process live.
func (v *victim) intact(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(v.ns.Path()); err != nil {
		t.Errorf("namespace %s was deleted: %v", v.ns.Name, err)
	}
	if err := v.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("process %d in %s was stopped: %v", v.cmd.Process.Pid, v.ns.Name, err)
	}
}

// plant writes a state directory for prefix as an attacker would, with
// a namespaces file naming the victim; fix adjusts it (owner, mode, link).
func plant(t *testing.T, prefix, victimName string, fix func(dir string) error) {
	t.Helper()
	if err := os.MkdirAll(sim.StateRoot, 0o700); err != nil {
		t.Fatal(err)
	}
	dir := sim.StateDir(prefix)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "namespaces"), []byte(victimName+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fix != nil {
		if err := fix(dir); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCleanupTrustsOnlyItsOwnState: state another user could have made is
// refused with a clear error, and a namespace not made by the world (or
// made again since) is left alone with its processes.
func TestCleanupTrustsOnlyItsOwnState(t *testing.T) {
	ovstest.Require(t, ovstest.NeedNetns)
	p := prefix(t)
	v := newVictim(t, p+"victim")
	ctx := context.Background()
	tests := []struct {
		name      string
		fix       func(dir string) error
		untrusted bool
	}{
		{"owned by another user", func(dir string) error { return os.Chown(dir, 65534, 65534) }, true},
		{"writable by others", func(dir string) error { return os.Chmod(dir, 0o777) }, true},
		{"a symbolic link", func(dir string) error {
			real := dir + "-real"
			if err := os.Rename(dir, real); err != nil {
				return err
			}
			t.Cleanup(func() { os.RemoveAll(real) })
			return os.Symlink(real, dir)
		}, true},
		{"a namespace the world did not record with its identity", nil, false},
		{"a recorded namespace made again since", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "namespaces"), []byte(v.ns.Name+" 1:1\n"), 0o600)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plant(t, p, v.ns.Name, tt.fix)
			err := sim.Cleanup(ctx, p)
			if tt.untrusted && !errors.Is(err, rootdir.ErrUntrusted) {
				t.Errorf("Cleanup = %v, want ErrUntrusted", err)
			}
			if !tt.untrusted && err == nil {
				t.Error("Cleanup did not report the namespace it left alone")
			}
			v.intact(t)
			w, err := sim.New(ctx, sim.Config{Prefix: p})
			switch {
			case tt.untrusted && err == nil:
				t.Error("New adopted planted state")
			case !tt.untrusted && err != nil:
				t.Errorf("New after the refused namespace was forgotten: %v", err)
			}
			if w != nil {
				if err := w.Close(); err != nil {
					t.Error(err)
				}
			}
			v.intact(t)
		})
	}
}

// TestOldStatePathIgnored: the state file an unprivileged user can plant
// where worlds used to keep it (/tmp/PREFIXsim) is never read.
func TestOldStatePathIgnored(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	p := prefix(t)
	v := newVictim(t, "ovskit-victim-"+p[len(p)-7:len(p)-1])
	old := filepath.Join(os.TempDir(), p+"sim")
	if err := os.MkdirAll(old, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(old) })
	if err := os.WriteFile(filepath.Join(old, "namespaces"), []byte(v.ns.Name+"\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := sim.New(ctx, sim.Config{Prefix: p})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Namespace(ctx, "n1"); err != nil {
		t.Error(err)
	}
	if err := w.Close(); err != nil {
		t.Error(err)
	}
	v.intact(t)
	noLeftovers(t, p)
	if err := sim.Cleanup(ctx, p); err != nil {
		t.Error(err)
	}
	v.intact(t)
}

// TestBadPrefix: a prefix that could leave the state root, or is too long,
// is a usage error (status 2) and nothing is touched.
func TestBadPrefix(t *testing.T) {
	ovstest.Require(t, ovstest.NeedNetns)
	bait := filepath.Join(os.TempDir(), "ovskit-bait-sim")
	if err := os.MkdirAll(bait, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bait) })
	for _, p := range []string{"../tmp/ovskit-bait-", "a/b", "", "..", "x y", "sixteen-chars-xx", "ovskit-\n"} {
		t.Run(fmt.Sprintf("%q", p), func(t *testing.T) {
			if err := sim.CheckPrefix(p); !errors.Is(err, sim.ErrBadPrefix) {
				t.Errorf("CheckPrefix = %v", err)
			}
			for _, args := range [][]string{{"-prefix", p, "cleanup"}, {"-prefix", p}} {
				var out, errOut bytes.Buffer
				if code := sim.RunMain(args, &out, &errOut, nil); code != 2 {
					t.Errorf("%q: exit %d, want 2\n%s", args, code, errOut.String())
				}
			}
			if p != "" {
				if w, err := sim.New(context.Background(), sim.Config{Prefix: p}); err == nil {
					t.Error("New accepted it")
					_ = w.Close()
				}
			}
			if _, err := os.Stat(bait); err != nil {
				t.Errorf("%s was removed", bait)
			}
		})
	}
	for _, p := range []string{"ovskit-", "a", "A_b-9", "fifteen-chars-x"} {
		if err := sim.CheckPrefix(p); err != nil {
			t.Errorf("CheckPrefix(%q) = %v", p, err)
		}
	}
}
