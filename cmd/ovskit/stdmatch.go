package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"github.com/ovskit/ovskit/openflow"
)

// parseStdMatch is parse-ofp10-match and parse-ofp11-match: a standard
// match in hex a line on stdin ('x' for a digit the switch must ignore:
// random here, zero in what is expected back), printed as a match (or
// the error that refuses it); then each byte that changes when the match
// is written back, and at 1.0 each that changes when it is normalized,
// as ovs-ofctl prints them.
func parseStdMatch(prog string, ver openflow.Version, lg *vlog, stdin io.Reader, stdout, stderr io.Writer) int {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.Join(strings.Fields(line), "")
		if line == "" {
			continue
		}
		want, err := hex.DecodeString(strings.ReplaceAll(line, "x", "0"))
		if err != nil {
			fmt.Fprintf(stderr, "%s: Trailing garbage in hex data\n", prog)
			return 1
		}
		in, _ := hex.DecodeString(strings.Map(func(r rune) rune {
			if r == 'x' {
				return rune("0123456789abcdef"[rand.IntN(16)])
			}
			return r
		}, line))
		if size := map[openflow.Version]int{openflow.OpenFlow10: 40, openflow.OpenFlow11: 88}[ver]; len(in) != size {
			fmt.Fprintf(stderr, "%s: Input is %d bytes, expected %d\n", prog, len(in), size)
			return 1
		}
		m, err := openflow.DecodeStdMatch(ver, in)
		var me *openflow.MatchError
		if errors.As(err, &me) {
			if me.Field == "in_port" {
				lg.log("ofp_port", 3, me.Detail)
			}
			fmt.Fprintf(stdout, "bad ofp11_match: %s\n\n", me.Name)
			continue
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		fmt.Fprintln(stdout, m)
		out, err := m.StdMatch(ver)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		printDifferences(stdout, "", want, out)
		if ver != openflow.OpenFlow10 {
			fmt.Fprintln(stdout)
			continue
		}
		pre := m.String()
		if m.Normalize() {
			lg.normalized(pre, m.String())
		}
		normal, err := m.StdMatch(ver)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		printDifferences(stdout, "normal: ", out, normal)
		fmt.Fprintln(stdout)
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}

// printDifferences prints each byte of a that b changes, as ovs-ofctl
// does: "prefix NN: aa -> bb".
func printDifferences(w io.Writer, prefix string, a, b []byte) {
	for i := range max(len(a), len(b)) {
		var x, y byte
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			fmt.Fprintf(w, "%s%2d: %02x -> %02x\n", prefix, i, x, y)
		}
	}
}

// checkVLAN is check-vlan: a match of a VLAN TCI and mask (hex) written
// in each form a match takes (the flow syntax, NXM, OXM, OpenFlow 1.0's
// and 1.1's standard matches) and read back, with the TCI and mask it
// comes back as, as ovs-ofctl prints them.
func checkVLAN(prog, tciArg, maskArg string, stdout, stderr io.Writer) int {
	hex16 := func(s string) uint16 { // strtoul's reading: digits up to the first other
		var v uint16
		for _, r := range strings.TrimPrefix(strings.ToLower(s), "0x") {
			d := strings.IndexRune("0123456789abcdef", r)
			if d < 0 {
				break
			}
			v = v<<4 | uint16(d)
		}
		return v
	}
	tci, mask := hex16(tciArg), hex16(maskArg)
	m, err := openflow.NewMatch(openflow.Field("vlan_tci", fmt.Sprintf("%#x/%#x", tci, mask)))
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	back := func(text string) (*openflow.Match, error) {
		f, err := openflow.ParseFlow(text + ",actions=drop")
		if text == "" {
			f, err = openflow.ParseFlow("actions=drop")
		}
		if err != nil {
			return nil, err
		}
		return &f.Match, nil
	}
	// The flow syntax.
	s := m.String()
	fmt.Fprintf(stdout, "%s -> ", s)
	mb, err := back(s)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	t, k := mb.VLANTCI()
	fmt.Fprintf(stdout, "%04x/%04x\n", t, k)
	// NXM.
	nxm := m.NXMString()
	fmt.Fprintf(stdout, "NXM: %s -> ", nxm)
	if mb, err = openflow.ParseNXMatch(nxm); err != nil {
		fmt.Fprintln(stdout, errName(err))
	} else {
		t, k = mb.VLANTCI()
		fmt.Fprintf(stdout, "%04x/%04x\n", t, k)
	}
	// OXM of OpenFlow 1.2: the id with its CFI bit, and the priority
	// apart (when there is an id).
	oxm := m.OXMString(openflow.OpenFlow12)
	fmt.Fprintf(stdout, "OXM: %s -> ", oxm)
	if mb, err = openflow.ParseNXMatch(oxm); err != nil {
		fmt.Fprintln(stdout, errName(err))
	} else {
		t, k = mb.VLANTCI()
		vid := t & 0x1fff
		fmt.Fprintf(stdout, "%04x/%04x,", vid, k&0x1fff)
		if vid != 0 && k>>13 != 0 {
			fmt.Fprintf(stdout, "%02d\n", t>>13)
		} else {
			fmt.Fprintln(stdout, "--")
		}
	}
	// The standard matches: the id, whether it is wild, the priority,
	// whether it is wild (ofp10_match: dl_vlan at 18, dl_vlan_pcp at 20,
	// the wildcards at 0, bits 1 and 20; ofp11_match: dl_vlan at 36,
	// dl_vlan_pcp at 38, the wildcards at 8, bits 1 and 2), then the
	// match read back.
	for _, sm := range []struct {
		name             string
		ver              openflow.Version
		vid, pcp, wild   int
		vidWild, pcpWild uint32
	}{
		{"OF1.0", openflow.OpenFlow10, 18, 20, 0, 1 << 1, 1 << 20},
		{"OF1.1", openflow.OpenFlow11, 36, 38, 8, 1 << 1, 1 << 2},
	} {
		raw, err := m.StdMatch(sm.ver)
		if err == nil {
			mb, err = openflow.DecodeStdMatch(sm.ver, raw)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		w := binary.BigEndian.Uint32(raw[sm.wild:])
		t, k = mb.VLANTCI()
		fmt.Fprintf(stdout, "%s: %04x/%d,%02x/%d -> %04x/%04x\n", sm.name, binary.BigEndian.Uint16(raw[sm.vid:]),
			b2i(w&sm.vidWild != 0), raw[sm.pcp], b2i(w&sm.pcpWild != 0), t, k)
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// errName is the name of the error a switch would send for a match that
// does not read (OFPBMC_BAD_PREREQ, ...), or the error.
func errName(err error) string {
	var se *openflow.SyntaxError
	if errors.As(err, &se) && strings.HasPrefix(se.Msg, "OFP") {
		return se.Msg
	}
	return err.Error()
}
