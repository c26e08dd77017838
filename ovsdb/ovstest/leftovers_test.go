package ovstest_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestHelperKilledTest is not a test: run by TestRemoveLeftovers as a
// child process, it starts servers, says where, and waits to be killed.
func TestHelperKilledTest(t *testing.T) {
	if os.Getenv("OVSTEST_HELPER") != "killed" {
		t.Skip("a helper process of TestRemoveLeftovers")
	}
	s := ovstest.NewServer(t, ovstest.WithVSwitchd(), ovstest.WithBackend(ovstest.ProcessBackend)) // leftovers are the process backend's
	fmt.Printf("LEFT %s %s %d %d\n", s.Dir, s.Namespace, s.DBPID(), s.VSwitchdPID())
	time.Sleep(time.Minute)
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && !strings.Contains(string(b), ") Z ")
}

// TestRemoveLeftovers: the servers of a test binary killed with SIGKILL
// outlive it; the next harness start stops them, deletes their namespace
// and directory, and touches nothing that is not certainly theirs.
func TestRemoveLeftovers(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	cmd := exec.Command(os.Args[0], "-test.run", "^TestHelperKilledTest$", "-test.v")
	cmd.Env = append(os.Environ(), "OVSTEST_HELPER=killed")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dir, ns string
	var pids []int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 5 && f[0] == "LEFT" {
			dir, ns = f[1], f[2]
			for _, p := range f[3:] {
				n, _ := strconv.Atoi(p)
				pids = append(pids, n)
			}
			break
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if dir == "" {
		t.Fatal("the helper printed no servers")
	}
	// Before the harness runs again, the killed test's servers are there.
	for _, p := range pids {
		if !alive(p) {
			t.Fatalf("server %d did not outlive its killed test; nothing to check", p)
		}
	}

	// Two things that are not the killed test's: a directory owned by
	// another user, and a process that a planted pidfile names.
	victim := exec.Command("sleep", "60")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = victim.Process.Kill(); _ = victim.Wait() }()
	planted := filepath.Join(os.TempDir(), "ovstest-planted")
	if err := os.Mkdir(planted, 0o700); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(planted)
	for name, data := range map[string]string{"owner": "1 1\n", "ovsdb-server.pid": fmt.Sprintln(victim.Process.Pid)} {
		if err := os.WriteFile(filepath.Join(planted, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(planted, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	// A directory of this user, abandoned, whose pidfile names a process
	// that is not a server of it.
	ownDead := filepath.Join(os.TempDir(), "ovstest-abandoned")
	if err := os.Mkdir(ownDead, 0o700); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(ownDead)
	for name, data := range map[string]string{"owner": "1 1\n", "ovsdb-server.pid": fmt.Sprintln(victim.Process.Pid)} {
		if err := os.WriteFile(filepath.Join(ownDead, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	removed, err := ovstest.RemoveLeftovers()
	if err != nil {
		t.Error(err)
	}
	t.Logf("removed: %v", removed)
	// Test binaries of other packages run at the same time and call
	// RemoveLeftovers too: whichever did, the leftovers must be gone.
	if !slices.ContainsFunc(removed, func(s string) bool { return strings.HasPrefix(s, dir+" ") }) {
		t.Logf("%s was removed by another test process's harness", dir)
	}
	for _, p := range pids {
		if alive(p) {
			t.Errorf("server %d of the killed test still runs", p)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s is still there", dir)
	}
	if _, err := netns.Open(ns); err == nil {
		t.Errorf("namespace %s is still there", ns)
		_ = netns.Delete(ns)
	}
	if !alive(victim.Process.Pid) {
		t.Error("a process named by a pidfile that is not a server's was stopped")
	}
	if _, err := os.Stat(planted); err != nil {
		t.Error("another user's directory was removed")
	}
}

// TestNamespacePrefixAndRestart: the namespace follows the caller's
// prefix; RestartDB keeps the database, and the client reconnects.
func TestNamespacePrefixAndRestart(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns)
	s := ovstest.NewServer(t, ovstest.WithVSwitchd(), ovstest.WithNamespacePrefix("ovsnp-"), ovstest.WithBackend(ovstest.ProcessBackend))
	if !strings.HasPrefix(s.Namespace, "ovsnp-") {
		t.Errorf("namespace %q lacks the prefix", s.Namespace)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client.Transact(ctx, bridge.Add("br0", bridge.DatapathType("netdev"))); err != nil {
		t.Fatal(err)
	}
	pid := s.DBPID()
	if err := s.RestartDB(ctx); err != nil {
		t.Fatal(err)
	}
	if s.DBPID() == pid {
		t.Error("RestartDB kept the same process")
	}
	if err := s.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		var err error
		names, err = bridge.List(tx, bridge.All)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"br0"}) {
		t.Errorf("bridges after the restart: %v", names)
	}
}
