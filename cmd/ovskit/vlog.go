package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ovskit/ovskit/appctl"
)

// vlog is the console log of the Open vSwitch tools ovskit stands in
// for, as their -v options set it: the messages they log (ovs-ofctl's
// "normalization changed ofp_match", ...) go to stderr at a level per
// module, in a pattern, as the C tools print them, so that scripts and
// test suites that read them see the same lines.
type vlog struct {
	mu   sync.Mutex
	prog string
	w    io.Writer
	// dest is the destination the logger writes: "console" (stderr) or
	// "file" (a daemon's --log-file).
	dest    string
	pattern string
	// file is the log file's path, for a daemon's log.
	file string
	// level is the console's level per module ("" for every module not
	// named): 0 off, then emer, err, warn, info, dbg.
	level map[string]int
	seq   int
	start time.Time
	now   func() time.Time
	// limits are the rate limits' buckets by name: burst 5 messages,
	// then one a minute, as the C tools' VLOG_RATE_LIMIT_INIT(1, 5).
	limits map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// vlogLevels are the level names, lowest (most severe) first; off is 0.
var vlogLevels = []string{"off", "emer", "err", "warn", "info", "dbg"}

const (
	vlogDefaultPattern = "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c|%p|%m"
	vlogFilePattern    = "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m"
)

// newVlog is the console log (stderr), at info unless -v says otherwise.
func newVlog(prog string, w io.Writer) *vlog {
	return &vlog{prog: prog, w: w, dest: "console", pattern: vlogDefaultPattern, level: map[string]int{"": 4},
		start: time.Now(), now: time.Now, limits: map[string]*bucket{}}
}

// newFileVlog is a daemon's log file (--log-file), in the C daemons'
// file pattern, at info unless -v says otherwise. Safe for concurrent
// use, as a daemon's log is.
func newFileVlog(prog string, w io.Writer) *vlog {
	l := newVlog(prog, w)
	l.dest, l.pattern = "file", vlogFilePattern
	return l
}

// set applies one -v option's value (after "-v" or "--verbose="), as
// the C tools read it: "PATTERN:DESTINATION:PATTERN", or words in any
// order, separated by colons: a module (or ANY), a destination
// (console, syslog, file, or ANY) and a level. "" is every module at dbg
// everywhere. What names another destination than the logger's is taken
// and ignored (ovskit logs to no syslog).
func (l *vlog) set(spec string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if spec == "" {
		l.level = map[string]int{"": 5}
		return nil
	}
	words := strings.Split(spec, ":")
	if strings.EqualFold(words[0], "pattern") {
		if len(words) < 3 {
			return fmt.Errorf("missing destination or pattern in %q", spec)
		}
		if d := strings.ToLower(words[1]); d == l.dest || d == "any" {
			l.pattern = strings.Join(words[2:], ":")
		}
		return nil
	}
	if strings.EqualFold(words[0], "facility") {
		return nil
	}
	module, dest, level := "", "any", 5
	for _, w := range words {
		lw := strings.ToLower(w)
		switch {
		case lw == "any":
		case lw == "console" || lw == "syslog" || lw == "file":
			dest = lw
		case slices.Contains(vlogLevels, lw):
			level = slices.Index(vlogLevels, lw)
		case w != "":
			module = w
		}
	}
	if dest != "any" && dest != l.dest {
		return nil
	}
	if module == "" {
		l.level = map[string]int{"": level}
	} else {
		l.level[module] = level
	}
	return nil
}

// open makes the logger write to the log file at path (openLogFile),
// logging that it did, as a daemon's --log-file.
func (l *vlog) open(path string) error {
	f, err := openLogFile(path)
	if err != nil {
		return err
	}
	l.mu.Lock()
	if c, ok := l.w.(io.Closer); ok {
		c.Close()
	}
	l.w, l.file = f, path
	l.mu.Unlock()
	l.log("vlog", 4, "opened log file "+path)
	return nil
}

// close closes the log file; the logger then writes nowhere.
func (l *vlog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.w.(io.Closer); ok {
		c.Close()
	}
	l.w = io.Discard
}

// handle registers on a daemon's control socket the log commands of Open
// vSwitch's daemons that ovskit's log has: vlog/set, vlog/list-pattern,
// vlog/reopen (after the file was rotated) and vlog/close.
func (l *vlog) handle(srv *appctl.Server) {
	srv.Handle("vlog/set", "{spec | PATTERN:destination:pattern}", 0, -1, func(_ context.Context, args []string) (string, error) {
		for _, a := range args {
			if err := l.set(a); err != nil {
				return "", err
			}
		}
		return "", nil
	})
	srv.Handle("vlog/list-pattern", "", 0, 0, func(context.Context, []string) (string, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		return fmt.Sprintf("%s: %s\n", l.dest, l.pattern), nil
	})
	srv.Handle("vlog/reopen", "", 0, 0, func(context.Context, []string) (string, error) {
		l.mu.Lock()
		path := l.file
		l.mu.Unlock()
		if path == "" {
			return "", errors.New("logging to a file is not configured")
		}
		return "", l.open(path)
	})
	srv.Handle("vlog/close", "", 0, 0, func(context.Context, []string) (string, error) {
		l.close()
		return "", nil
	})
}

// vlogSpec is the value of a -v option, "-vSPEC" or "--verbose[=SPEC]";
// ok is false for another argument.
func vlogSpec(a string) (spec string, ok bool) {
	if spec, ok := strings.CutPrefix(a, "-v"); ok && !strings.HasPrefix(a, "--") {
		return spec, true
	}
	if a == "--verbose" {
		return "", true
	}
	if spec, ok := strings.CutPrefix(a, "--verbose="); ok {
		return spec, true
	}
	return "", false
}

// enabled says whether module logs at level.
func (l *vlog) enabled(module string, level int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.enabledLocked(module, level)
}

func (l *vlog) enabledLocked(module string, level int) bool {
	lv, ok := l.level[module]
	if !ok {
		lv = l.level[""]
	}
	return level <= lv
}

// allow takes a message's token from the rate limit name (burst 5, then
// one a minute).
func (l *vlog) allow(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.limits[name]
	if !ok {
		b = &bucket{tokens: 5, last: now}
		l.limits[name] = b
	}
	b.tokens = min(5, b.tokens+now.Sub(b.last).Minutes())
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// log prints a message of module at level (4: info, 3: warn, ...).
func (l *vlog) log(module string, level int, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.enabledLocked(module, level) {
		return
	}
	l.seq++
	fmt.Fprintln(l.w, l.format(module, level, msg))
}

// format expands the pattern: %A program, %c module, %d and %D the
// local and UTC time (strftime in braces, ### for milliseconds), %m
// message, %N serial number, %n newline, %p level, %P pid, %r
// milliseconds since start, %t the thread ("main"), %T the thread
// but the main one (""), %%; each with
// an optional width ("-" to left-align, "0" to pad with zeros).
func (l *vlog) format(module string, level int, msg string) string {
	var b strings.Builder
	p := l.pattern
	for i := 0; i < len(p); i++ {
		if p[i] != '%' || i+1 >= len(p) {
			b.WriteByte(p[i])
			continue
		}
		i++
		left, zero := false, false
		for ; i < len(p) && (p[i] == '-' || p[i] == '0'); i++ {
			left, zero = left || p[i] == '-', zero || p[i] == '0'
		}
		width := 0
		for ; i < len(p) && p[i] >= '0' && p[i] <= '9'; i++ {
			width = width*10 + int(p[i]-'0')
		}
		if i >= len(p) {
			break
		}
		var s string
		switch p[i] {
		case 'A':
			s = l.prog
		case 'c':
			s = module
		case 'd', 'D':
			t := l.now()
			if p[i] == 'D' {
				t = t.UTC()
			}
			layout := "%Y-%m-%d %H:%M:%S.###"
			if i+1 < len(p) && p[i+1] == '{' {
				if end := strings.IndexByte(p[i+1:], '}'); end > 0 {
					layout = p[i+2 : i+1+end]
					i += 1 + end
				}
			}
			s = strftime(layout, t)
		case 'm':
			s = msg
		case 'N':
			s = strconv.Itoa(l.seq)
		case 'n':
			s = "\n"
		case 'p':
			s = strings.ToUpper(vlogLevels[level])
		case 'P':
			s = strconv.Itoa(os.Getpid())
		case 'r':
			s = strconv.FormatInt(l.now().Sub(l.start).Milliseconds(), 10)
		case 't':
			s = "main"
		case 'T':
			s = "" // the thread in parentheses, but not the main one
		case '%':
			s = "%"
		default:
			s = "%" + string(p[i])
		}
		for len(s) < width {
			switch {
			case left:
				s += " "
			case zero:
				s = "0" + s
			default:
				s = " " + s
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

// strftime formats t with the conversions the C tools' logs use (%Y %m
// %d %H %M %S %j %b %a %z %Z %%, ### for milliseconds).
func strftime(layout string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(layout); i++ {
		if strings.HasPrefix(layout[i:], "###") {
			fmt.Fprintf(&b, "%03d", t.Nanosecond()/1e6)
			i += 2
			continue
		}
		if layout[i] != '%' || i+1 >= len(layout) {
			b.WriteByte(layout[i])
			continue
		}
		i++
		switch layout[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(layout[i])
		}
	}
	return b.String()
}

// normalized logs, as ovs-ofctl does, a flow whose match lost fields
// whose prerequisites it lacks (rate-limited).
func (l *vlog) normalized(asWritten, post string) {
	if !l.enabled("ofp_match", 4) || !l.allow("ofp_match") {
		return
	}
	l.log("ofp_match", 4, "normalization changed ofp_match, details:")
	l.log("ofp_match", 4, " pre: "+asWritten)
	l.log("ofp_match", 4, "post: "+post)
}
