package ovstest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ovskit/ovskit/internal/rootdir"
	"github.com/ovskit/ovskit/ovsproc"
)

// Central is a private OVN central bound to a test: the Northbound and
// Southbound databases (standalone, or raft clusters) and ovn-northd,
// as local processes. Its methods (from ovsproc.Central) give the
// endpoints, each member's control socket and the faults a test injects:
// KillMember, StartMember, Leader, Status.
type Central struct {
	*ovsproc.Central
	// Dir holds the databases, sockets, pidfiles and logs.
	Dir string

	t testing.TB
}

// CentralOption configures NewCentral.
type CentralOption func(*ovsproc.CentralConfig) error

// Members makes each database a raft cluster of n members (3 or 5; 1
// means standalone, the default).
func Members(n int) CentralOption {
	return func(c *ovsproc.CentralConfig) error {
		if n < 1 || n%2 == 0 {
			return fmt.Errorf("members %d: want 1, 3, 5, ...: %w", n, ErrInvalidOption)
		}
		c.Members = n
		return nil
	}
}

// WithoutNorthd leaves ovn-northd out.
func WithoutNorthd() CentralOption {
	return func(c *ovsproc.CentralConfig) error { c.NoNorthd = true; return nil }
}

// WithSBRelays puts n Southbound relays in front of the Southbound
// database (their endpoints: Central.SBRelayEndpoints).
func WithSBRelays(n int) CentralOption {
	return func(c *ovsproc.CentralConfig) error {
		if n < 0 {
			return fmt.Errorf("relays %d: %w", n, ErrInvalidOption)
		}
		c.SBRelays = n
		return nil
	}
}

// WithSBSchema creates the Southbound database from another schema file.
func WithSBSchema(path string) CentralOption {
	return func(c *ovsproc.CentralConfig) error { c.SBSchema = path; return nil }
}

// WithNBSchema creates the Northbound database from another schema file
// (an older OVN's, say).
func WithNBSchema(path string) CentralOption {
	return func(c *ovsproc.CentralConfig) error { c.NBSchema = path; return nil }
}

// ErrInvalidOption: an option's value is out of range.
var ErrInvalidOption = errors.New("ovstest: invalid option")

// NewCentral starts an OVN central for the test and registers its
// cleanup; a failing test gets its logs.
func NewCentral(t testing.TB, opts ...CentralOption) *Central {
	t.Helper()
	Require(t, NeedOVSDB, NeedOVN)
	var cfg ovsproc.CentralConfig
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			t.Fatalf("ovstest: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := StartCentral(ctx, cfg)
	if c != nil {
		c.t = t
		t.Cleanup(func() {
			if t.Failed() && c.Central != nil {
				t.Logf("OVN central logs:\n%s", c.Logs(40))
			}
			if os.Getenv("OVSKIT_KEEP") == "1" {
				t.Logf("OVSKIT_KEEP=1: leaving the central up: ovn-nbctl --db=%s show; dir %s", c.NBEndpoint, c.Dir)
				return
			}
			if err := c.Close(); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// StartCentral starts a central outside a test; Close stops it. On error
// it returns what it started, for the caller to close.
func StartCentral(ctx context.Context, cfg ovsproc.CentralConfig) (*Central, error) {
	if removed, err := RemoveLeftovers(); err == nil && len(removed) > 0 {
		fmt.Fprintf(os.Stderr, "ovstest: removed what a killed test run left: %v\n", removed)
	}
	dir, err := os.MkdirTemp("", dirPattern)
	if err != nil {
		return nil, err
	}
	c := &Central{Dir: dir}
	if err := rootdir.WriteOwner(dir); err != nil {
		return c, err
	}
	cfg.Dir = dir
	c.Central, err = ovsproc.StartCentral(ctx, cfg)
	return c, err
}

// Close stops the servers and removes the directory. It can be called
// again.
func (c *Central) Close() error {
	if c.Central != nil {
		c.Central.Stop()
	}
	return os.RemoveAll(c.Dir)
}
