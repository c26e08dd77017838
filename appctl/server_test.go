package appctl_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// serve starts a server with an echo command (its arguments, one per
// line) and a fail command on a socket in a temporary directory, and
// returns the socket's path.
func serve(t *testing.T) string {
	t.Helper()
	s := appctl.NewServer("demo 1.0")
	s.Handle("echo", "[ARG...]", 0, -1, func(_ context.Context, args []string) (string, error) {
		return strings.Join(args, "\n"), nil
	})
	s.Handle("fail", "MESSAGE", 1, 1, func(_ context.Context, args []string) (string, error) {
		return "", errors.New(args[0])
	})
	path := filepath.Join(t.TempDir(), "demo.ctl")
	l, err := appctl.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Serve: %v, want context.Canceled", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the socket is left behind: %v", err)
		}
	})
	return path
}

// TestServerWithOvsAppctl: Open vSwitch's own client, ovs-appctl, talks
// to a Server as to one of its daemons: replies, errors (exit status 2,
// the message on stderr), the checks on arguments.
func TestServerWithOvsAppctl(t *testing.T) {
	ovstest.RequireTools(t, "ovs-appctl")
	path := serve(t)
	for _, tc := range []struct {
		name         string
		args         []string
		code         int
		stdout, errs string
	}{
		{"version", []string{"version"}, 0, "demo 1.0\n", ""},
		{"echo", []string{"echo", "a", "b c"}, 0, "a\nb c\n", ""},
		{"empty reply", []string{"echo"}, 0, "", ""},
		{"list-commands", []string{"list-commands"}, 0, "The available commands are:\n" +
			"  echo                    [ARG...]\n  fail                    MESSAGE\n" +
			"  list-commands           \n  version                 \n", ""},
		{"error", []string{"fail", "it broke"}, 2, "", "it broke\novs-appctl: " + path + ": server returned an error\n"},
		{"unknown", []string{"frob"}, 2, "", "\"frob\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n"},
		{"too few", []string{"fail"}, 2, "", "\"fail\" command requires at least 1 arguments\n"},
		{"too many", []string{"fail", "a", "b"}, 2, "", "\"fail\" command takes at most 1 arguments\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("ovs-appctl", append([]string{"-t", path}, tc.args...)...)
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || out.String() != tc.stdout || !strings.HasPrefix(errb.String(), tc.errs) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), tc.code, tc.stdout, tc.errs)
			}
		})
	}
}

// TestServerWithClient: Client talks to a Server; errors are *Error.
func TestServerWithClient(t *testing.T) {
	path := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := appctl.Dial(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if out, err := c.Call(ctx, "echo", "x"); err != nil || out != "x\n" {
		t.Fatalf("echo: %q, %v", out, err)
	}
	_, err = c.Call(ctx, "fail", "no")
	var ae *appctl.Error
	if !errors.As(err, &ae) || ae.Message != "no\n" {
		t.Fatalf("fail: %v, want an *appctl.Error %q", err, "no\n")
	}
	// The connection goes on after an error.
	if out, err := c.Call(ctx, "version"); err != nil || out != "demo 1.0\n" {
		t.Fatalf("version: %q, %v", out, err)
	}
}

// TestListen: a socket is made only where nothing else is, or where a
// socket of the same user is left with nobody listening.
func TestListen(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale.ctl")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	live := filepath.Join(dir, "live.ctl")
	ll, err := appctl.Listen(live)
	if err != nil {
		t.Fatal(err)
	}
	defer ll.Close()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(stale, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		ok         bool
	}{
		{"new", filepath.Join(dir, "new.ctl"), true},
		{"stale socket", stale, true},
		{"live socket", live, false},
		{"regular file", file, false},
		{"symbolic link", link, false},
		{"relative path", "demo.ctl", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := appctl.Listen(tc.path)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(tc.path)
				if err != nil || fi.Mode().Perm() != 0o700 {
					t.Errorf("mode %v, %v; want 0700", fi.Mode(), err)
				}
				l.Close()
				return
			}
			if err == nil {
				l.Close()
				t.Fatal("made a socket")
			}
			if tc.path != "demo.ctl" && !errors.Is(err, os.ErrExist) {
				t.Errorf("err = %v, want os.ErrExist", err)
			}
			if _, err := os.Lstat(tc.path); tc.path != "demo.ctl" && err != nil {
				t.Errorf("removed: %v", err)
			}
		})
	}
}
