package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"

	"github.com/vishvananda/netlink"
	vns "github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Dir is where named namespaces live, as for ip netns.
const Dir = "/run/netns"

// Errors, tested with errors.Is. They also match fs.ErrExist,
// fs.ErrNotExist and fs.ErrPermission.
var (
	ErrExists     = fs.ErrExist
	ErrNotFound   = fs.ErrNotExist
	ErrPermission = fs.ErrPermission
)

// wrap maps netlink and syscall errors onto the package's errors.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case unix.EEXIST:
			return fmt.Errorf("%s: %w (%w)", what, ErrExists, err)
		case unix.ENOENT, unix.ENODEV, unix.ESRCH, unix.EADDRNOTAVAIL:
			return fmt.Errorf("%s: %w (%w)", what, ErrNotFound, err)
		case unix.EPERM, unix.EACCES:
			return fmt.Errorf("%s: %w (%w)", what, ErrPermission, err)
		}
	}
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("%s: %w (%w)", what, ErrNotFound, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// NS is a named network namespace, visible to ip netns (a bind mount in
// Dir). Its methods act inside it; the namespace of the calling program
// is never changed.
type NS struct {
	Name   string
	handle vns.NsHandle
	nl     *netlink.Handle
}

// Path is the namespace's file.
func (ns *NS) Path() string { return filepath.Join(Dir, ns.Name) }

func checkName(name string) error {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name {
		return fmt.Errorf("namespace name %q: %w", name, fs.ErrInvalid)
	}
	return nil
}

// Create makes a new named namespace, or fails with ErrExists.
// Equivalent to: ip netns add NAME
func Create(name string) (*NS, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(Dir, name)); err == nil {
		return nil, fmt.Errorf("namespace %s: %w", name, ErrExists)
	}
	// NewNamed moves the calling thread into the new namespace: do it on
	// a locked thread and move back, or let the thread die.
	runtime.LockOSThread()
	orig, err := vns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return nil, wrap("current namespace", err)
	}
	defer orig.Close()
	h, err := vns.NewNamed(name)
	if serr := vns.Set(orig); serr != nil {
		// The thread is in the wrong namespace: keep it locked so that it
		// exits with this goroutine instead of serving others.
		if h.IsOpen() {
			h.Close()
		}
		return nil, wrap("restore namespace", serr)
	}
	runtime.UnlockOSThread()
	if err != nil {
		return nil, wrap("create namespace "+name, err)
	}
	return newNS(name, h)
}

func newNS(name string, h vns.NsHandle) (*NS, error) {
	nl, err := netlink.NewHandleAt(h)
	if err != nil {
		h.Close()
		return nil, wrap("netlink in "+name, err)
	}
	return &NS{Name: name, handle: h, nl: nl}, nil
}

// Open opens an existing named namespace, or fails with ErrNotFound.
func Open(name string) (*NS, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	h, err := vns.GetFromName(name)
	if err != nil {
		return nil, wrap("open namespace "+name, err)
	}
	return newNS(name, h)
}

// OpenPid opens the network namespace that process pid runs in (a
// container's, say). It has no name in /run/netns: Name is "pid PID", and
// Delete does not apply to it; Close releases it.
func OpenPid(pid int) (*NS, error) {
	h, err := vns.GetFromPid(pid)
	if err != nil {
		return nil, wrap(fmt.Sprintf("open the namespace of pid %d", pid), err)
	}
	return newNS(fmt.Sprintf("pid %d", pid), h)
}

// Ensure opens the namespace, creating it if needed.
func Ensure(name string) (*NS, error) {
	ns, err := Open(name)
	if errors.Is(err, ErrNotFound) {
		return Create(name)
	}
	return ns, err
}

// Close releases the handle; the namespace stays.
func (ns *NS) Close() error {
	if ns.nl != nil {
		ns.nl.Close()
		ns.nl = nil
	}
	if ns.handle.IsOpen() {
		return ns.handle.Close()
	}
	return nil
}

// Delete removes the namespace name: its links go with it (veth peers in
// other namespaces too). A missing namespace is ErrNotFound.
// Equivalent to: ip netns delete NAME
func Delete(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return wrap("delete namespace "+name, vns.DeleteNamed(name))
}

// Delete closes the handle and removes the namespace.
func (ns *NS) Delete() error {
	ns.Close()
	return Delete(ns.Name)
}

// List returns the names of the named namespaces.
// Equivalent to: ip netns list
func List() ([]string, error) {
	entries, err := os.ReadDir(Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out, nil
}

// Do runs fn on an OS thread switched into the namespace and switches it
// back afterwards, also when fn panics. If switching back fails the
// thread stays locked, so that it dies with the goroutine rather than
// running other goroutines in the wrong namespace. Sockets that fn opens
// stay in the namespace after Do returns.
func (ns *NS) Do(fn func() error) (err error) {
	runtime.LockOSThread()
	orig, err := vns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return wrap("current namespace", err)
	}
	defer orig.Close()
	if err := vns.Set(ns.handle); err != nil {
		runtime.UnlockOSThread()
		return wrap("enter namespace "+ns.Name, err)
	}
	defer func() {
		if serr := vns.Set(orig); serr == nil {
			runtime.UnlockOSThread()
		} else if err == nil {
			err = wrap("leave namespace "+ns.Name, serr)
		}
	}()
	return fn()
}

// Start starts cmd inside the namespace (it inherits the namespace of the
// thread that forks it) and returns once it runs; the caller waits for it
// or stops it by its pid.
// Equivalent to: ip netns exec NAME CMD...
func (ns *NS) Start(cmd *exec.Cmd) error {
	return ns.Do(func() error { return cmd.Start() })
}

// Run runs a command in the namespace and returns its combined output.
func (ns *NS) Run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	var out []byte
	err := ns.Do(func() error {
		var err error
		out, err = cmd.CombinedOutput()
		return err
	})
	return out, err
}

// IsCurrent reports whether this is the network namespace the calling
// program itself runs in (outside Do): the one simulations must never
// modify or probe from.
func (ns *NS) IsCurrent() (bool, error) {
	var mine, own unix.Stat_t
	if err := unix.Fstat(int(ns.handle), &mine); err != nil {
		return false, wrap("stat namespace "+ns.Name, err)
	}
	// This goroutine is not inside Do, so its thread is in the program's
	// namespace; locked so that /proc/thread-self is that thread.
	runtime.LockOSThread()
	err := unix.Stat("/proc/thread-self/ns/net", &own)
	runtime.UnlockOSThread()
	if err != nil {
		return false, wrap("stat the program's namespace", err)
	}
	return mine.Dev == own.Dev && mine.Ino == own.Ino, nil
}

// ID identifies the namespace itself, not its name ("DEV:INODE" of its
// nsfs file): a namespace deleted and made again under the same name has
// another ID.
func (ns *NS) ID() (string, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(ns.handle), &st); err != nil {
		return "", wrap("stat namespace "+ns.Name, err)
	}
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino), nil
}

// Pids returns the processes whose network namespace is this one.
// Equivalent to: ip netns pids NAME
func (ns *NS) Pids() ([]int, error) {
	var want unix.Stat_t
	if err := unix.Fstat(int(ns.handle), &want); err != nil {
		return nil, wrap("stat namespace "+ns.Name, err)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Stat(filepath.Join("/proc", e.Name(), "ns", "net"), &st) != nil {
			continue
		}
		if st.Dev == want.Dev && st.Ino == want.Ino {
			out = append(out, pid)
		}
	}
	return out, nil
}
