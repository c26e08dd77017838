package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// readyFD is the environment variable that tells a daemonized child
// which file descriptor to report its readiness on.
const readyFD = "OVSKIT_READY_FD"

// daemonize is --detach, as Open vSwitch's tools do it: the command runs
// again in the background (in a session of its own, its standard output
// and error kept), and this process exits once it says it is ready
// (ready), writing its pid to pidfile if one is named. args are the
// command's arguments without --detach.
func daemonize(args []string, pidfile string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := &exec.Cmd{Path: exe, Args: append([]string{os.Args[0]}, args...), Stdout: os.Stdout, Stderr: os.Stderr,
		ExtraFiles: []*os.File{w}, Env: append(os.Environ(), readyFD+"=3"),
		SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if err := cmd.Start(); err != nil {
		w.Close()
		return err
	}
	w.Close()
	done := make(chan error, 1)
	go func() {
		var b [1]byte
		_, err := r.Read(b[:])
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return fmt.Errorf("the daemon ended before it was ready")
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("the daemon was not ready in 30 s")
	}
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
			return err
		}
	}
	return cmd.Process.Release()
}

// ready tells the process that started this one with --detach that it is
// ready (nothing if it was not started so).
func ready() {
	fd, err := strconv.Atoi(os.Getenv(readyFD))
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), filepath.Base("ready"))
	_, _ = f.Write([]byte{1})
	f.Close()
	os.Unsetenv(readyFD)
}
