// Package dockerd runs a private Docker daemon for the test harness, in a
// network namespace of its own: every bridge, iptables rule and forwarding
// sysctl it makes lives there, never in the machine's own namespace. Its
// files (data root, exec root, socket, pidfile, log) are in one 0700
// directory, removed with it; it is this program's child, stopped by pid.
package dockerd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ovskit/ovskit/internal/rootdir"
	"github.com/ovskit/ovskit/netns"
)

// ErrMissing: dockerd is not installed (Debian's docker.io).
var ErrMissing = fmt.Errorf("dockerd is not installed (docker.io): %w", exec.ErrNotFound)

// Daemon is a running private dockerd.
type Daemon struct {
	// Host is its DOCKER_HOST ("unix:///.../docker.sock").
	Host string
	// Dir holds its files.
	Dir string
	// NS is the network namespace it runs in.
	NS *netns.NS

	cmd  *exec.Cmd
	done chan struct{}
}

// Start creates a namespace and a directory, starts dockerd in them (no
// default bridge, no iptables, no forwarding) and waits until it answers.
// On error nothing is left.
func Start(ctx context.Context) (d *Daemon, err error) {
	if _, err := exec.LookPath("dockerd"); err != nil {
		return nil, ErrMissing
	}
	dir, err := os.MkdirTemp("", "ovskit-dockerd-")
	if err != nil {
		return nil, err
	}
	if err := rootdir.WriteOwner(dir); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	d = &Daemon{Dir: dir}
	defer func() {
		if err != nil {
			d.Stop()
		}
	}()
	// The namespace is named after the directory, whose name is unique.
	if d.NS, err = netns.Create("ovskit-dockerd-" + strings.TrimPrefix(filepath.Base(dir), "ovskit-dockerd-")); err != nil {
		return d, err
	}
	if err := d.NS.LinkUp("lo"); err != nil {
		return d, err
	}
	d.Host = "unix://" + filepath.Join(dir, "docker.sock")
	log, err := os.OpenFile(filepath.Join(dir, "dockerd.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return d, err
	}
	defer log.Close()
	d.cmd = exec.Command("dockerd",
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "dockerd.pid"), "-H", d.Host,
		"--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false",
		"--userland-proxy=false", "--storage-driver=overlay2", "--log-level=warn")
	d.cmd.Stdout, d.cmd.Stderr = log, log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.NS.Start(d.cmd); err != nil {
		return d, fmt.Errorf("start dockerd: %w", err)
	}
	d.done = make(chan struct{})
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	// Wait until the API answers on the socket.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if Ping(ctx, d.Host) == nil {
			return d, nil
		}
		select {
		case <-ctx.Done():
			return d, fmt.Errorf("dockerd did not answer: %w\n%s", ctx.Err(), d.Log())
		case <-d.done:
			return d, fmt.Errorf("dockerd exited: %v\n%s", d.cmd.ProcessState, d.Log())
		case <-tick.C:
		}
	}
}

// Ping asks the Docker daemon at host (unix://PATH) whether it answers
// (GET /_ping); other schemes are not dialled and count as answering.
func Ping(ctx context.Context, host string) error {
	path, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		return nil
	}
	hc := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("docker at %s: _ping: %s", host, resp.Status)
	}
	return nil
}

// PID is dockerd's pid (0 before it started).
func (d *Daemon) PID() int {
	if d.cmd == nil || d.cmd.Process == nil {
		return 0
	}
	return d.cmd.Process.Pid
}

// Log returns the end of dockerd's log.
func (d *Daemon) Log() string {
	b, err := os.ReadFile(filepath.Join(d.Dir, "dockerd.log"))
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// Stop stops dockerd (SIGTERM: it stops its containers and unmounts their
// file systems; SIGKILL after 30 s), then whatever still runs in its
// namespace, deletes the namespace and removes the directory.
func (d *Daemon) Stop() error {
	var errs []error
	if d.cmd != nil && d.cmd.Process != nil {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(30 * time.Second):
			_ = d.cmd.Process.Kill()
			<-d.done
		}
	}
	if d.NS != nil {
		if pids, err := d.NS.Pids(); err == nil && len(pids) > 0 {
			rootdir.StopPids(context.Background(), pids)
		}
		if err := d.NS.Delete(); err != nil {
			errs = append(errs, err)
		}
	}
	// Mounts dockerd left (it unmounts on a clean stop) would keep the
	// removal from finishing: detach them first.
	unmountUnder(d.Dir)
	if err := os.RemoveAll(d.Dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// unmountUnder lazily unmounts every mount point below dir, deepest first.
func unmountUnder(dir string) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var points []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			points = append(points, f[4])
		}
	}
	for i := len(points) - 1; i >= 0; i-- {
		_ = syscall.Unmount(points[i], syscall.MNT_DETACH)
	}
}
