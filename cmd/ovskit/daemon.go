package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// readyFD is the environment variable that tells a daemonized child
// which file descriptor to report its readiness on.
const readyFD = "OVSKIT_READY_FD"

// daemonize is --detach, as Open vSwitch's tools do it: the command runs
// again in the background, in a session of its own, and this process
// waits until it is ready (ready) or has failed (notReady), and returns
// what it said when ready. keepStdio: the daemon writes to this
// process's standard output and error (ovs-ofctl's snoop does); without
// it the three standard files are /dev/null (the daemon logs to its log
// file). args are the command's arguments without --detach.
func daemonize(args []string, keepStdio bool) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	cmd := &exec.Cmd{Path: exe, Args: append([]string{os.Args[0]}, args...),
		ExtraFiles: []*os.File{w}, Env: append(os.Environ(), readyFD+"=3"),
		SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if keepStdio {
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		w.Close()
		return "", err
	}
	w.Close()
	// Interrupted while waiting, the daemon goes too.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer context.AfterFunc(ctx, func() { _ = cmd.Process.Kill() })()
	said, _ := io.ReadAll(r)
	switch msg := string(said); {
	case strings.HasPrefix(msg, "+"):
		return msg[1:], cmd.Process.Release()
	case strings.HasPrefix(msg, "-"):
		_ = cmd.Wait()
		return "", errors.New(msg[1:])
	}
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("the daemon ended before it was ready (%v)", err)
	}
	return "", errors.New("the daemon ended before it was ready")
}

// detached says whether this process is a daemon that daemonize started
// and that has not said yet whether it is ready.
func detached() bool { return os.Getenv(readyFD) != "" }

// ready tells the process that started this one with --detach that it is
// ready, with what that process prints (nothing if it was not started
// so).
func ready(msg string) { tellParent("+" + msg) }

// notReady tells the process that started this one with --detach that it
// failed, and why (the process prints it and exits 1).
func notReady(err error) { tellParent("-" + err.Error()) }

func tellParent(msg string) {
	fd, err := strconv.Atoi(os.Getenv(readyFD))
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "ready")
	_, _ = f.Write([]byte(msg))
	f.Close()
	os.Unsetenv(readyFD)
}

// writePidfile writes this process's pid to path, as Open vSwitch's
// daemons do: the file is locked (fcntl) for as long as the process
// runs, which is how ovs-appctl and the daemons themselves tell a live
// pidfile from a stale one; one that is locked is refused unless
// overwrite. It is written to a new file that is then renamed over path,
// so that what is at path (a link, another user's file) is replaced,
// never written through. remove deletes it if it still is this
// process's.
func writePidfile(path string, overwrite bool) (remove func(), err error) {
	if pid := lockedBy(path); pid > 0 && pid != os.Getpid() && !overwrite {
		return nil, fmt.Errorf("%s: already running as pid %d, aborting", path, pid)
	}
	pid := strconv.Itoa(os.Getpid())
	tmp := path + ".tmp" + pid
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: create failed (%w)", tmp, err)
	}
	lock := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	err = syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lock)
	if err == nil {
		_, err = f.WriteString(pid + "\n")
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return func() {
		if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == pid {
			os.Remove(path)
		}
		f.Close()
	}, nil
}

// lockedBy is the pid of the process that holds the pidfile's lock (0:
// none, or no such file).
func lockedBy(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	lock := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	if syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lock) != nil || lock.Type == syscall.F_UNLCK {
		return 0
	}
	return int(lock.Pid)
}

// openLogFile opens a daemon's log file for appending: created (mode
// 0640) if it is not there; a link, or a file that is not this user's,
// is refused, not written through.
func openLogFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o640)
	if err != nil {
		return nil, fmt.Errorf("%s: failed to open log file (%w)", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !fi.Mode().IsRegular() || !ok || int(st.Uid) != os.Geteuid() {
		f.Close()
		return nil, fmt.Errorf("%s: not a log file of this user's (refused)", path)
	}
	return f, nil
}

// inDir is name in dir, when it is relative.
func inDir(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// ovnRundir is where OVN's tools keep their sockets and pidfiles.
func ovnRundir() string {
	if dir := os.Getenv("OVN_RUNDIR"); dir != "" {
		return dir
	}
	return "/var/run/ovn"
}

// ovsLogdir is where Open vSwitch's log module puts a --log-file that
// names no file (also for OVN's tools, which use it).
func ovsLogdir() string {
	if dir := os.Getenv("OVS_LOGDIR"); dir != "" {
		return dir
	}
	return "/var/log/openvswitch"
}
