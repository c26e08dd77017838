package ovstest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

// TestNewCentral: a clustered Northbound, a clustered Southbound and
// ovn-northd serve ovn-nbctl and ovn-sbctl; Close stops every process and
// removes the directory.
func TestNewCentral(t *testing.T) {
	c := ovstest.NewCentral(t, ovstest.Members(3))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run := func(tool, db string, args ...string) string {
		out, err := exec.CommandContext(ctx, tool, append([]string{"--db=" + db, "--timeout=20"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v: %s", tool, args, err, out)
		}
		return string(out)
	}
	run("ovn-nbctl", c.NBEndpoint, "--wait=sb", "ls-add", "ls0")
	if out := run("ovn-sbctl", c.SBEndpoint, "--columns=external_ids", "list", "Datapath_Binding"); !strings.Contains(out, "name=ls0") {
		t.Errorf("northd did not make ls0's datapath:\n%s", out)
	}
	var pids []int
	for _, db := range []string{ovsproc.NB, ovsproc.SB} {
		for i := range c.Members() {
			pids = append(pids, c.MemberPID(db, i))
		}
	}
	pids = append(pids, c.NorthdPID())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if syscall.Kill(pid, 0) == nil {
			if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); !strings.Contains(string(b), ") Z ") {
				t.Errorf("pid %d still runs after Close", pid)
			}
		}
	}
	if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
		t.Errorf("%s: %v, want it removed", c.Dir, err)
	}
}

// TestMembersOption: a cluster size raft cannot use is refused before
// anything starts.
func TestMembersOption(t *testing.T) {
	for _, tt := range []struct {
		n  int
		ok bool
	}{{1, true}, {3, true}, {5, true}, {0, false}, {2, false}, {-1, false}} {
		var cfg ovsproc.CentralConfig
		err := ovstest.Members(tt.n)(&cfg)
		if (err == nil) != tt.ok || (tt.ok && cfg.Members != tt.n) {
			t.Errorf("Members(%d): %v, members %d; want ok=%v", tt.n, err, cfg.Members, tt.ok)
		}
		if !tt.ok && !errors.Is(err, ovstest.ErrInvalidOption) {
			t.Errorf("Members(%d): %v, want ErrInvalidOption", tt.n, err)
		}
	}
}

// TestNewCentralCleansUp: the central a test starts is stopped and its
// directory removed when the test ends (unless OVSKIT_KEEP=1, which this
// test makes sure is not set).
func TestNewCentralCleansUp(t *testing.T) {
	t.Setenv("OVSKIT_KEEP", "")
	var pids []int
	var dir string
	t.Run("inner", func(t *testing.T) {
		c := ovstest.NewCentral(t, ovstest.Members(1), ovstest.WithoutNorthd())
		dir = c.Dir
		for _, db := range []string{ovsproc.NB, ovsproc.SB} {
			pids = append(pids, c.MemberPID(db, 0))
		}
	})
	for _, pid := range pids {
		if pid <= 0 {
			t.Fatalf("member pids %v", pids)
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still runs after the test ended (%v)", pid, err)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still there after the test ended (%v)", dir, err)
	}
}
