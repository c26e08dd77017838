package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/ovskit/ovskit/internal/hexdump"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ovskit/ovskit/openflow"
)

// ofctlUsage is `ovskit ofctl --help`.
const ofctlUsage = `usage: ovskit ofctl [OPTIONS] COMMAND SWITCH [ARG...]

Runs ovs-ofctl command lines on a switch through package openflow: by
default OpenFlow 1.0 with Open vSwitch's Nicira extensions, as ovs-ofctl.
Linked or installed as ovs-ofctl, ovskit is ovs-ofctl (its messages name
it so). SWITCH is a bridge name
(its socket in $OVS_RUNDIR or /var/run/openvswitch), unix:PATH,
tcp:HOST[:PORT] or ssl:HOST[:PORT] (port 6653 by default; ssl: needs -p, -c
and -C).

Commands:
  add-flow SWITCH FLOW          add-flows SWITCH FILE (- for stdin)
  mod-flows SWITCH FLOW         del-flows SWITCH [FLOW]
  dump-flows SWITCH [FLOW]      barrier SWITCH
  replace-flows SWITCH FILE     (atomic: one bundle)
  add-group SWITCH GROUP        mod-group SWITCH GROUP
  del-groups SWITCH [GROUP]     dump-groups SWITCH
  add-meter SWITCH METER        mod-meter SWITCH METER
  del-meters SWITCH [METER]     dump-meters SWITCH
  dump-aggregate SWITCH [FLOW]  dump-ports SWITCH [PORT]      dump-ports-desc SWITCH
  dump-tables SWITCH
  ct-flush SWITCH [zone=N] [ORIG [REPLY]]   ct-flush-zone SWITCH ZONE
  snoop SWITCH                  ofp-parse FILE (- for stdin; no switch)
  parse-nxm, parse-oxm VERSION  (no switch: NXM or OXM text on stdin, a
                                match a line, printed back as a switch
                                would read and send it)
  parse-ofp10-match, parse-ofp11-match
                                (no switch: OpenFlow 1.0 or 1.1 matches in
                                hex on stdin, x for any digit, printed,
                                then the bytes that change when written
                                back, and, at 1.0, when normalized)
  check-vlan TCI MASK           (no switch: a VLAN TCI and mask in hex, as
                                text, NXM, OXM, OpenFlow 1.0's and 1.1's
                                matches, each read back)
  parse-flow FLOW               parse-flows FILE (no switch: the protocols
                                that can add the flows, the one chosen, and
                                each flow mod as a switch would read it)
  add-tlv-map SWITCH MAPS       del-tlv-map SWITCH [MAPS]
                                ({class=C,type=T,len=L}->tun_metadataN,...)
  packet-out SWITCH "in_port=PORT packet=HEX actions=ACTIONS"
  diff-flows SOURCE1 SOURCE2    (each a switch or a file; exit 2 if they differ)

Options:
  -O, --protocols=VERSIONS     OpenFlow10 (default), OpenFlow13, OpenFlow14,
                               OpenFlow15, or a list: the highest the switch
                               speaks (--bundle alone means OpenFlow14)
  -F, --flow-format=FORMATS    the flow formats a flow may use: openflow10,
                               nxm, oxm, OpenFlow11, any (default), or a list
  --strict                     mod-flows, del-flows: exact match and priority
  --bundle                     add-flow(s): all or nothing, in one bundle
                               (replace-flows always uses one)
  --no-stats                   dump-flows: without statistics
  --names, --no-names          dump-flows, dump-groups: ports by name
                               (default: numbers)
  --sort[=FIELD], --rsort[=FIELD]
                               dump-flows: by FIELD (priority by default),
                               ascending or descending; repeat for ties
  -p, --private-key=FILE       ssl: the client's private key (PEM)
  -c, --certificate=FILE       ssl: the client's certificate (PEM)
  -C, --ca-cert=FILE           ssl: the CA certificate that signs the switch's
  --timeout=SECS               give up after SECS seconds
  -m, --more                   parse-flows: more detail (-mmm: a Nicira
                               match as its NXM entries)
  --detach, --pidfile[=FILE]   snoop: run in the background once connected
                               (--no-chdir, --monitor and -v... are taken
                               and ignored, as ovskit logs nothing)
`

// runOfctl is `ovskit ofctl ...`.
func runOfctl(prog string, args []string, stdout, stderr io.Writer) int {
	strict, noStats, names, bundle, detach := false, false, false, false, false
	var pidfile string
	// ovs-ofctl's defaults: OpenFlow 1.0 (with Nicira's extensions), any
	// flow format.
	enabled := versionSet(1 << openflow.OpenFlow10)
	formats := openflow.FormatOpenFlow10 | openflow.FormatNXM | openflow.FormatOXM | openflow.FormatOpenFlow11
	var sortKeys []openflow.SortKey
	verbosity := 0 // -m, given again for more
	lg := newVlog(prog, stderr)
	var keyFile, certFile, caFile string
	timeout := time.Duration(0)
	var rest []string
	// -p FILE, --private-key FILE and the = forms.
	fileOpts := map[string]*string{"-p": &keyFile, "--private-key": &keyFile, "-c": &certFile, "--certificate": &certFile,
		"-C": &caFile, "--ca-cert": &caFile}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if name, val, hasVal := strings.Cut(a, "="); fileOpts[name] != nil && (hasVal || i+1 < len(args)) {
			if !hasVal {
				i++
				val = args[i]
			}
			*fileOpts[name] = val
			continue
		}
		switch {
		case a == "--help" || a == "-h":
			fmt.Fprint(stdout, ofctlUsage)
			return 0
		case a == "-O" || a == "--protocols" || strings.HasPrefix(a, "-O") || strings.HasPrefix(a, "--protocols="):
			v, ok := optionValue(args, &i, "-O", "--protocols")
			if !ok {
				fmt.Fprintf(stderr, "%s: %s needs a value\n", prog, a)
				return 1
			}
			vs, err := parseVersionSet(v)
			if err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", prog, err)
				return 1
			}
			enabled = vs
		case a == "-F" || a == "--flow-format" || strings.HasPrefix(a, "-F") || strings.HasPrefix(a, "--flow-format="):
			v, ok := optionValue(args, &i, "-F", "--flow-format")
			if !ok {
				fmt.Fprintf(stderr, "%s: %s needs a value\n", prog, a)
				return 1
			}
			f, err := openflow.ParseFlowFormats(v)
			if err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", prog, err)
				return 1
			}
			formats = f
		case a == "--more" || len(a) > 1 && strings.Trim(a, "m") == "-":
			verbosity += max(1, strings.Count(a, "m"))
		case a == "--bundle": // replace-flows always uses one
			bundle = true
		case a == "--strict":
			strict = true
		case a == "--no-stats":
			noStats = true
		case a == "--names":
			names = true
		case a == "--no-names":
			names = false
		case a == "--sort" || a == "--rsort" || strings.HasPrefix(a, "--sort=") || strings.HasPrefix(a, "--rsort="):
			name, field, _ := strings.Cut(a, "=")
			sortKeys = append(sortKeys, openflow.SortKey{Field: field, Descending: name == "--rsort"})
		case strings.HasPrefix(a, "--timeout="):
			var secs int
			if _, err := fmt.Sscan(strings.TrimPrefix(a, "--timeout="), &secs); err != nil || secs < 0 {
				fmt.Fprintf(stderr, "%s: value %s on --timeout is invalid\n", prog, strings.TrimPrefix(a, "--timeout="))
				return 1
			}
			timeout = time.Duration(secs) * time.Second
		case a == "--detach":
			detach = true
		case strings.HasPrefix(a, "--pidfile"):
			pidfile = strings.TrimPrefix(strings.TrimPrefix(a, "--pidfile"), "=")
			if pidfile == "" {
				pidfile = "ovs-ofctl.pid"
			}
		case isVlog(a):
			spec, _ := vlogSpec(a)
			if err := lg.set(spec); err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", prog, err)
				return 1
			}
		case a == "--no-chdir", a == "--monitor", strings.HasPrefix(a, "--log-file"):
			// Open vSwitch's daemon options: ovskit does not change
			// directory and logs to no file.
		case strings.HasPrefix(a, "-") && len(rest) == 0:
			fmt.Fprintf(stderr, "%s: %s: unknown option\n", prog, a)
			return 1
		default:
			rest = append(rest, a)
		}
	}
	// --bundle needs OpenFlow 1.3 or later: without such a version
	// enabled, it means 1.4, as in ovs-ofctl.
	if bundle && enabled&^versionSet(1<<openflow.OpenFlow13-1) == 0 {
		enabled = 1 << openflow.OpenFlow14
	}
	if formats&enabled.formats() == 0 {
		fmt.Fprintf(stderr, "%s: None of the enabled OpenFlow versions (%s) supports any of the enabled flow formats (%v).  (Use -O to enable additional OpenFlow versions or -F to enable additional flow formats.)\n",
			prog, enabled, formats)
		return 1
	}
	// The formats a flow may use: those -F allows that the versions have.
	formats &= enabled.formats()
	if len(rest) == 0 {
		fmt.Fprintf(stderr, "%s: missing command name; use --help for help\n", prog)
		return 1
	}
	if rest[0] == "parse-nx-match" { // ovs-ofctl's other name for it
		rest[0] = "parse-nxm"
	}
	if rest[0] == "parse-nxm" || rest[0] == "parse-oxm" {
		return parseNXM(prog, rest, strict, verbosity, lg, os.Stdin, stdout, stderr)
	}
	if rest[0] == "check-vlan" {
		if len(rest) != 3 {
			fmt.Fprintf(stderr, "%s: 'check-vlan' command requires at least 2 arguments\n", prog)
			return 1
		}
		return checkVLAN(prog, rest[1], rest[2], stdout, stderr)
	}
	if rest[0] == "parse-ofp10-match" || rest[0] == "parse-ofp11-match" {
		ver := openflow.OpenFlow10
		if rest[0] == "parse-ofp11-match" {
			ver = openflow.OpenFlow11
		}
		return parseStdMatch(prog, ver, lg, os.Stdin, stdout, stderr)
	}
	if len(rest) < 2 {
		fmt.Fprintf(stderr, "%s: '%s' command requires at least 1 arguments\n", prog, rest[0])
		return 1
	}
	switch rest[0] {
	case "ofp-parse":
		return ofpParse(prog, rest[1], stdout, stderr)
	case "parse-flow", "parse-flows":
		return parseFlowCmd(prog, rest[0], rest[1], protocolsOf(formats, enabled), verbosity, lg, stdout, stderr)
	case "snoop":
		var without []string
		for _, a := range args {
			if a != "--detach" {
				without = append(without, a)
			}
		}
		return snoop(prog, rest[1], detach, pidfile, without, stdout, stderr)
	}
	versions := enabled.spoken()
	cmd, target, cargs := rest[0], rest[1], rest[2:]
	nargs := map[string][2]int{"add-flow": {1, 1}, "add-flows": {1, 1}, "mod-flows": {1, 1}, "del-flows": {0, 1}, "dump-flows": {0, 1}, "barrier": {0, 0},
		"replace-flows": {1, 1}, "diff-flows": {1, 1},
		"add-group": {1, 1}, "mod-group": {1, 1}, "del-groups": {0, 1}, "dump-groups": {0, 0},
		"add-meter": {1, 1}, "mod-meter": {1, 1}, "del-meters": {0, 1}, "dump-meters": {0, 0},
		"dump-aggregate": {0, 1}, "packet-out": {1, 1}, "dump-ports": {0, 1}, "dump-ports-desc": {0, 0}, "dump-tables": {0, 0},
		"ct-flush-zone": {1, 1}, "ct-flush": {0, 3}, "add-tlv-map": {1, 1}, "del-tlv-map": {0, 1}}
	n, ok := nargs[cmd]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command '%s'; use --help for help\n", prog, cmd)
		return 1
	}
	if len(cargs) < n[0] || len(cargs) > n[1] {
		fmt.Fprintf(stderr, "%s: '%s' command takes %d to %d arguments\n", prog, cmd, n[0]+1, n[1]+1)
		return 1
	}
	ctx, cancel := commandContext(timeout)
	defer cancel()
	dialOpts := []openflow.DialOption{openflow.WithVersions(versions...)}
	if formats&openflow.FormatNXM == 0 && formats&openflow.FormatOpenFlow10 != 0 {
		dialOpts = append(dialOpts, openflow.WithFlowFormat(openflow.FormatOpenFlow10))
	}
	if cmd == "diff-flows" {
		return diffFlows(ctx, prog, target, cargs[0], dialOpts, stdout, stderr)
	}
	if strings.HasPrefix(target, "ssl:") {
		cfg, err := ovsTLS(keyFile, certFile, caFile, false)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		dialOpts = append(dialOpts, openflow.WithTLS(cfg))
	}
	if cmd == "dump-flows" {
		// An unknown sort field is bad syntax too.
		if err := openflow.SortFlows(nil, sortKeys...); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
	}
	// Parse everything before sending: bad syntax sends nothing.
	var flows []*openflow.Flow
	var spec *openflow.FlowSpec
	var group *openflow.GroupEntry
	var meter *openflow.Meter
	var pkt *packetOut
	var ctFlush *openflow.CTFlush
	var ctZone uint16
	var tlvMaps []openflow.TLVMap
	var lines []numberedLine
	var conn *openflow.Conn // dialled early only to read port names
	var err error
	// mod-flows and del-flows read their flows from stdin with "-", as
	// ovs-ofctl does.
	fromStdin := (cmd == "mod-flows" || cmd == "del-flows") && len(cargs) == 1 && cargs[0] == "-"
	var specs []*openflow.FlowSpec
	if cmd == "add-flows" || cmd == "replace-flows" || fromStdin {
		if lines, err = readLines(cargs[0]); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
	}
	// parseNamed parses the arguments that may name ports.
	parseNamed := func(names openflow.PortNames) error {
		var err error
		switch cmd {
		case "add-group", "mod-group":
			group, err = names.ParseGroup(cargs[0])
		case "add-flow":
			var f *openflow.Flow
			if f, err = names.ParseFlow(cargs[0]); err == nil {
				flows = []*openflow.Flow{f}
			}
		case "add-flows", "replace-flows":
			flows, err = parseLines(cargs[0], lines, names)
		case "mod-flows", "del-flows", "dump-flows", "dump-aggregate":
			if fromStdin {
				specs = specs[:0]
				for _, l := range lines {
					sp, perr := names.ParseFlowSpec(l.text)
					if perr == nil {
						perr = sp.CheckStrict(strict)
					}
					if perr != nil {
						return fmt.Errorf("%s:%d: %w", cargs[0], l.n, perr)
					}
					specs = append(specs, sp)
				}
			} else if len(cargs) == 1 {
				if spec, err = names.ParseFlowSpec(cargs[0]); err == nil && cmd != "dump-flows" && cmd != "dump-aggregate" {
					err = spec.CheckStrict(strict)
				}
			}
		}
		return err
	}
	switch cmd {
	case "del-groups":
		group = &openflow.GroupEntry{ID: 0xfffffffc}
		if len(cargs) == 1 {
			group, err = openflow.ParseGroup(cargs[0])
		}
	case "add-meter", "mod-meter":
		meter, err = openflow.ParseMeter(cargs[0])
	case "del-meters":
		meter = &openflow.Meter{ID: 0xffffffff}
		if len(cargs) == 1 {
			meter, err = openflow.ParseMeter(cargs[0])
		}
	case "packet-out":
		pkt, err = parsePacketOut(cargs[0])
	case "ct-flush":
		ctFlush, err = openflow.ParseCTFlush(cargs...)
	case "add-tlv-map", "del-tlv-map":
		if len(cargs) == 1 {
			tlvMaps, err = openflow.ParseTLVMaps(cargs[0])
		}
	case "ct-flush-zone":
		var z uint64
		if z, err = strconv.ParseUint(cargs[0], 0, 16); err != nil {
			err = fmt.Errorf("%s: invalid zone", cargs[0])
		}
		ctZone = uint16(z)
	default:
		if err = parseNamed(nil); errors.Is(err, openflow.ErrSyntax) {
			// Perhaps ports by name, as ovs-ofctl takes them: read the
			// switch's names and try again (still sending nothing), on
			// the connection the command then uses.
			if c, names, nerr := dialWithNames(ctx, target, dialOpts); nerr == nil {
				if parseNamed(names) == nil {
					err, conn = nil, c
				} else {
					c.Close()
				}
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	// A flow mod whose match lost fields without their prerequisites is
	// logged, as ovs-ofctl logs it (what goes is the match as it stays).
	if cmd == "add-flow" || cmd == "add-flows" || cmd == "mod-flows" || cmd == "del-flows" {
		logged := append([]*openflow.Flow(nil), flows...)
		for _, sp := range append(specs, spec) {
			if sp != nil {
				logged = append(logged, &sp.Flow)
			}
		}
		for _, f := range logged {
			if pre, changed := f.Normalization(); changed {
				lg.normalized(pre, f.Match.String())
			}
		}
	}
	// A flow (or a dump's match) that no allowed flow format carries is
	// refused before anything is sent, as ovs-ofctl refuses it.
	usable := make([]*openflow.Flow, 0, len(flows)+len(specs)+1)
	usable = append(usable, flows...)
	for _, sp := range append(specs, spec) {
		if sp != nil {
			usable = append(usable, &sp.Flow)
		}
	}
	for _, f := range usable {
		if u := f.Formats(); u&formats == 0 {
			if conn != nil {
				conn.Close()
			}
			fmt.Fprintf(stderr, "%s: none of the usable flow formats (%v) is among the allowed flow formats (%v)\n", prog, u, formats)
			return 1
		}
	}
	c := conn
	if c == nil && len(versions) == 0 {
		fmt.Fprintf(stderr, "%s: %v: %v\n", prog, enabled, openflow.ErrVersion)
		return 1
	}
	if c == nil {
		if c, err = openflow.Dial(ctx, target, dialOpts...); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
	}
	defer c.Close()
	switch cmd {
	case "add-flow", "add-flows":
		if bundle {
			err = c.AddFlowsAtomic(ctx, flows...)
		} else {
			err = c.AddFlows(ctx, flows...)
		}
	case "mod-flows", "del-flows":
		if !fromStdin {
			if spec == nil && cmd == "mod-flows" {
				spec, _ = openflow.ParseFlowSpec("")
			}
			specs = []*openflow.FlowSpec{spec}
		}
		for _, sp := range specs {
			if cmd == "mod-flows" {
				err = c.ModFlows(ctx, sp, strict)
			} else {
				err = c.DelFlows(ctx, sp, strict)
			}
			if err != nil {
				break
			}
		}
	case "replace-flows":
		err = c.ReplaceFlows(ctx, flows)
	case "dump-aggregate":
		var agg openflow.Aggregate
		if agg, err = c.DumpAggregate(ctx, spec); err == nil {
			_, err = fmt.Fprintf(stdout, "%s %s\n", replyHeader(c, "AGGREGATE"), agg)
		}
	case "packet-out":
		err = c.PacketOut(ctx, pkt.inPort, pkt.frame, pkt.actions)
	case "dump-tables":
		var ts []openflow.TableStats
		if ts, err = c.DumpTables(ctx); err == nil {
			_, err = io.WriteString(stdout, replyHeader(c, "TABLE")+"\n"+openflow.FormatTables(ts))
		}
	case "dump-ports-desc":
		var ds []*openflow.PortDesc
		if ds, err = c.DumpPortsDesc(ctx); err == nil {
			var b strings.Builder
			b.WriteString(replyHeader(c, "PORT_DESC") + "\n")
			for _, d := range ds {
				b.WriteString(d.String())
			}
			_, err = io.WriteString(stdout, b.String())
		}
	case "dump-ports":
		p := openflow.PortAny
		if len(cargs) == 1 {
			var f *openflow.FlowSpec
			if f, err = openflow.ParseFlowSpec("in_port=" + cargs[0]); err != nil {
				break
			}
			p = f.Match.InPort()
		}
		var st []*openflow.PortStats
		if st, err = c.DumpPorts(ctx, p); err == nil {
			var b strings.Builder
			fmt.Fprintf(&b, "%s %d ports\n", replyHeader(c, "PORT"), len(st))
			for _, x := range st {
				b.WriteString(x.String())
			}
			_, err = io.WriteString(stdout, b.String())
		}
	case "add-group":
		err = c.AddGroup(ctx, group)
	case "mod-group":
		err = c.ModGroup(ctx, group)
	case "del-groups":
		err = c.DelGroups(ctx, group.ID)
	case "dump-groups":
		var gs []*openflow.GroupEntry
		var portNames openflow.PortNames
		if gs, err = c.DumpGroups(ctx); err == nil && names {
			portNames, err = c.PortNames(ctx)
		}
		if err == nil {
			var b strings.Builder
			b.WriteString(replyHeader(c, "GROUP_DESC") + "\n")
			for _, g := range gs {
				b.WriteString(" " + g.Format(portNames) + "\n")
			}
			_, err = io.WriteString(stdout, b.String())
		}
	case "add-meter":
		err = c.AddMeter(ctx, meter)
	case "mod-meter":
		err = c.ModMeter(ctx, meter)
	case "del-meters":
		err = c.DelMeters(ctx, meter.ID)
	case "dump-meters":
		var ms []*openflow.Meter
		if ms, err = c.DumpMeters(ctx); err == nil {
			parts := make([]string, len(ms))
			for i, m := range ms {
				parts[i] = strings.TrimSuffix(m.String(), "\n")
			}
			_, err = io.WriteString(stdout, replyHeader(c, "METER_CONFIG")+"\n"+strings.Join(parts, "\n\n")+"\n")
		}
	case "barrier":
		err = c.Barrier(ctx)
	case "ct-flush":
		err = c.FlushConntrack(ctx, ctFlush)
	case "ct-flush-zone":
		err = c.FlushConntrackZone(ctx, ctZone)
	case "add-tlv-map":
		err = c.AddTLVMaps(ctx, tlvMaps...)
	case "del-tlv-map":
		err = c.DelTLVMaps(ctx, tlvMaps...)
	case "dump-flows":
		err = dumpFlows(ctx, c, spec, noStats, names, sortKeys, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}

// replyHeader is a statistics reply's header line as ovs-ofctl prints it
// (without the xid): "OFPST_FLOW reply (OF1.3):"; at OpenFlow 1.0, no
// version, and Nicira's flow statistics named so ("NXST_FLOW reply:").
func replyHeader(c *openflow.Conn, kind string) string {
	if c.Version() != openflow.OpenFlow10 {
		return fmt.Sprintf("OFPST_%s reply (OF1.%d):", kind, c.Version()-1)
	}
	if (kind == "FLOW" || kind == "AGGREGATE") && c.FlowFormat() == openflow.FormatNXM || kind == "GROUP_DESC" {
		return "NXST_" + kind + " reply:"
	}
	return "OFPST_" + kind + " reply:"
}

// numberedLine is a line of a flows file with its number.
type numberedLine struct {
	n    int
	text string
}

// readLines reads add-flows' file (- for stdin): its flow lines, with
// comments (from # to the end of the line) and blank lines skipped, as
// ovs-ofctl reads them.
func readLines(name string) ([]numberedLine, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var lines []numberedLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		s, _, _ := strings.Cut(sc.Text(), "#")
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		lines = append(lines, numberedLine{n, s})
	}
	return lines, sc.Err()
}

// parseLines parses the flows of a file's lines.
func parseLines(name string, lines []numberedLine, names openflow.PortNames) ([]*openflow.Flow, error) {
	flows := make([]*openflow.Flow, 0, len(lines))
	for _, l := range lines {
		f, err := names.ParseFlow(l.text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, l.n, err)
		}
		flows = append(flows, f)
	}
	return flows, nil
}

// readFlows reads and parses a flows file.
func readFlows(name string) ([]*openflow.Flow, error) {
	lines, err := readLines(name)
	if err != nil {
		return nil, err
	}
	return parseLines(name, lines, nil)
}

// dialWithNames connects to a switch and reads its ports' names.
func dialWithNames(ctx context.Context, target string, opts []openflow.DialOption) (*openflow.Conn, openflow.PortNames, error) {
	c, err := openflow.Dial(ctx, target, opts...)
	if err != nil {
		return nil, nil, err
	}
	names, err := c.PortNames(ctx)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, names, nil
}

// dumpFlows prints the flows as ovs-ofctl dump-flows does.
func dumpFlows(ctx context.Context, c *openflow.Conn, spec *openflow.FlowSpec, noStats, names bool, sortKeys []openflow.SortKey, w io.Writer) error {
	flows, err := c.DumpFlows(ctx, spec)
	if err != nil {
		return err
	}
	var portNames openflow.PortNames
	if names {
		if portNames, err = c.PortNames(ctx); err != nil {
			return err
		}
	}
	if err := openflow.SortFlows(flows, sortKeys...); err != nil {
		return err
	}
	var b strings.Builder
	// Sorted or with names, ovs-ofctl prints the flows without the
	// reply's header.
	if !noStats && len(sortKeys) == 0 && !names {
		b.WriteString(replyHeader(c, "FLOW") + "\n")
	}
	for _, f := range flows {
		b.WriteString(" " + f.Format(portNames, !noStats) + "\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// isFile says whether a diff-flows source is a file, as ovs-ofctl decides:
// a path starting with / or ., or a name without ':' that exists.
func isFile(src string) bool {
	if strings.HasPrefix(src, "/") || strings.HasPrefix(src, ".") {
		return true
	}
	if strings.Contains(src, ":") {
		return false
	}
	_, err := os.Stat(src)
	return err == nil
}

// readSource reads a diff-flows source: a file's flows or a switch's.
func readSource(ctx context.Context, src string, opts []openflow.DialOption) ([]*openflow.Flow, error) {
	if isFile(src) {
		return readFlows(src)
	}
	c, err := openflow.Dial(ctx, src, opts...)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.DumpFlows(ctx, nil)
}

// diffFlows is diff-flows: exit 2 when the sources differ.
func diffFlows(ctx context.Context, prog, a, b string, opts []openflow.DialOption, stdout, stderr io.Writer) int {
	fa, err := readSource(ctx, a, opts)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	fb, err := readSource(ctx, b, opts)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	lines := openflow.DiffFlows(fa, fb)
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	if len(lines) > 0 {
		return 2
	}
	return 0
}

// packetOut is packet-out's argument.
type packetOut struct {
	inPort  uint32
	frame   []byte
	actions []openflow.Action
}

// parsePacketOut reads "in_port=PORT packet=HEX actions=ACTIONS".
func parsePacketOut(s string) (*packetOut, error) {
	p := &packetOut{inPort: openflow.PortController}
	head, acts, ok := strings.Cut(s, "actions=")
	if !ok {
		return nil, fmt.Errorf("packet-out: %w: must specify actions", openflow.ErrSyntax)
	}
	for _, tok := range strings.Fields(strings.ReplaceAll(head, ",", " ")) {
		k, v, _ := strings.Cut(tok, "=")
		switch k {
		case "in_port":
			f, err := openflow.ParseFlowSpec("in_port=" + v)
			if err != nil {
				return nil, err
			}
			p.inPort = f.Match.InPort()
		case "packet":
			b, err := hex.DecodeString(v)
			if err != nil {
				return nil, fmt.Errorf("packet-out: %w: bad hex in packet", openflow.ErrSyntax)
			}
			p.frame = b
		default:
			return nil, fmt.Errorf("packet-out: %w: unknown keyword %s", openflow.ErrSyntax, k)
		}
	}
	f, err := openflow.ParseFlow("actions=" + acts)
	if err != nil {
		return nil, err
	}
	p.actions = f.Actions
	return p, nil
}

// versionSet is a set of OpenFlow versions, a bit per version number, as
// ovs-ofctl's -O takes them: 1.1 and 1.2 too, which package openflow does
// not speak.
type versionSet uint8

// parseVersionSet reads -O's list ("OpenFlow10,OpenFlow13", in any case).
func parseVersionSet(s string) (versionSet, error) {
	var out versionSet
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		ok := false
		for v := openflow.Version(1); v <= 6; v++ {
			if strings.EqualFold(name, v.String()) {
				out |= 1 << v
				ok = true
			}
		}
		if !ok {
			return 0, fmt.Errorf("%s: unknown OpenFlow version (OpenFlow10 to OpenFlow15)", name)
		}
	}
	return out, nil
}

// String lists the versions as ovs-ofctl does ("OpenFlow10, OpenFlow11").
func (vs versionSet) String() string {
	var names []string
	for v := openflow.Version(1); v <= 6; v++ {
		if vs&(1<<v) != 0 {
			names = append(names, v.String())
		}
	}
	return strings.Join(names, ", ")
}

// formats are the flow formats the versions have: OpenFlow 1.0's own and
// NXM at 1.0, OpenFlow 1.1's at 1.1, OXM from 1.2.
func (vs versionSet) formats() openflow.FlowFormat {
	var f openflow.FlowFormat
	for v := openflow.Version(1); v <= 6; v++ {
		if vs&(1<<v) == 0 {
			continue
		}
		switch v {
		case openflow.OpenFlow10:
			f |= openflow.FormatOpenFlow10 | openflow.FormatNXM
		case 2:
			f |= openflow.FormatOpenFlow11
		default:
			f |= openflow.FormatOXM
		}
	}
	return f
}

// spoken are the versions of the set that package openflow speaks.
func (vs versionSet) spoken() []openflow.Version {
	var out []openflow.Version
	for _, v := range []openflow.Version{openflow.OpenFlow10, openflow.OpenFlow13, openflow.OpenFlow14, openflow.OpenFlow15} {
		if vs&(1<<v) != 0 {
			out = append(out, v)
		}
	}
	return out
}

// ofpParse is ofp-parse: the OpenFlow messages of a file (- for stdin),
// printed as ovs-ofctl prints them.
func ofpParse(prog, name string, stdout, stderr io.Writer) int {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s: open failed (%v)\n", prog, name, err)
			return 1
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReader(r)
	for {
		m, err := openflow.ReadMessage(br)
		if errors.Is(err, io.EOF) {
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s: %v\n", prog, name, err)
			return 1
		}
		fmt.Fprintln(stdout, m)
	}
}

// snoop prints what a bridge and its controllers say, until interrupted
// (or, detached, killed); with detach it runs in the background once
// connected, its pid in pidfile.
func snoop(prog, target string, detach bool, pidfile string, args []string, stdout, stderr io.Writer) int {
	if detach {
		if _, err := daemonize(args, true); err != nil {
			fmt.Fprintf(stderr, "%s: --detach: %v\n", prog, err)
			return 1
		}
		return 0
	}
	ctx, cancel := commandContext(0)
	defer cancel()
	fail := func(err error) int {
		if detached() {
			notReady(err) // (the process that waits prints it)
			return 1
		}
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	s, err := openflow.DialSnoop(ctx, target)
	if err != nil {
		return fail(err)
	}
	defer s.Close()
	if pidfile != "" {
		remove, err := writePidfile(pidfile, true)
		if err != nil {
			return fail(err)
		}
		defer remove()
	}
	ready("")
	for {
		m, err := s.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return 0
			}
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		if _, err := fmt.Fprintln(stdout, m); err != nil {
			return 1
		}
	}
}

// parseFlowCmd is parse-flow and parse-flows, offline: the protocols
// that can add every flow, the one chosen among those allowed, and each
// flow as the flow mod that adds it in that protocol, printed back as
// ovs-ofctl prints it.
func parseFlowCmd(prog, cmd, arg string, allowed protocols, verbosity int, lg *vlog, stdout, stderr io.Writer) int {
	var flows []*openflow.Flow
	if cmd == "parse-flow" {
		f, err := openflow.ParseFlow(arg)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		flows = []*openflow.Flow{f}
	} else {
		fs, err := readFlows(arg)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		flows = fs
	}
	usable := protocols(protoAny)
	for _, f := range flows {
		usable &= usableProtocols(f)
		if pre, changed := f.Normalization(); changed {
			lg.normalized(pre, f.Match.String())
		}
	}
	if usable == 0 {
		fmt.Fprintf(stderr, "%s: actions are invalid with specified match (OFPBAC_MATCH_INCONSISTENT)\n", prog)
		return 1
	}
	fmt.Fprintf(stdout, "usable protocols: %v\n", usable)
	if usable&allowed == 0 {
		fmt.Fprintf(stderr, "%s: no usable protocol\n", prog)
		return 1
	}
	one, ver, format, tableID := (usable & allowed).chosen()
	fmt.Fprintf(stdout, "chosen protocol: %v\n", one)
	for i, f := range flows {
		// OpenFlow 1.0's own flow mod is normalized again as it is read
		// back, and logged again, as in ovs-ofctl.
		if pre, changed := f.Normalization(); changed && format == openflow.FormatOpenFlow10 {
			lg.normalized(pre, f.Match.String())
		}
		m, err := f.AddMessage(ver, format, tableID)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		m.XID = uint32(i + 1)
		if _, err := fmt.Fprintln(stdout, m.Format(verbosity)); err != nil {
			return 1
		}
	}
	return 0
}

// parseNXM is parse-nxm and parse-oxm VERSION: matches in NXM/OXM text,
// a line each on stdin, read as a switch reads them and printed back as
// ovs-ofctl prints them.
func parseNXM(prog string, args []string, strict bool, verbosity int, lg *vlog, stdin io.Reader, stdout, stderr io.Writer) int {
	oxm := args[0] == "parse-oxm"
	var ver openflow.Version
	if oxm {
		if len(args) != 2 {
			fmt.Fprintf(stderr, "%s: 'parse-oxm' command requires at least 1 arguments\n", prog)
			return 1
		}
		// A text conversion: OpenFlow 1.2's OXM too, which package
		// openflow does not speak on the wire.
		vs, err := parseVersionSet(args[1])
		for v := openflow.Version(3); v <= openflow.OpenFlow15; v++ {
			if vs == 1<<v {
				ver = v
			}
		}
		if err != nil || ver == 0 {
			fmt.Fprintf(stderr, "%s: %s: not a valid version for OXM\n", prog, args[1])
			return 1
		}
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			fmt.Fprintln(stdout, line)
			continue
		}
		parse := openflow.ParseNXMatchLoose
		if strict {
			parse = openflow.ParseNXMatch
		}
		m, err := parse(line)
		switch {
		case err != nil:
			// Refused as a switch refuses it: ovs-ofctl's words.
			var se *openflow.SyntaxError
			if errors.As(err, &se) && strings.HasPrefix(se.Msg, "OFPBMC_") {
				// Open vSwitch checks its rate limit, then logs through
				// it: two of its tokens a warning.
				if se.Msg == "OFPBMC_BAD_WILDCARDS" && se.Entry != "" && lg.allow("nx_match") && lg.allow("nx_match") {
					lg.log("nx_match", 3, "Rejecting NXM/OXM entry "+se.Entry+" with 1-bits in value for bits wildcarded by the mask.")
				}
				fmt.Fprintf(stdout, "nx_pull_match() returned error %s\n", se.Msg)
			} else {
				fmt.Fprintf(stdout, "%v\n", err)
			}
		case oxm:
			fmt.Fprintln(stdout, m.OXMString(ver))
			if verbosity > 0 {
				fmt.Fprint(stdout, hexdump.Dump(m.MarshalOXM(ver), false))
			}
		default:
			fmt.Fprintln(stdout, m.NXMString())
			if verbosity > 0 {
				fmt.Fprint(stdout, hexdump.Dump(m.MarshalNXM(), false))
			}
		}
	}
	return 0
}

// optionValue is the value of args[*i], an option with a short and a long
// name: "-OVALUE", "--long=VALUE", or the next argument (*i moves past
// it); ok is false when that argument is missing.
func optionValue(args []string, i *int, short, long string) (string, bool) {
	a := args[*i]
	if a != short && a != long {
		return strings.TrimPrefix(strings.TrimPrefix(a, long+"="), short), true
	}
	if *i+1 >= len(args) {
		return "", false
	}
	*i++
	return args[*i], true
}

// isVlog says whether a is a -v option (vlogSpec).
func isVlog(a string) bool { _, ok := vlogSpec(a); return ok }
