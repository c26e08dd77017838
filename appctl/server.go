package appctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Handler runs one command of a Server: args are the request's
// arguments (without the command's name). What it returns is the reply
// ovs-appctl prints; an error is the reply's error, its text as given.
type Handler func(ctx context.Context, args []string) (string, error)

type command struct {
	usage    string
	min, max int
	run      Handler
}

// Server answers requests on a control socket as an Open vSwitch daemon's
// unixctl server does, so that ovs-appctl (and Client) can talk to a Go
// program: JSON-RPC requests whose method is a command's name and whose
// parameters are its arguments, strings; replies are text, with a final
// newline added to text that lacks one.
//
// Every server answers list-commands and version. Requests on one
// connection are answered in order; connections are served concurrently
// (a Handler that must not run twice at once locks for itself).
type Server struct {
	mu      sync.Mutex
	cmds    map[string]command
	version string
	conns   map[net.Conn]bool
}

// NewServer returns a server whose version command answers version.
func NewServer(version string) *Server {
	s := &Server{cmds: map[string]command{}, version: version, conns: map[net.Conn]bool{}}
	s.Handle("list-commands", "", 0, 0, s.listCommands)
	s.Handle("version", "", 0, 0, func(context.Context, []string) (string, error) { return s.version, nil })
	return s
}

// Handle registers a command that takes from min to max arguments (max
// below zero: any number), with its usage as list-commands shows it. A
// name registered again is replaced.
func (s *Server) Handle(name, usage string, min, max int, h Handler) {
	if max < 0 {
		max = int(^uint(0) >> 1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmds[name] = command{usage: usage, min: min, max: max, run: h}
}

func (s *Server) listCommands(context.Context, []string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString("The available commands are:\n")
	for _, name := range slices.Sorted(maps.Keys(s.cmds)) {
		fmt.Fprintf(&b, "  %-23s %s\n", name, s.cmds[name].usage)
	}
	return b.String(), nil
}

// Listen creates a control socket at path, which must be absolute. A
// socket left there by a process of the same user that is gone is
// replaced; anything else at path (a file, a link, another user's
// socket, a socket that answers) is an error, and nothing is removed.
// Only the user can connect (mode 0700).
func Listen(path string) (*net.UnixListener, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("appctl: %s: the control socket's path must be absolute", path)
	}
	if fi, err := os.Lstat(path); err == nil {
		st, ok := fi.Sys().(*syscall.Stat_t)
		switch {
		case fi.Mode()&os.ModeSocket == 0 || !ok || int(st.Uid) != os.Geteuid():
			return nil, fmt.Errorf("appctl: %s: exists and is not a control socket of this user's: %w", path, os.ErrExist)
		case stale(path):
			if err := os.Remove(path); err != nil {
				return nil, fmt.Errorf("appctl: %w", err)
			}
		default:
			return nil, fmt.Errorf("appctl: %s: a daemon answers there: %w", path, os.ErrExist)
		}
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("appctl: %w", err)
	}
	if err := os.Chmod(path, 0o700); err != nil {
		l.Close()
		return nil, fmt.Errorf("appctl: %w", err)
	}
	return l, nil
}

// stale says whether nobody listens on the socket at path.
func stale(path string) bool {
	c, err := net.Dial("unix", path)
	if err != nil {
		return errors.Is(err, syscall.ECONNREFUSED)
	}
	c.Close()
	return false
}

// Serve answers requests on l's connections until ctx is done or l
// fails; it then closes l, lets the requests being run finish and their
// replies go out, closes every connection, and returns ctx's error or
// l's. Handlers get a context that ends with ctx (a handler may end the
// server by cancelling it: its reply still goes out).
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer func() {
		// Requests being answered are answered; then the connections
		// close (their next read fails at once).
		s.mu.Lock()
		for c := range s.conns {
			_ = c.SetReadDeadline(time.Now())
		}
		s.mu.Unlock()
		wg.Wait()
	}()
	for {
		conn, err := l.Accept()
		if err != nil {
			l.Close()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("appctl: %w", err)
		}
		s.mu.Lock()
		s.conns[conn] = true
		s.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveConn(ctx, conn)
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
			conn.Close()
		}()
	}
}

type serverRequest struct {
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
	ID     json.RawMessage   `json:"id"`
}

type serverReply struct {
	Result *string         `json:"result"`
	Error  *string         `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// serveConn answers one connection's requests, in order, until it closes
// or sends what is not JSON-RPC.
func (s *Server) serveConn(ctx context.Context, conn net.Conn) {
	dec := json.NewDecoder(conn)
	enc := json.NewEncoder(conn)
	enc.SetEscapeHTML(false)
	for {
		var req serverRequest
		if err := dec.Decode(&req); err != nil {
			return
		}
		if len(req.ID) == 0 || string(req.ID) == "null" {
			continue // a notification: nothing to answer
		}
		out, err := s.call(ctx, req)
		var r serverReply
		r.ID = req.ID
		if err != nil {
			msg := withNewline(err.Error())
			r.Error = &msg
		} else {
			out = withNewline(out)
			r.Result = &out
		}
		if err := enc.Encode(r); err != nil {
			return
		}
	}
}

// call runs a request's command, checked as Open vSwitch's unixctl
// checks it.
func (s *Server) call(ctx context.Context, req serverRequest) (string, error) {
	s.mu.Lock()
	cmd, ok := s.cmds[req.Method]
	s.mu.Unlock()
	switch {
	case !ok:
		return "", fmt.Errorf("\"%s\" is not a valid command (use \"list-commands\" to see a list of valid commands)", req.Method)
	case len(req.Params) < cmd.min:
		return "", fmt.Errorf("\"%s\" command requires at least %d arguments", req.Method, cmd.min)
	case len(req.Params) > cmd.max:
		return "", fmt.Errorf("\"%s\" command takes at most %d arguments", req.Method, cmd.max)
	}
	args := make([]string, len(req.Params))
	for i, p := range req.Params {
		if json.Unmarshal(p, &args[i]) != nil {
			return "", fmt.Errorf("\"%s\" command has non-string argument", req.Method)
		}
	}
	return cmd.run(ctx, args)
}

// withNewline is text as a reply carries it: with a final newline
// unless it is empty.
func withNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
