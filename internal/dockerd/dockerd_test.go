package dockerd_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ovskit/ovskit/internal/dockerd"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// rootState is ovstest.RootState, or the test's end.
func rootState(t *testing.T) []string {
	t.Helper()
	st, err := ovstest.RootState()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestPrivateDaemon: a private dockerd, and a container server run on it
// through testcontainers-go, change nothing in the machine's own network
// namespace (no bridge, no forwarding); stopping it leaves no namespace,
// process or directory.
func TestPrivateDaemon(t *testing.T) {
	ovstest.Require(t, ovstest.NeedRoot, ovstest.NeedOVSDB)
	ovstest.RequireTools(t, "dockerd")
	before := rootState(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	d, err := dockerd.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dockerd answered after %v", time.Since(start).Round(time.Millisecond))
	stopped := false
	defer func() {
		if !stopped {
			_ = d.Stop()
		}
	}()
	t.Setenv("DOCKER_HOST", d.Host)
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	s, err := ovstest.Start(ctx, ovstest.WithBackend(ovstest.ContainerBackend), ovstest.WithVSwitchd())
	if err != nil {
		t.Fatalf("%v\n%s", err, d.Log())
	}
	if err := s.Client.Echo(ctx); err != nil {
		t.Error(err)
	}
	if after := rootState(t); !slices.Equal(before, after) {
		t.Errorf("while containers run, the machine's own namespace changed:\nbefore %q\nafter  %q", before, after)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	pid := d.PID()
	stopped = true
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	if after := rootState(t); !slices.Equal(before, after) {
		t.Errorf("the machine's own namespace changed:\nbefore %q\nafter  %q", before, after)
	}
	if _, err := netns.Open(d.NS.Name); !errors.Is(err, netns.ErrNotFound) {
		t.Errorf("namespace %s: %v, want it gone", d.NS.Name, err)
	}
	if _, err := os.Stat(d.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s: %v, want it gone", d.Dir, err)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
		t.Errorf("dockerd (pid %d) still runs", pid)
	}
}
