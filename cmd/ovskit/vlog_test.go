package main

import (
	"strings"
	"testing"
	"time"
)

// The console log as the C tools' -v options set it.
func TestVlog(t *testing.T) {
	at := time.Date(2026, 12, 7, 18, 4, 5, 123e6, time.UTC)
	for _, tc := range []struct {
		opts []string
		want string
	}{
		{nil, "2026-12-07T18:04:05Z|00001|ofp_match|INFO|hello\n"},
		{[]string{"PATTERN:ANY:%c|%p|%m"}, "ofp_match|INFO|hello\n"},
		{[]string{"PATTERN:console:[%A] %-5p %05N %D{%H:%M:%S.###} %%"}, "[ovs-ofctl] INFO  00001 18:04:05.123 %\n"},
		{[]string{"PATTERN:file:%m"}, "2026-12-07T18:04:05Z|00001|ofp_match|INFO|hello\n"},
		{[]string{"console:warn"}, ""},
		{[]string{"ofp_match:console:warn"}, ""},
		{[]string{"reconnect:emer"}, "2026-12-07T18:04:05Z|00001|ofp_match|INFO|hello\n"},
		{[]string{"file:off"}, "2026-12-07T18:04:05Z|00001|ofp_match|INFO|hello\n"},
		{[]string{"console:off", ""}, "2026-12-07T18:04:05Z|00001|ofp_match|INFO|hello\n"},
	} {
		var b strings.Builder
		l := newVlog("ovs-ofctl", &b)
		l.now = func() time.Time { return at }
		for _, o := range tc.opts {
			if err := l.set(o); err != nil {
				t.Fatalf("%q: %v", o, err)
			}
		}
		l.log("ofp_match", 4, "hello")
		if b.String() != tc.want {
			t.Errorf("%q: %q, want %q", tc.opts, b.String(), tc.want)
		}
	}
}

// Normalization reports go five at a time, then one a minute, as the C
// tools' rate limit lets them.
func TestVlogRateLimit(t *testing.T) {
	var b strings.Builder
	l := newVlog("ovs-ofctl", &b)
	now := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	if err := l.set("PATTERN:console:%m"); err != nil {
		t.Fatal(err)
	}
	count := func() int { return strings.Count(b.String(), "normalization changed") }
	for range 7 {
		l.normalized("nw_src=1.2.3.4", "")
	}
	if count() != 5 {
		t.Fatalf("%d reports at once, want 5", count())
	}
	now = now.Add(61 * time.Second)
	l.normalized("nw_src=1.2.3.4", "")
	l.normalized("nw_src=1.2.3.4", "")
	if count() != 6 {
		t.Fatalf("%d reports a minute on, want 6", count())
	}
	if !strings.Contains(b.String(), " pre: nw_src=1.2.3.4\npost: \n") {
		t.Errorf("report: %q", b.String())
	}
}

// The -v options' forms, and arguments that are not one.
func TestVlogSpec(t *testing.T) {
	for _, tc := range []struct {
		arg, spec string
		ok        bool
	}{{"-v", "", true}, {"-vconsole:off", "console:off", true}, {"--verbose", "", true},
		{"--verbose=ANY:dbg", "ANY:dbg", true}, {"--version", "", false}, {"--verbosity", "", false}, {"-V", "", false}} {
		if spec, ok := vlogSpec(tc.arg); spec != tc.spec || ok != tc.ok {
			t.Errorf("%q: %q, %v; want %q, %v", tc.arg, spec, ok, tc.spec, tc.ok)
		}
	}
}
