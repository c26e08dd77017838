package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file holds Open vSwitch's extension actions for sampling, load
// sharing, the field stack, truncated output, controller options and TCP
// FIN timeouts, each with ovs-ofctl's syntax.

// Sample sends a sample of packets to an IPFIX collector set
// (sample(probability=...,collector_set_id=...,...)).
type Sample struct {
	Probability  uint16 // packets sampled per 65535
	CollectorSet uint32
	ObsDomain    uint32
	ObsPoint     uint32
	SamplingPort uint32 // PortAny (ovs-ofctl's none) when not given
	Direction    uint8  // 0 default, 1 ingress, 2 egress
}

func (a Sample) String() string { return a.formatNamed(nil) }

func (a Sample) formatNamed(n PortNames) string {
	s := fmt.Sprintf("sample(probability=%d,collector_set_id=%d,obs_domain_id=%d,obs_point_id=%d",
		a.Probability, a.CollectorSet, a.ObsDomain, a.ObsPoint)
	if a.SamplingPort != PortAny {
		s += ",sampling_port=" + n.format(a.SamplingPort)
	}
	switch a.Direction {
	case 1:
		s += ",ingress"
	case 2:
		s += ",egress"
	}
	return s + ")"
}

func (a Sample) appendWire(b []byte, ver Version) []byte {
	sub, n := uint16(nxastSample), uint16(24)
	switch {
	case a.Direction != 0:
		sub, n = nxastSample3, 32
	case a.SamplingPort != PortAny:
		sub, n = nxastSample2, 32
	}
	b = nxHeader(b, n, sub)
	b = binary.BigEndian.AppendUint16(b, a.Probability)
	b = binary.BigEndian.AppendUint32(b, a.CollectorSet)
	b = binary.BigEndian.AppendUint32(b, a.ObsDomain)
	b = binary.BigEndian.AppendUint32(b, a.ObsPoint)
	if n == 32 {
		b = binary.BigEndian.AppendUint16(b, port16(a.SamplingPort))
		b = append(b, a.Direction, 0, 0, 0, 0, 0)
	}
	return b
}

// FinTimeout changes the flow's idle and hard timeouts when the packet is
// a TCP FIN or RST (fin_timeout(idle_timeout=N,hard_timeout=N)).
type FinTimeout struct{ Idle, Hard uint16 }

func (a FinTimeout) String() string {
	var parts []string
	if a.Idle != 0 {
		parts = append(parts, "idle_timeout="+strconv.Itoa(int(a.Idle)))
	}
	if a.Hard != 0 {
		parts = append(parts, "hard_timeout="+strconv.Itoa(int(a.Hard)))
	}
	return "fin_timeout(" + strings.Join(parts, ",") + ")"
}

func (a FinTimeout) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 16, nxastFinTimeout)
	b = binary.BigEndian.AppendUint16(b, a.Idle)
	b = binary.BigEndian.AppendUint16(b, a.Hard)
	return append(b, 0, 0)
}

// packetInReasons are the packet-in reasons controller(reason=...) names.
var packetInReasons = []string{"no_match", "action", "invalid_ttl", "action_set", "group", "packet_out"}

// Controller sends the packet to the controllers with a reason and a
// controller id (controller(reason=...,max_len=...,id=...)). The plain
// form, controller:N, is an Output to PortController.
type Controller struct {
	MaxLen uint16 // 65535: the whole packet
	ID     uint16
	Reason uint8 // 1 (action) unless given
	// Userdata travels to the controller with the packet.
	Userdata []byte
	// Pause: the switch holds the packet's processing until the
	// controller resumes it.
	Pause bool
	// MeterID is the meter the packet-ins pass through (0: none).
	MeterID uint32
}

func (a Controller) String() string {
	if a.Reason == 1 && a.ID == 0 && len(a.Userdata) == 0 && !a.Pause && a.MeterID == 0 {
		return "CONTROLLER:" + strconv.Itoa(int(a.MaxLen))
	}
	var parts []string
	if a.Reason != 1 {
		r := strconv.Itoa(int(a.Reason))
		if int(a.Reason) < len(packetInReasons) {
			r = packetInReasons[a.Reason]
		}
		parts = append(parts, "reason="+r)
	}
	if a.MaxLen != 0xffff {
		parts = append(parts, "max_len="+strconv.Itoa(int(a.MaxLen)))
	}
	if a.ID != 0 {
		parts = append(parts, "id="+strconv.Itoa(int(a.ID)))
	}
	if len(a.Userdata) > 0 {
		parts = append(parts, "userdata="+dottedHex(a.Userdata))
	}
	if a.Pause {
		parts = append(parts, "pause")
	}
	if a.MeterID != 0 {
		parts = append(parts, "meter_id="+strconv.FormatUint(uint64(a.MeterID), 10))
	}
	return "controller(" + strings.Join(parts, ",") + ")"
}

func (a Controller) appendWire(b []byte, ver Version) []byte {
	if len(a.Userdata) > 0 || a.Pause || a.MeterID != 0 {
		return a.appendController2(b)
	}
	b = nxHeader(b, 16, nxastController)
	b = binary.BigEndian.AppendUint16(b, a.MaxLen)
	b = binary.BigEndian.AppendUint16(b, a.ID)
	return append(b, a.Reason, 0)
}

// OutputTrunc outputs the packet truncated to MaxLen bytes
// (output(port=P,max_len=N)).
type OutputTrunc struct {
	Port   uint32
	MaxLen uint32
}

func (a OutputTrunc) String() string { return a.formatNamed(nil) }

func (a OutputTrunc) formatNamed(n PortNames) string {
	return "output(port=" + n.format(a.Port) + ",max_len=" + strconv.FormatUint(uint64(a.MaxLen), 10) + ")"
}

func (a OutputTrunc) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 16, nxastOutputTrunc)
	b = binary.BigEndian.AppendUint16(b, port16(a.Port))
	return binary.BigEndian.AppendUint32(b, a.MaxLen)
}

// Stack pushes a subfield onto the field stack (push:F[]) or pops the top
// of the stack into one (pop:F[]).
type Stack struct {
	Pop       bool
	Field     string // NXM name
	Ofs, Bits int
}

func (a Stack) String() string {
	op := "push:"
	if a.Pop {
		op = "pop:"
	}
	return op + formatSubfield(a.Field, a.Ofs, a.Bits)
}

func (a Stack) appendWire(b []byte, ver Version) []byte {
	sub := uint16(nxastStackPush)
	if a.Pop {
		sub = nxastStackPop
	}
	b = nxHeader(b, 24, sub)
	b = binary.BigEndian.AppendUint16(b, uint16(a.Ofs))
	b = binary.BigEndian.AppendUint32(b, nxmFields[a.Field].header())
	b = binary.BigEndian.AppendUint16(b, uint16(a.Bits))
	return append(b, 0, 0, 0, 0, 0, 0)
}

// hashFields are the field sets multipath and bundle hash, by their wire
// numbers.
var hashFields = []string{"eth_src", "symmetric_l4", "symmetric_l3l4", "symmetric_l3l4+udp", "nw_src", "nw_dst", "symmetric_l3"}

// multipathAlgorithms are multipath's link choice algorithms.
var multipathAlgorithms = []string{"modulo_n", "hash_threshold", "hrw", "iter_hash"}

// bundleAlgorithms are bundle's member choice algorithms.
var bundleAlgorithms = []string{"active_backup", "hrw"}

func nameOf(names []string, i uint16) string {
	if int(i) < len(names) {
		return names[i]
	}
	return "<unknown>"
}

// Multipath hashes the packet's Fields and stores a link number, chosen
// among Links by Algorithm, in a subfield
// (multipath(fields,basis,algorithm,n_links,arg,dst[])).
type Multipath struct {
	Fields, Basis, Algorithm uint16
	Links                    int // 1 to 65536
	Arg                      uint32
	Dst                      string // NXM name
	Ofs, Bits                int
}

func (a Multipath) String() string {
	return fmt.Sprintf("multipath(%s,%d,%s,%d,%d,%s)", nameOf(hashFields, a.Fields), a.Basis,
		nameOf(multipathAlgorithms, a.Algorithm), a.Links, a.Arg, formatSubfield(a.Dst, a.Ofs, a.Bits))
}

func (a Multipath) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 32, nxastMultipath)
	b = binary.BigEndian.AppendUint16(b, a.Fields)
	b = binary.BigEndian.AppendUint16(b, a.Basis)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint16(b, a.Algorithm)
	b = binary.BigEndian.AppendUint16(b, uint16(a.Links-1))
	b = binary.BigEndian.AppendUint32(b, a.Arg)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint16(b, ofsNbits(a.Ofs, a.Bits))
	return binary.BigEndian.AppendUint32(b, nxmFields[a.Dst].header())
}

// Bundle chooses one of Members by Algorithm over a hash of Fields and
// outputs to it (bundle(...)), or, with Dst set, stores it in a subfield
// (bundle_load(...)).
type Bundle struct {
	Fields, Basis, Algorithm uint16
	Dst                      string // NXM name; "" for bundle
	Ofs, Bits                int
	Members                  []uint32
}

func (a Bundle) String() string { return a.formatNamed(nil) }

func (a Bundle) formatNamed(n PortNames) string {
	var b strings.Builder
	name := "bundle"
	if a.Dst != "" {
		name = "bundle_load"
	}
	fmt.Fprintf(&b, "%s(%s,%d,%s,ofport,", name, nameOf(hashFields, a.Fields), a.Basis, nameOf(bundleAlgorithms, a.Algorithm))
	if a.Dst != "" {
		b.WriteString(formatSubfield(a.Dst, a.Ofs, a.Bits) + ",")
	}
	b.WriteString("members:")
	for i, p := range a.Members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n.format(p))
	}
	b.WriteByte(')')
	return b.String()
}

func (a Bundle) appendWire(b []byte, ver Version) []byte {
	n := (32 + 2*len(a.Members) + 7) / 8 * 8
	sub := uint16(nxastBundle)
	if a.Dst != "" {
		sub = nxastBundleLoad
	}
	start := len(b)
	b = nxHeader(b, uint16(n), sub)
	b = binary.BigEndian.AppendUint16(b, a.Algorithm)
	b = binary.BigEndian.AppendUint16(b, a.Fields)
	b = binary.BigEndian.AppendUint16(b, a.Basis)
	b = binary.BigEndian.AppendUint32(b, nxmFields["NXM_OF_IN_PORT"].header())
	b = binary.BigEndian.AppendUint16(b, uint16(len(a.Members)))
	var dst uint32
	var ofsBits uint16
	if a.Dst != "" {
		dst, ofsBits = nxmFields[a.Dst].header(), ofsNbits(a.Ofs, a.Bits)
	}
	b = binary.BigEndian.AppendUint16(b, ofsBits)
	b = binary.BigEndian.AppendUint32(b, dst)
	b = append(b, 0, 0, 0, 0)
	for _, p := range a.Members {
		b = binary.BigEndian.AppendUint16(b, port16(p))
	}
	for len(b)-start < n {
		b = append(b, 0)
	}
	return b
}

// SetMPLSTTL sets the MPLS TTL (set_mpls_ttl(N)).
type SetMPLSTTL struct{ TTL uint8 }

func (a SetMPLSTTL) String() string { return "set_mpls_ttl(" + strconv.Itoa(int(a.TTL)) + ")" }
func (a SetMPLSTTL) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return append(nxHeader(b, 16, nxastSetMPLSTTL), a.TTL, 0, 0, 0, 0, 0)
	}
	return append(b, 0, ofpatSetMPLSTTL, 0, 8, a.TTL, 0, 0, 0)
}

// keyValues splits "k=v,k,..." (ovs-ofctl's argument lists).
func keyValues(arg string) [][2]string {
	var out [][2]string
	for _, kv := range splitTop(arg) {
		if strings.TrimSpace(kv) == "" { // ovs-ofctl skips empty items
			continue
		}
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		out = append(out, [2]string{k, v})
	}
	return out
}

// parseNXAction parses the actions of this file; ok is false for a name
// that is none of them.
func parseNXAction(name, arg, item string, names PortNames) (acts []Action, ok bool, err error) {
	bad := func(format string, args ...any) ([]Action, bool, error) {
		return nil, true, syntaxf(item, format, args...)
	}
	u := func(s string, bits int) (uint64, bool) {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 0, bits)
		return n, err == nil
	}
	switch name {
	case "sample":
		s := Sample{SamplingPort: PortAny}
		for _, kv := range keyValues(arg) {
			var okv bool
			var n uint64
			switch kv[0] {
			case "probability":
				n, okv = u(kv[1], 16)
				if okv && n == 0 {
					return bad("invalid probability value \"0\"")
				}
				s.Probability = uint16(n)
			case "collector_set_id":
				n, okv = u(kv[1], 32)
				s.CollectorSet = uint32(n)
			case "obs_domain_id":
				n, okv = u(kv[1], 32)
				s.ObsDomain = uint32(n)
			case "obs_point_id":
				n, okv = u(kv[1], 32)
				s.ObsPoint = uint32(n)
			case "sampling_port":
				var p uint32
				p, okv = names.parse(kv[1])
				s.SamplingPort = p
			case "ingress", "egress":
				okv = kv[1] == ""
				s.Direction = 1
				if kv[0] == "egress" {
					s.Direction = 2
				}
			default:
				return bad("invalid key \"%s\" in \"sample\" argument", kv[0])
			}
			if !okv {
				return bad("sample: invalid %s %q", kv[0], kv[1])
			}
		}
		if s.Probability == 0 {
			return bad("non-zero \"probability\" must be specified on sample")
		}
		return []Action{s}, true, nil
	case "fin_timeout":
		var f FinTimeout
		for _, kv := range keyValues(arg) {
			n, okv := u(kv[1], 16)
			switch {
			case kv[0] == "idle_timeout" && okv:
				f.Idle = uint16(n)
			case kv[0] == "hard_timeout" && okv:
				f.Hard = uint16(n)
			default:
				return bad("invalid key \"%s\" in \"fin_timeout\" argument", kv[0])
			}
		}
		return []Action{f}, true, nil
	case "output":
		if !strings.Contains(arg, "=") {
			return nil, false, nil
		}
		o := OutputTrunc{Port: PortAny}
		hasLen := false
		for _, kv := range keyValues(arg) {
			switch kv[0] {
			case "port":
				p, okp := names.parse(kv[1])
				if !okp {
					return bad("%s: output to unknown port", kv[1])
				}
				o.Port = p
			case "max_len":
				n, okn := u(kv[1], 32)
				if !okn {
					return bad("output: invalid max_len %q", kv[1])
				}
				if n < 14 {
					return bad("max_len %d is less than the minimum value 14", n)
				}
				o.MaxLen, hasLen = uint32(n), true
			default:
				return bad("invalid key \"%s\" in \"output\" argument", kv[0])
			}
		}
		if o.Port == PortAny || !hasLen {
			return bad("output: port and max_len are required")
		}
		return []Action{o}, true, nil
	case "push", "pop":
		f, ofs, bits, err := parseSubfield(strings.TrimSpace(arg))
		if err != nil {
			return nil, true, err
		}
		return []Action{Stack{Pop: name == "pop", Field: f, Ofs: ofs, Bits: bits}}, true, nil
	case "set_mpls_ttl":
		n, okn := u(arg, 8)
		if !okn {
			return bad("%s: invalid TTL", arg)
		}
		return []Action{SetMPLSTTL{uint8(n)}}, true, nil
	case "set_mpls_label", "set_mpls_tc":
		// OpenFlow 1.1's actions, which Nicira's carry at 1.0; set_field
		// later.
		acts, err := legacy(parseSetField(strings.TrimPrefix(name, "set_"), arg, item))
		return acts, true, err
	case "mod_nw_tos":
		n, okn := u(arg, 8)
		if !okn || n&3 != 0 {
			return bad("%s: invalid TOS", arg)
		}
		return []Action{SetField{Field: "ip_dscp", Value: []byte{byte(n >> 2)}}}, true, nil
	case "multipath":
		p := splitTop(arg)
		if len(p) != 6 {
			return bad("%s: not enough arguments to multipath action", arg)
		}
		fields := slices.Index(hashFields, strings.TrimSpace(p[0]))
		basis, ok1 := u(p[1], 16)
		alg := slices.Index(multipathAlgorithms, strings.TrimSpace(p[2]))
		links, ok2 := u(p[3], 32)
		marg, ok3 := u(p[4], 32)
		if fields < 0 {
			return bad("%s: unknown fields `%s'", arg, strings.TrimSpace(p[0]))
		}
		if alg < 0 {
			return bad("%s: unknown algorithm `%s'", arg, strings.TrimSpace(p[2]))
		}
		if !ok1 || !ok2 || !ok3 || links < 1 || links > 65536 {
			return bad("%s: n_links %s is not in valid range 1 to 65536", arg, strings.TrimSpace(p[3]))
		}
		f, ofs, bits, err := parseSubfield(strings.TrimSpace(p[5]))
		if err != nil {
			return nil, true, err
		}
		if bits < 16 && links > 1<<bits {
			return bad("%s: %d-bit destination field has %d possible values, less than specified n_links %d", arg, bits, 1<<bits, links)
		}
		return []Action{Multipath{uint16(fields), uint16(basis), uint16(alg), int(links), uint32(marg), f, ofs, bits}}, true, nil
	case "bundle", "bundle_load":
		p := splitTop(arg)
		want := 5
		if name == "bundle_load" {
			want = 6
		}
		// The members list's commas split it too: rejoin from "members:".
		at := slices.IndexFunc(p, func(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "members:") })
		if at != want-1 {
			return bad("%s: not enough arguments to %s action", arg, name)
		}
		members := strings.TrimPrefix(strings.TrimSpace(strings.Join(p[at:], ",")), "members:")
		members = strings.TrimSuffix(strings.TrimPrefix(members, "["), "]")
		fields := slices.Index(hashFields, strings.TrimSpace(p[0]))
		basis, okb := u(p[1], 16)
		alg := slices.Index(bundleAlgorithms, strings.TrimSpace(p[2]))
		if fields < 0 {
			return bad("%s: unknown fields `%s'", arg, strings.TrimSpace(p[0]))
		}
		if alg < 0 {
			return bad("%s: unknown algorithm `%s'", arg, strings.TrimSpace(p[2]))
		}
		if !okb {
			return bad("%s: bad basis", arg)
		}
		if strings.TrimSpace(p[3]) != "ofport" {
			return bad("%s: unknown member_type `%s'", arg, strings.TrimSpace(p[3]))
		}
		bd := Bundle{Fields: uint16(fields), Basis: uint16(basis), Algorithm: uint16(alg)}
		if name == "bundle_load" {
			f, ofs, bits, err := parseSubfield(strings.TrimSpace(p[4]))
			if err != nil {
				return nil, true, err
			}
			if bits < 16 {
				return bad("%s: bundle_load: destination field must be at least 16 bits wide", arg)
			}
			bd.Dst, bd.Ofs, bd.Bits = f, ofs, bits
		}
		for _, m := range strings.Split(members, ",") {
			if m = strings.TrimSpace(m); m == "" {
				continue
			}
			port, okp := names.parse(m)
			if !okp {
				return bad("%s: bad port number", m)
			}
			bd.Members = append(bd.Members, port)
		}
		return []Action{bd}, true, nil
	}
	return nil, false, nil
}

// parseController reads controller(...) with its keys; plain max_len
// alone is an Output to the controller, as ovs-ofctl encodes it.
func parseController(arg, item string) ([]Action, error) {
	c := Controller{MaxLen: 0xffff, Reason: 1}
	for _, kv := range keyValues(arg) {
		switch kv[0] {
		case "max_len":
			n, err := strconv.ParseUint(kv[1], 0, 16)
			if err != nil {
				return nil, syntaxf(item, "controller: bad max_len")
			}
			c.MaxLen = uint16(n)
		case "id":
			n, err := strconv.ParseUint(kv[1], 0, 16)
			if err != nil {
				return nil, syntaxf(item, "controller: bad id")
			}
			c.ID = uint16(n)
		case "reason":
			i := slices.Index(packetInReasons, kv[1])
			if i < 0 {
				return nil, syntaxf(item, "unknown reason \"%s\"", kv[1])
			}
			c.Reason = uint8(i)
		case "userdata":
			data, err := hex.DecodeString(strings.ReplaceAll(kv[1], ".", ""))
			if err != nil {
				return nil, syntaxf(item, "controller: bad userdata")
			}
			c.Userdata = data
		case "pause":
			c.Pause = true
		case "meter_id":
			n, err := strconv.ParseUint(kv[1], 0, 32)
			if err != nil || n == 0 || n == 0xffffffff {
				return nil, syntaxf(item, "controller: bad meter_id")
			}
			c.MeterID = uint32(n)
		default:
			return nil, syntaxf(item, "controller: %s not supported", kv[0])
		}
	}
	if c.Reason == 1 && c.ID == 0 && len(c.Userdata) == 0 && !c.Pause && c.MeterID == 0 {
		return []Action{Output{Port: PortController, MaxLen: c.MaxLen}}, nil
	}
	return []Action{c}, nil
}

// dottedHex is bytes as Open vSwitch prints an action's hex argument:
// 00.0e.ff.
func dottedHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ".")
}

// decodeNXMore decodes the actions of this file; ok is false for another
// subtype.
func decodeNXMore(sub uint16, a []byte) (act Action, ok bool, err error) {
	n := len(a)
	short := fmt.Errorf("openflow: Nicira action %d of %d bytes: %w", sub, n, ErrBadMessage)
	be16 := func(i int) uint16 { return binary.BigEndian.Uint16(a[i:]) }
	be32 := func(i int) uint32 { return binary.BigEndian.Uint32(a[i:]) }
	field := func(h uint32) (string, error) {
		name, found := nxmByHeader(h)
		if !found {
			return "", fmt.Errorf("openflow: field %#x: %w", h, ErrUnsupported)
		}
		return name, nil
	}
	switch sub {
	case nxastSample, nxastSample2, nxastSample3:
		if n < 24 || (sub != nxastSample && n < 32) {
			return nil, true, short
		}
		s := Sample{Probability: be16(10), CollectorSet: be32(12), ObsDomain: be32(16), ObsPoint: be32(20), SamplingPort: PortAny}
		if sub != nxastSample {
			s.SamplingPort = port32(be16(24))
		}
		if sub == nxastSample3 {
			s.Direction = a[26]
		}
		return s, true, nil
	case nxastFinTimeout:
		return FinTimeout{be16(10), be16(12)}, true, nil
	case nxastController:
		return Controller{MaxLen: be16(10), ID: be16(12), Reason: a[14]}, true, nil
	case nxastOutputTrunc:
		return OutputTrunc{Port: port32(be16(10)), MaxLen: be32(12)}, true, nil
	case nxastStackPush, nxastStackPop:
		if n < 24 {
			return nil, true, short
		}
		f, err := field(be32(12))
		if err != nil {
			return nil, true, err
		}
		return Stack{Pop: sub == nxastStackPop, Field: f, Ofs: int(be16(10)), Bits: int(be16(16))}, true, nil
	case nxastMultipath:
		if n < 32 {
			return nil, true, short
		}
		f, err := field(be32(28))
		if err != nil {
			return nil, true, err
		}
		ofs, bits := splitOfsNbits(be16(26))
		return Multipath{Fields: be16(10), Basis: be16(12), Algorithm: be16(16), Links: int(be16(18)) + 1, Arg: be32(20),
			Dst: f, Ofs: ofs, Bits: bits}, true, nil
	case nxastBundle, nxastBundleLoad:
		if n < 32 {
			return nil, true, short
		}
		count := int(be16(20))
		if 32+2*count > n {
			return nil, true, short
		}
		bd := Bundle{Algorithm: be16(10), Fields: be16(12), Basis: be16(14)}
		if sub == nxastBundleLoad {
			f, err := field(be32(24))
			if err != nil {
				return nil, true, err
			}
			bd.Dst = f
			bd.Ofs, bd.Bits = splitOfsNbits(be16(22))
		}
		for i := range count {
			bd.Members = append(bd.Members, port32(be16(32+2*i)))
		}
		return bd, true, nil
	}
	return nil, false, nil
}
