package sim

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Check is one line of a lab's report: what was probed or read, what the
// tutorial expects and what happened.
type Check struct {
	// From and To name the two ends ("vm1", "vm2 10.0.3.2"), or the
	// place and the thing read ("instance_001", "Port vif0.0").
	From, To string
	// What is the kind of check: "ping", "dhcp", "tag", "capture", ...
	What string
	// Expected and Observed are short texts; the check passes when the
	// observation is the expected one.
	Expected, Observed string
	Pass               bool
}

// Expectations of a reachability check.
const (
	Reply   = "reply"
	NoReply = "no reply"
)

// Report collects a lab's checks. It is safe for concurrent use.
type Report struct {
	// Lab and Title name the lab.
	Lab, Title string
	// Duration is how long the lab took, set by Run.
	Duration time.Duration

	mu     sync.Mutex
	checks []Check
}

// NewReport returns an empty report.
func NewReport(lab, title string) *Report { return &Report{Lab: lab, Title: title} }

// Add records a check.
func (r *Report) Add(c Check) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks = append(r.checks, c)
}

// Equal records a check that passes when observed equals expected.
func (r *Report) Equal(from, to, what, expected, observed string) bool {
	r.Add(Check{From: from, To: to, What: what, Expected: expected, Observed: observed, Pass: expected == observed})
	return expected == observed
}

// Reach pings dst from inside the node and records whether it answered,
// against want (true: the tutorial expects replies). toName labels the
// destination ("vm2").
func (r *Report) Reach(ctx context.Context, from Pinger, toName, dst string, want bool) bool {
	expected, observed := NoReply, NoReply
	if want {
		expected = Reply
	}
	ok, err := from.Ping(ctx, dst)
	switch {
	case err != nil:
		observed = "error: " + err.Error()
	case ok:
		observed = Reply
	}
	return r.Equal(from.String(), strings.TrimSpace(toName+" "+dst), "ping", expected, observed)
}

// Pinger is where a reachability probe runs from: a Node or a Guest.
type Pinger interface {
	// Ping reports whether dst answered any of a few ICMP echo requests.
	Ping(ctx context.Context, dst string) (bool, error)
	// String names the prober in the report.
	String() string
}

// Checks returns the checks recorded so far.
func (r *Report) Checks() []Check {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Check(nil), r.checks...)
}

// Failed returns the checks that did not pass.
func (r *Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks() {
		if !c.Pass {
			out = append(out, c)
		}
	}
	return out
}

// WriteTo prints the report as a table, one row per check.
func (r *Report) WriteTo(out io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s: %s\n", r.Lab, r.Title)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tFROM\tTO\tCHECK\tEXPECTED\tOBSERVED")
	for _, c := range r.Checks() {
		mark := "ok"
		if !c.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", mark, c.From, c.To, c.What, c.Expected, c.Observed)
	}
	tw.Flush()
	checks := r.Checks()
	fmt.Fprintf(&b, "   %d checks, %d failed, %.1fs\n", len(checks), len(r.Failed()), r.Duration.Seconds())
	n, err := io.WriteString(out, b.String())
	return int64(n), err
}
