package ovstest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
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

// TestContainerBackend: ovsdb-server and ovs-vswitchd (netdev) in
// containers serve a client through the unix socket of the test's
// directory; ovs-vswitchd gives an internal port its ofport; a kill and
// a restart keep the database; the machine's own namespace is unchanged.
func TestContainerBackend(t *testing.T) {
	before := rootState(t)
	start := time.Now()
	s := ovstest.NewServer(t, ovstest.WithBackend(ovstest.ContainerBackend), ovstest.WithVSwitchd())
	t.Logf("ovsdb-server and ovs-vswitchd containers ready in %v", time.Since(start).Round(time.Millisecond))
	if s.Backend != ovstest.ContainerBackend || s.OVS != nil {
		t.Fatalf("backend %v, OVS %v: want containers", s.Backend, s.OVS)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Waits for ovs-vswitchd (next_cfg), then reads the ofport it gave.
	if _, err := s.Client.Transact(ctx, bridge.Add("br0", bridge.DatapathType("netdev")), port.Add("br0", "p0", port.WithIface(iface.Type(iface.Internal)))); err != nil {
		t.Fatalf("%v\n%s", err, s.Logs(20))
	}
	// An internal port is a tap device: /dev/net/tun and NET_ADMIN work.
	ifc, err := ovsdb.WaitUntil(ctx, s.Client, func(i *vswitchdb.Interface) bool { return i.Name == "p0" && i.Ofport != nil && *i.Ofport > 0 })
	if err != nil {
		t.Fatalf("br0's ofport: %v\n%s", err, s.Logs(20))
	}
	t.Logf("ovs-vswitchd in its container set %s's ofport to %d", ifc.Name, *ifc.Ofport)
	if pid := s.DBPID(); pid <= 1 {
		t.Errorf("DBPID = %d, want ovsdb-server's pid on this machine", pid)
	}
	// A crash and a restart on the same database: the bridge is still there.
	s.KillDB()
	if err := s.StartDB(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	err = s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		ok, err := bridge.Exists(tx, "br0")
		if err == nil && !ok {
			t.Error("br0 is gone after the restart")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if after := rootState(t); !slices.Equal(before, after) {
		t.Errorf("the machine's own namespace changed:\nbefore %q\nafter  %q", before, after)
	}
}

// localImages lists the daemon's images built from the local install.
func localImages(t *testing.T) []string {
	t.Helper()
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	res, err := cli.ImageList(context.Background(), client.ImageListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, img := range res.Items {
		for _, tag := range img.RepoTags {
			if strings.HasPrefix(tag, "ovskit-ovs:") {
				out = append(out, tag+" "+img.ID)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestContainerImageCached: the image built from the local install is
// imported once per content; later servers reuse it.
func TestContainerImageCached(t *testing.T) {
	var after [2][]string
	for i := range 2 {
		start := time.Now()
		s := ovstest.NewServer(t, ovstest.WithBackend(ovstest.ContainerBackend))
		t.Logf("server %d ready in %v", i+1, time.Since(start).Round(time.Millisecond))
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		after[i] = localImages(t)
	}
	if len(after[0]) != 1 || !slices.Equal(after[0], after[1]) {
		t.Errorf("images after the first server %q, after the second %q: want the same one image", after[0], after[1])
	}
}

// TestWithImageMissing: an image the daemon does not have (and cannot
// pull: no registry is reachable here) is an error that names it.
func TestWithImageMissing(t *testing.T) {
	ovstest.NewServer(t, ovstest.WithBackend(ovstest.ContainerBackend), ovstest.WithoutClient()).Close() // Docker is there
	s, err := ovstest.Start(context.Background(), ovstest.WithBackend(ovstest.ContainerBackend), ovstest.WithImage("ovskit-nosuch:0"))
	if err == nil {
		s.Close()
		t.Fatal("a server started from an image that does not exist")
	}
	if !strings.Contains(err.Error(), "ovskit-nosuch:0") {
		t.Errorf("err = %v, want it to name the image", err)
	}
}
