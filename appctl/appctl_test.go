package appctl_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

func TestCall(t *testing.T) {
	s := ovstest.NewServer(t, ovstest.WithVSwitchd())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := appctl.Dial(ctx, s.VSwitchdCtl())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		name    string
		command string
		args    []string
		want    string // in the output
		err     string // in the *Error's message
	}{
		{"version", "version", nil, "ovs-vswitchd", ""},
		{"with arguments", "vlog/set", []string{"file:info"}, "", ""},
		{"unknown command", "no/such-command", nil, "", "is not a valid command"},
		{"bad arguments", "vlog/set", []string{"nosuchmodule:dbg"}, "", "no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.Call(ctx, tc.command, tc.args...)
			if tc.err != "" {
				var ae *appctl.Error
				if !errors.As(err, &ae) || ae.Command != tc.command || !strings.Contains(ae.Message, tc.err) {
					t.Fatalf("err = %v, want an *appctl.Error with %q", err, tc.err)
				}
				return
			}
			if err != nil || !strings.Contains(out, tc.want) {
				t.Fatalf("out = %q, err = %v; want %q", out, err, tc.want)
			}
		})
	}
	// The connection serves further commands after an error.
	if _, err := c.Call(ctx, "version"); err != nil {
		t.Fatal(err)
	}
	// Without a bridge there is no datapath, and nothing to wait for;
	// then with one.
	if err := appctl.WaitRevalidated(ctx, s.VSwitchdCtl()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client.Transact(ctx, bridge.Add("br0", bridge.DatapathType("netdev"))); err != nil {
		t.Fatal(err)
	}
	if err := appctl.WaitRevalidated(ctx, s.VSwitchdCtl()); err != nil {
		t.Fatal(err)
	}
	out, err := appctl.Call(ctx, s.DBCtl(), "version")
	if err != nil || !strings.Contains(out, "ovsdb-server") {
		t.Errorf("ovsdb-server version: %q, %v", out, err)
	}
	if _, err := appctl.Dial(ctx, filepath.Join(t.TempDir(), "none.ctl")); err == nil {
		t.Error("dial of a missing socket succeeded")
	}
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	if _, err := c.Call(cctx, "version"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: %v", err)
	}
}
