package ovsproc_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

func requireOVN(t *testing.T) { ovstest.Require(t, ovstest.NeedOVSDB, ovstest.NeedOVN) }

// ctl runs ovn-nbctl or ovn-sbctl against an endpoint.
func ctl(t *testing.T, ctx context.Context, tool, db string, args ...string) string {
	t.Helper()
	out, err := exec.CommandContext(ctx, tool, append([]string{"--db=" + db, "--timeout=20"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", tool, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func startCentral(t *testing.T, cfg ovsproc.CentralConfig) *ovsproc.Central {
	t.Helper()
	cfg.Dir = t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	c, err := ovsproc.StartCentral(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("central with %d member(s) per database up in %v", c.Members(), time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", c.Logs(20))
		}
		c.Stop()
	})
	return c
}

// TestCentralNorthd: a logical switch added to the Northbound database
// reaches the Southbound one as a datapath: ovn-northd works.
func TestCentralNorthd(t *testing.T) {
	requireOVN(t)
	c := startCentral(t, ovsproc.CentralConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctl(t, ctx, "ovn-nbctl", c.NBEndpoint, "ls-add", "ls0")
	// --wait=sb: ovn-nbctl returns once northd has applied it.
	ctl(t, ctx, "ovn-nbctl", c.NBEndpoint, "--wait=sb", "sync")
	out := ctl(t, ctx, "ovn-sbctl", c.SBEndpoint, "--columns=external_ids", "list", "Datapath_Binding")
	if !strings.Contains(out, `name=ls0`) {
		t.Errorf("no datapath for ls0 in the Southbound database:\n%s", out)
	}
	if c.NorthdPID() == 0 {
		t.Error("no northd pid")
	}
}

// TestCentralCluster: 3-member raft clusters elect a leader; when the
// Northbound leader is killed, another takes over, writes go on, and the
// killed member rejoins.
func TestCentralCluster(t *testing.T) {
	requireOVN(t)
	c := startCentral(t, ovsproc.CentralConfig{Members: 3, NoNorthd: true})
	if got := strings.Count(c.NBEndpoint, "unix:"); got != 3 {
		t.Fatalf("NBEndpoint %q: want 3 members", c.NBEndpoint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctl(t, ctx, "ovn-nbctl", c.NBEndpoint, "ls-add", "before")
	leader, err := c.Leader(ctx, ovsproc.NB)
	if err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	c.KillMember(ovsproc.NB, leader)
	next, err := c.Leader(ctx, ovsproc.NB)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("leader %d killed; member %d leads after %v", leader, next, time.Since(killed).Round(time.Millisecond))
	if next == leader {
		t.Fatalf("the killed member %d still leads", leader)
	}
	ctl(t, ctx, "ovn-nbctl", c.NBEndpoint, "ls-add", "after")
	rejoin := time.Now()
	if err := c.StartMember(ctx, ovsproc.NB, leader); err != nil {
		t.Fatal(err)
	}
	for {
		st, err := c.Status(ctx, ovsproc.NB, leader)
		if err == nil && st.Status == "cluster member" && st.Leader != "" && st.Leader != "unknown" {
			t.Logf("member %d rejoined as %s after %v", leader, st.Role, time.Since(rejoin).Round(time.Millisecond))
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("member %d did not rejoin: %+v, %v", leader, st, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The rejoined member catches up with both switches: nothing
	// committed was lost.
	for {
		out := ctl(t, ctx, "ovn-nbctl", c.MemberEndpoint(ovsproc.NB, leader), "--no-leader-only", "ls-list")
		if strings.Contains(out, "(before)") && strings.Contains(out, "(after)") {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("member %d lacks a switch:\n%s", leader, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
