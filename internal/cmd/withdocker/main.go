// Command withdocker runs a command with a Docker daemon reachable at
// DOCKER_HOST: the one already there, or else a private dockerd that it
// starts in a network namespace of its own (package internal/dockerd) and
// stops, with everything it made, when the command ends, also on Ctrl-C.
// The Makefile runs the container-backend tests through it:
//
//	go run ./internal/cmd/withdocker -- go test ./ovsdb/...
//
// The command also gets TESTCONTAINERS_RYUK_DISABLED=true when the daemon
// is private: its containers go with it, and the reaper's image could not
// be pulled anyway.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/ovskit/ovskit/internal/dockerd"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: withdocker -- COMMAND [ARGS...]")
		os.Exit(2)
	}
	os.Exit(run(args))
}

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := os.Environ()
	if host := os.Getenv("DOCKER_HOST"); host == "" || dockerd.Ping(ctx, host) != nil {
		start := time.Now()
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		d, err := dockerd.Start(sctx)
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "withdocker: %v\n", err)
			if errors.Is(err, dockerd.ErrMissing) {
				return 3
			}
			return 1
		}
		defer func() {
			if err := d.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "withdocker: stop dockerd: %v\n", err)
			}
		}()
		fmt.Fprintf(os.Stderr, "withdocker: private dockerd in namespace %s ready in %.1fs\n", d.NS.Name, time.Since(start).Seconds())
		env = append(env, "DOCKER_HOST="+d.Host, "TESTCONTAINERS_RYUK_DISABLED=true")
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "withdocker: %v\n", err)
		return 1
	}
}
