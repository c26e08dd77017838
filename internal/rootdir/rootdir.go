// Package rootdir keeps the state that code running as root acts on (the
// processes it stops, the namespaces it deletes) where no other user can
// have made or changed it: directories that are created by this user with
// mode 0700 and checked, never followed through a symbolic link, before
// anything in them is believed. It also records which process owns a
// directory, so that what a killed program left can be told from what a
// running one still uses.
package rootdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrUntrusted: a state path exists but another user could have made or
// changed it (wrong owner, group or other access, a symbolic link, not a
// directory). Nothing in it is acted on.
var ErrUntrusted = errors.New("untrusted state")

// UntrustedError says which path was refused and why.
type UntrustedError struct {
	Path, Why string
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("refusing state in %s: %s", e.Path, e.Why)
}

// Is reports whether target is ErrUntrusted.
func (e *UntrustedError) Is(target error) bool { return target == ErrUntrusted }

// Check verifies that dir is a directory (not a symbolic link to one),
// owned by this process's effective user, with no access for group or
// others. A missing dir is an error wrapping fs.ErrNotExist.
func Check(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return &UntrustedError{dir, "it is a symbolic link"}
	case !fi.IsDir():
		return &UntrustedError{dir, "it is not a directory"}
	case !ok:
		return &UntrustedError{dir, "its owner is unknown"}
	case int(st.Uid) != os.Geteuid():
		return &UntrustedError{dir, fmt.Sprintf("it is owned by uid %d, not %d", st.Uid, os.Geteuid())}
	case fi.Mode().Perm()&0o077 != 0:
		return &UntrustedError{dir, fmt.Sprintf("its mode %v lets group or others in (want 0700)", fi.Mode().Perm())}
	}
	return nil
}

// Make creates dir with mode 0700 (its parent must exist), or accepts an
// existing one that passes Check. created reports which. mkdir fails on
// anything already there, so a directory someone else slipped in between
// a removal and this call is refused, never adopted.
func Make(dir string) (created bool, err error) {
	err = os.Mkdir(dir, 0o700)
	if err == nil {
		// The umask may have taken bits away, never added them; Check
		// still proves the owner.
		return true, Check(dir)
	}
	if !errors.Is(err, fs.ErrExist) {
		return false, err
	}
	return false, Check(dir)
}

// ownerFile holds the pid and start time of the process that owns a
// directory.
const ownerFile = "owner"

// WriteOwner records this process as dir's owner.
func WriteOwner(dir string) error {
	start, err := startTime(os.Getpid())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ownerFile), fmt.Appendf(nil, "%d %d\n", os.Getpid(), start), 0o600)
}

// OwnerAlive reports whether the process recorded by WriteOwner still
// runs (the same pid with the same start time: a reused pid is not it).
// A directory with no owner record is reported alive, so that one being
// set up is left alone.
func OwnerAlive(dir string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return false, fmt.Errorf("%s/%s: malformed", dir, ownerFile)
	}
	pid, err1 := strconv.Atoi(f[0])
	want, err2 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return false, fmt.Errorf("%s/%s: malformed", dir, ownerFile)
	}
	got, err := startTime(pid)
	if err != nil {
		return false, nil // gone
	}
	return got == want, nil
}

// statFields returns the fields of /proc/PID/stat after the command
// name (which may hold spaces and parentheses): the state is [0], the
// start time [19].
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return nil, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	return f, nil
}

// startTime returns a process's start time, in clock ticks since boot.
func startTime(pid int) (uint64, error) {
	f, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// CommandNames reports whether pid's command line mentions dir (as a path
// prefix "dir/"): how a server this code started, whose files live in
// dir, is told from any other process.
func CommandNames(pid int, dir string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && strings.Contains(string(b), filepath.Clean(dir)+"/")
}

// StopPids sends SIGTERM to each process, waits up to five seconds for all
// of them to go (or ctx to end), then kills the rest with SIGKILL.
func StopPids(ctx context.Context, pids []int) {
	if len(pids) == 0 {
		return
	}
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGTERM)
	}
	alive := func() []int {
		var out []int
		for _, p := range pids {
			if syscall.Kill(p, 0) == nil && !Zombie(p) {
				out = append(out, p)
			}
		}
		return out
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if len(alive()) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	left := alive()
	for _, p := range left {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	if len(left) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
}

// Zombie reports whether the process has exited and waits for its parent
// to reap it (or is gone).
func Zombie(pid int) bool {
	f, err := statFields(pid)
	return err != nil || f[0] == "Z"
}

// Lock takes an exclusive lock on dir (flock on the directory itself, not
// on a file another user could have placed in it) and returns its
// release.
func Lock(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
