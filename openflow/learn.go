package openflow

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Learn adds or refreshes a flow built from the packet (learn(...)).
type Learn struct {
	Table                          uint8
	IdleTimeout, HardTimeout       uint16
	FinIdleTimeout, FinHardTimeout uint16
	Priority                       uint16
	Cookie                         uint64
	SendFlowRem, DeleteLearned     bool
	// Limit caps the flows this action learns (0: no limit); with
	// ResultDst set, one bit of that field (from ResultOfs) is set when
	// the flow was learned and cleared when the limit refused it
	// (limit=N,result_dst=F[BIT]). Either is carried by Open vSwitch's
	// second learn action.
	Limit     uint32
	ResultDst string // NXM name; "" for none
	ResultOfs int
	Specs     []LearnSpec
}

// LearnSpec is one part of the learned flow: a match on a field (from
// the packet's field Src or an immediate Value), a load into a field, or
// an output to the port in a field.
type LearnSpec struct {
	// Kind: 'm' match, 'l' load, 'o' output.
	Kind byte
	// Src is the source subfield ("" with an immediate Value).
	Src          string
	SrcOfs       int
	Value        []byte // immediate, big-endian, Bits wide rounded up to 16-bit units
	Dst          string // destination subfield (match and load)
	DstOfs, Bits int
}

// learnNames are the names learn prints an immediate match on a whole
// field with (OVS's field names), and how it prints the value.
var learnNames = map[string]struct {
	name string
	kind byte // 'm' MAC, '4' IPv4, 'x' hex, 'd' decimal, 'p' port
}{
	"NXM_OF_ETH_SRC": {"eth_src", 'm'}, "NXM_OF_ETH_DST": {"eth_dst", 'm'}, "NXM_OF_ETH_TYPE": {"eth_type", 'x'},
	"NXM_OF_VLAN_TCI": {"vlan_tci", 'x'}, "NXM_OF_IP_SRC": {"ip_src", '4'}, "NXM_OF_IP_DST": {"ip_dst", '4'},
	"NXM_OF_IP_PROTO": {"nw_proto", 'd'}, "NXM_OF_IN_PORT": {"in_port", 'p'}, "NXM_NX_TUN_ID": {"tun_id", 'x'},
	"NXM_OF_TCP_SRC": {"tcp_src", 'd'}, "NXM_OF_TCP_DST": {"tcp_dst", 'd'}, "NXM_OF_UDP_SRC": {"udp_src", 'd'},
	"NXM_OF_UDP_DST": {"udp_dst", 'd'}, "NXM_NX_PKT_MARK": {"pkt_mark", 'x'}, "OXM_OF_METADATA": {"metadata", 'x'},
}

func init() {
	for i := range 16 {
		learnNames["NXM_NX_REG"+strconv.Itoa(i)] = struct {
			name string
			kind byte
		}{"reg" + strconv.Itoa(i), 'x'}
	}
}

// learnAliases maps the names a learn immediate match may use to NXM
// fields.
func learnField(name string) (string, bool) {
	aliases := map[string]string{"dl_src": "eth_src", "dl_dst": "eth_dst", "dl_type": "eth_type", "nw_src": "ip_src",
		"nw_dst": "ip_dst", "tp_src": "tcp_src", "tp_dst": "tcp_dst", "tun_id": "tun_id"}
	if a, ok := aliases[name]; ok {
		name = a
	}
	for nxm, d := range learnNames {
		if d.name == name {
			return nxm, true
		}
	}
	return "", false
}

// putHex is OVS's ds_put_hex: leading zero bytes dropped, 0 for none.
func putHex(b []byte) string {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		return "0"
	}
	var s strings.Builder
	fmt.Fprintf(&s, "0x%x", b[0])
	for _, c := range b[1:] {
		fmt.Fprintf(&s, "%02x", c)
	}
	return s.String()
}

func (a Learn) String() string { return a.formatNamed(nil) }

func (a Learn) formatNamed(n PortNames) string {
	var b strings.Builder
	fmt.Fprintf(&b, "learn(table=%d", a.Table)
	if a.IdleTimeout != 0 {
		fmt.Fprintf(&b, ",idle_timeout=%d", a.IdleTimeout)
	}
	if a.HardTimeout != 0 {
		fmt.Fprintf(&b, ",hard_timeout=%d", a.HardTimeout)
	}
	if a.FinIdleTimeout != 0 {
		fmt.Fprintf(&b, ",fin_idle_timeout=%d", a.FinIdleTimeout)
	}
	if a.FinHardTimeout != 0 {
		fmt.Fprintf(&b, ",fin_hard_timeout=%d", a.FinHardTimeout)
	}
	if a.Priority != DefaultPriority {
		fmt.Fprintf(&b, ",priority=%d", a.Priority)
	}
	if a.SendFlowRem {
		b.WriteString(",send_flow_rem")
	}
	if a.DeleteLearned {
		b.WriteString(",delete_learned")
	}
	if a.Cookie != 0 {
		b.WriteString(",cookie=" + cHex(a.Cookie))
	}
	if a.Limit != 0 {
		fmt.Fprintf(&b, ",limit=%d", a.Limit)
	}
	if a.ResultDst != "" {
		b.WriteString(",result_dst=" + formatSubfield(a.ResultDst, a.ResultOfs, 1))
	}
	for _, s := range a.Specs {
		b.WriteByte(',')
		switch {
		case s.Kind == 'm' && s.Src == "":
			full := s.DstOfs == 0 && s.Bits == nxmFields[s.Dst].bits()
			if d, ok := learnNames[s.Dst]; ok && full {
				v := make([]byte, nxmFields[s.Dst].size)
				copy(v[max(0, len(v)-len(s.Value)):], s.Value[max(0, len(s.Value)-len(v)):])
				b.WriteString(d.name + "=" + formatLearnValue(d.kind, v, n))
			} else {
				b.WriteString(formatSubfield(s.Dst, s.DstOfs, s.Bits) + "=" + putHex(s.Value))
			}
		case s.Kind == 'm':
			b.WriteString(formatSubfield(s.Dst, s.DstOfs, s.Bits))
			if s.Src != s.Dst || s.SrcOfs != s.DstOfs {
				b.WriteString("=" + formatSubfield(s.Src, s.SrcOfs, s.Bits))
			}
		case s.Kind == 'l' && s.Src == "":
			b.WriteString("load:" + putHex(s.Value) + "->" + formatSubfield(s.Dst, s.DstOfs, s.Bits))
		case s.Kind == 'l':
			b.WriteString("load:" + formatSubfield(s.Src, s.SrcOfs, s.Bits) + "->" + formatSubfield(s.Dst, s.DstOfs, s.Bits))
		default:
			b.WriteString("output:" + formatSubfield(s.Src, s.SrcOfs, s.Bits))
		}
	}
	b.WriteByte(')')
	return b.String()
}

func formatLearnValue(kind byte, v []byte, n PortNames) string {
	switch kind {
	case 'm':
		return formatMAC(v, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	case '4':
		return formatIPv4(v, []byte{0xff, 0xff, 0xff, 0xff})
	case 'd':
		return strconv.FormatUint(beUint(v), 10)
	case 'p':
		return n.format(port32(uint16(beUint(v))))
	}
	return cHex(beUint(v))
}

func (a Learn) appendWire(b []byte, ver Version) []byte {
	var specs []byte
	for _, s := range a.Specs {
		h := uint16(s.Bits)
		if s.Src == "" {
			h |= 1 << 13
		}
		switch s.Kind {
		case 'l':
			h |= 1 << 11
		case 'o':
			h |= 2 << 11
		}
		specs = binary.BigEndian.AppendUint16(specs, h)
		if s.Src == "" {
			n := (s.Bits + 15) / 16 * 2
			v := make([]byte, n)
			copy(v[max(0, n-len(s.Value)):], s.Value[max(0, len(s.Value)-n):])
			specs = append(specs, v...)
		} else {
			specs = binary.BigEndian.AppendUint32(specs, nxmFields[s.Src].header())
			specs = binary.BigEndian.AppendUint16(specs, uint16(s.SrcOfs))
		}
		if s.Kind != 'o' {
			specs = binary.BigEndian.AppendUint32(specs, nxmFields[s.Dst].header())
			specs = binary.BigEndian.AppendUint16(specs, uint16(s.DstOfs))
		}
	}
	head, sub := 32, uint16(nxastLearn)
	var extra []byte
	if a.Limit != 0 || a.ResultDst != "" {
		head, sub = 40, nxastLearn2
		extra = binary.BigEndian.AppendUint32(extra, a.Limit)
		extra = binary.BigEndian.AppendUint16(extra, uint16(a.ResultOfs))
		extra = append(extra, 0, 0)
		if a.ResultDst != "" {
			extra = binary.BigEndian.AppendUint32(extra, nxmFields[a.ResultDst].header())
		}
	}
	body := len(extra) - (head - 32) // the result field's header, if any
	n := (head + body + len(specs) + 7) / 8 * 8
	start := len(b)
	b = nxHeader(b, uint16(n), sub)
	b = binary.BigEndian.AppendUint16(b, a.IdleTimeout)
	b = binary.BigEndian.AppendUint16(b, a.HardTimeout)
	b = binary.BigEndian.AppendUint16(b, a.Priority)
	b = binary.BigEndian.AppendUint64(b, a.Cookie)
	flags := uint16(0)
	if a.SendFlowRem {
		flags |= 1
	}
	if a.DeleteLearned {
		flags |= 2
	}
	if a.ResultDst != "" {
		flags |= 4 // NX_LEARN_F_WRITE_RESULT
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	b = append(b, a.Table, 0)
	b = binary.BigEndian.AppendUint16(b, a.FinIdleTimeout)
	b = binary.BigEndian.AppendUint16(b, a.FinHardTimeout)
	b = append(b, extra...)
	b = append(b, specs...)
	for len(b)-start < n {
		b = append(b, 0)
	}
	return b
}

func decodeLearn(a []byte, learn2 bool) (Action, error) {
	if len(a) < 32 || learn2 && len(a) < 40 {
		return nil, fmt.Errorf("openflow: learn of %d bytes: %w", len(a), ErrBadMessage)
	}
	l := Learn{IdleTimeout: binary.BigEndian.Uint16(a[10:]), HardTimeout: binary.BigEndian.Uint16(a[12:]),
		Priority: binary.BigEndian.Uint16(a[14:]), Cookie: binary.BigEndian.Uint64(a[16:]), Table: a[26],
		FinIdleTimeout: binary.BigEndian.Uint16(a[28:]), FinHardTimeout: binary.BigEndian.Uint16(a[30:])}
	flags := binary.BigEndian.Uint16(a[24:])
	l.SendFlowRem, l.DeleteLearned = flags&1 != 0, flags&2 != 0
	p := a[32:]
	if learn2 {
		l.Limit, l.ResultOfs = binary.BigEndian.Uint32(a[32:]), int(binary.BigEndian.Uint16(a[36:]))
		p = a[40:]
		if flags&4 != 0 {
			if len(p) < 4 {
				return nil, fmt.Errorf("openflow: learn result field: %w", ErrBadMessage)
			}
			dst, ok := nxmByHeader(binary.BigEndian.Uint32(p))
			if !ok {
				return nil, fmt.Errorf("openflow: learn result field %#x: %w", binary.BigEndian.Uint32(p), ErrUnsupported)
			}
			l.ResultDst, p = dst, p[4:]
		}
	}
	field := func() (string, int, error) {
		if len(p) < 6 {
			return "", 0, fmt.Errorf("openflow: truncated learn spec: %w", ErrBadMessage)
		}
		name, ok := nxmByHeader(binary.BigEndian.Uint32(p))
		if !ok {
			return "", 0, fmt.Errorf("openflow: learn field %#x: %w", binary.BigEndian.Uint32(p), ErrUnsupported)
		}
		ofs := int(binary.BigEndian.Uint16(p[4:]))
		p = p[6:]
		return name, ofs, nil
	}
	for len(p) >= 2 {
		h := binary.BigEndian.Uint16(p)
		if h == 0 {
			break // padding
		}
		p = p[2:]
		s := LearnSpec{Bits: int(h & 0x7ff), Kind: "mlo"[min(int(h>>11&3), 2)]}
		var err error
		if h&(1<<13) != 0 {
			n := (s.Bits + 15) / 16 * 2
			if len(p) < n {
				return nil, fmt.Errorf("openflow: truncated learn value: %w", ErrBadMessage)
			}
			s.Value = append([]byte(nil), p[:n]...)
			p = p[n:]
		} else if s.Src, s.SrcOfs, err = field(); err != nil {
			return nil, err
		}
		if s.Kind != 'o' {
			if s.Dst, s.DstOfs, err = field(); err != nil {
				return nil, err
			}
		}
		l.Specs = append(l.Specs, s)
	}
	return l, nil
}

// parseLearn reads learn's argument.
func parseLearn(arg, item string, names PortNames) (Action, error) {
	l := Learn{Priority: DefaultPriority}
	u16 := map[string]*uint16{"idle_timeout": &l.IdleTimeout, "hard_timeout": &l.HardTimeout,
		"fin_idle_timeout": &l.FinIdleTimeout, "fin_hard_timeout": &l.FinHardTimeout, "priority": &l.Priority}
	for _, tok := range splitTop(arg) {
		tok = strings.TrimSpace(tok)
		k, v, hasV := strings.Cut(tok, "=")
		switch k {
		case "limit":
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return nil, syntaxf(item, "learn: limit %q is not a number", v)
			}
			l.Limit = uint32(n)
			continue
		case "result_dst":
			f, ofs, bits, err := parseSubfield(v)
			if err != nil {
				return nil, err
			}
			if bits != 1 {
				return nil, syntaxf(item, "result_dst in 'learn' action must be a single bit")
			}
			l.ResultDst, l.ResultOfs = f, ofs
			continue
		}
		num := func(bits int) (uint64, error) {
			n, err := strconv.ParseUint(v, 0, bits)
			if err != nil {
				return 0, syntaxf(item, "learn: invalid %s %q", k, v)
			}
			return n, nil
		}
		var n uint64
		var err error
		switch {
		case k == "table" && hasV:
			n, err = num(8)
			l.Table = uint8(n)
		case hasV && u16[k] != nil:
			n, err = num(16)
			*u16[k] = uint16(n)
		case k == "cookie" && hasV:
			l.Cookie, err = num(64)
		case tok == "send_flow_rem":
			l.SendFlowRem = true
		case tok == "delete_learned":
			l.DeleteLearned = true
		case strings.HasPrefix(tok, "load:"):
			src, dst, ok := strings.Cut(strings.TrimPrefix(tok, "load:"), "->")
			if !ok {
				return nil, syntaxf(item, "learn: %s: missing ->", tok)
			}
			df, do, db, err := parseSubfield(dst)
			if err != nil {
				return nil, err
			}
			s := LearnSpec{Kind: 'l', Dst: df, DstOfs: do, Bits: db}
			if strings.Contains(src, "[") {
				sf, so, sb, err := parseSubfield(src)
				if err != nil {
					return nil, err
				}
				if sb != db {
					return nil, syntaxf(item, "learn: %s: widths differ", tok)
				}
				s.Src, s.SrcOfs = sf, so
			} else {
				val, err := strconv.ParseUint(src, 0, 64)
				if err != nil {
					return nil, syntaxf(item, "learn: %s: bad value", src)
				}
				if db < 64 && val>>db != 0 {
					return nil, syntaxf(item, "%s: value does not fit into %d bits", strings.TrimPrefix(tok, "load:"), db)
				}
				s.Value = binary.BigEndian.AppendUint64(nil, val)
			}
			l.Specs = append(l.Specs, s)
		case strings.HasPrefix(tok, "output:"):
			sf, so, sb, err := parseSubfield(strings.TrimPrefix(tok, "output:"))
			if err != nil {
				return nil, err
			}
			l.Specs = append(l.Specs, LearnSpec{Kind: 'o', Src: sf, SrcOfs: so, Bits: sb})
		case strings.Contains(k, "["):
			df, do, db, err := parseSubfield(k)
			if err != nil {
				return nil, err
			}
			s := LearnSpec{Kind: 'm', Dst: df, DstOfs: do, Bits: db, Src: df, SrcOfs: do}
			if hasV {
				if strings.Contains(v, "[") {
					sf, so, sb, err := parseSubfield(v)
					if err != nil {
						return nil, err
					}
					if sb != db {
						return nil, syntaxf(item, "learn: %s: widths differ", tok)
					}
					s.Src, s.SrcOfs = sf, so
				} else {
					val, err := strconv.ParseUint(v, 0, 64)
					if err != nil {
						return nil, syntaxf(item, "learn: %s: bad value", v)
					}
					if db < 64 && val>>db != 0 {
						return nil, syntaxf(item, "%s: %s value %s does not fit in %d bits", tok, k, v, db)
					}
					s.Src, s.SrcOfs, s.Value = "", 0, binary.BigEndian.AppendUint64(nil, val)
				}
			}
			l.Specs = append(l.Specs, s)
		case hasV:
			nxm, ok := learnField(k)
			if !ok {
				return nil, syntaxf(item, "learn: %s: unknown field", k)
			}
			var val []byte
			switch learnNames[nxm].kind {
			case 'm':
				val, _, err = parseMACMasked(v)
			case '4':
				val, _, err = parseIPv4Masked(v)
			case 'p':
				p, ok := names.parse(v)
				if !ok {
					err = fmt.Errorf("%s: bad port", v)
				}
				val = binary.BigEndian.AppendUint16(nil, port16(p))
			default:
				var x uint64
				x, err = strconv.ParseUint(v, 0, 64)
				if w := nxmFields[nxm].bits(); err == nil && w < 64 && x>>w != 0 {
					err = fmt.Errorf("value %s too large for %d-byte field %s", v, w/8, k)
				}
				val = binary.BigEndian.AppendUint64(nil, x)
			}
			if err != nil {
				return nil, syntaxf(item, "learn: %s: %v", tok, err)
			}
			f := nxmFields[nxm]
			l.Specs = append(l.Specs, LearnSpec{Kind: 'm', Dst: nxm, Bits: f.bits(), Value: val})
		default:
			return nil, syntaxf(item, "learn: %s: unknown keyword", tok)
		}
		if err != nil {
			return nil, err
		}
	}
	return l, nil
}
