package openflow

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// ofpActionCase is one case of Open vSwitch's tests/ofp-actions.at: the
// text ovs-ofctl prints for the actions' bytes, or the error it reports.
type ofpActionCase struct {
	section, want string
	wire          []byte
	bad           bool // ovs-ofctl refuses the bytes ("bad ... actions: ERROR")
}

// ofpActionCases reads the action translation cases of ofp-actions.at's
// sections whose title names version (e.g. "OpenFlow 1.3").
func ofpActionCases(at, title string) []ofpActionCase {
	var out []ofpActionCase
	for _, sec := range strings.Split(at, "AT_SETUP([")[1:] {
		name, _, _ := strings.Cut(sec, "])")
		if name != title {
			continue
		}
		data, _, _ := strings.Cut(sec, "\n])\n")
		// A case is its "# " line, then its bytes, on one or more lines,
		// up to a blank line or the next case.
		var c *ofpActionCase
		flush := func() {
			if c != nil && len(c.wire) > 0 {
				out = append(out, *c)
			}
			c = nil
		}
		for _, l := range strings.Split(data, "\n") {
			switch {
			case strings.HasPrefix(l, "# actions="):
				flush()
				c = &ofpActionCase{section: name, want: strings.TrimPrefix(l, "# ")}
			case strings.HasPrefix(l, "# bad "):
				flush()
				c = &ofpActionCase{section: name, want: strings.TrimPrefix(l, "# "), bad: true}
			case strings.HasPrefix(l, "# "), strings.HasPrefix(l, "&"): // re-encodings, log lines
			case l == "" || strings.HasPrefix(l, "dnl") || strings.HasPrefix(l, "AT_"):
				flush()
			default:
				// (" dnl" at a line's end joins it to the next, in m4.)
				b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSuffix(l, " dnl"), " ", ""))
				if err != nil || c == nil {
					continue
				}
				c.wire = append(c.wire, b...)
			}
		}
		flush()
	}
	return out
}

// TestOfpActionsAt decodes the action bytes of Open vSwitch's own
// tests/ofp-actions.at: those of its OpenFlow 1.0, 1.3 and 1.5 sections,
// and, from its OpenFlow 1.1 section (a version this package does not
// speak), the cases made of Nicira actions alone (the same bytes in every
// version). Each must print as
// ovs-ofctl prints it; bytes ovs-ofctl refuses must not print as a
// valid action list (an error, or unknown_action kept as it came); and
// what decodes, written back and read again, prints the same.
func TestOfpActionsAt(t *testing.T) {
	at := ovstest.SourceFile(t, "tests/ofp-actions.at")
	for _, sec := range []struct {
		title  string
		ver    Version
		nxOnly bool
	}{
		{"OpenFlow 1.0 action translation", OpenFlow10, false},
		{"OpenFlow 1.1 action translation", OpenFlow13, true},
		{"OpenFlow 1.3 action translation", OpenFlow13, false},
		{"OpenFlow 1.5 action translation", OpenFlow15, false},
	} {
		cases := ofpActionCases(at, sec.title)
		if len(cases) == 0 {
			t.Fatalf("%s: %d cases found", sec.title, len(cases))
		}
		var n, same, refused int
		for _, c := range cases {
			if sec.nxOnly && !nxOnly(c.wire) {
				continue
			}
			n++
			acts, err := decodeActions(c.wire, sec.ver)
			if c.bad {
				// A switch never holds these. Read leniently or not, they
				// cannot be written back: ParseFlow refuses their text.
				if err != nil || hasRaw(acts) {
					refused++
				} else if strings.HasSuffix(c.want, "OFPBIC_UNSUP_INST") && onlyInstructions(acts) {
					// An instruction in an action list: ovs-ofctl refuses
					// it where the list must be actions alone; a flow's
					// list at 1.0 (what the decoder reads) holds it.
					refused++
				} else if _, perr := ParseFlow("actions=" + actionsString(acts)); perr != nil {
					refused++
				} else {
					t.Errorf("%s: %x: ovs-ofctl says %q; decoded as %s, which ParseFlow takes", sec.title, c.wire, c.want, actionsString(acts))
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %q: %v", sec.title, c.want, err)
				continue
			}
			if got := "actions=" + actionsString(acts); got != c.want {
				t.Errorf("%s: %x: prints %q, ovs-ofctl %q", sec.title, c.wire, got, c.want)
				continue
			}
			// Written back (as a flow's instructions; at 1.0, its actions)
			// and read again, the actions print the same.
			var again []Action
			if sec.ver == OpenFlow10 {
				var b []byte
				for _, a := range acts {
					b = a.appendWire(b, sec.ver)
				}
				again, err = decodeActions(b, sec.ver)
			} else {
				again, err = decodeInstructions(appendInstructions(nil, acts, sec.ver), sec.ver)
			}
			if err != nil || "actions="+actionsString(again) != c.want {
				t.Errorf("%s: %q written back reads as %q (%v)", sec.title, c.want, actionsString(again), err)
				continue
			}
			same++
		}
		if n == 0 {
			t.Errorf("%s: no case taken of %d", sec.title, len(cases))
		}
		fmt.Printf("openflow ofp-actions.at (%s): %d cases, %d printed as ovs-ofctl prints them, %d refused as it refuses them\n", sec.title, n, same, refused)
	}
}

// nxOnly reports whether b holds only Nicira experimenter actions.
func nxOnly(b []byte) bool {
	for len(b) >= 8 {
		n := int(b[2])<<8 | int(b[3])
		if b[0] != 0xff || b[1] != 0xff || n < 16 || n > len(b) || string(b[4:8]) != "\x00\x00\x23\x20" {
			return false
		}
		// clone's and ct's nested actions must be Nicira's too.
		switch sub := int(b[8])<<8 | int(b[9]); {
		case sub == nxastClone && !nxOnly(b[16:n]), sub == nxastCT && n >= 24 && !nxOnly(b[24:n]):
			return false
		}
		b = b[n:]
	}
	return len(b) == 0
}

// hasRaw reports whether acts keep an action unnamed.
func hasRaw(acts []Action) bool {
	for _, a := range acts {
		if _, ok := a.(RawAction); ok {
			return true
		}
	}
	return false
}

// onlyInstructions reports whether acts are instructions of OpenFlow 1.1
// and later (which OpenFlow 1.0 carries as Nicira actions).
func onlyInstructions(acts []Action) bool {
	for _, a := range acts {
		switch a.(type) {
		case WriteMetadata, GotoTable:
		default:
			return false
		}
	}
	return len(acts) > 0
}
