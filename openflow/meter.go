package openflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Meter is a meter of the switch's meter table.
type Meter struct {
	ID uint32
	// KBPS (else packets per second), Burst and Stats are its flags.
	KBPS, Burst, Stats bool
	Bands              []MeterBand
}

// MeterBand is a meter's band: drop (DSCPRemark zero) or dscp_remark
// above Rate (kb/s or packets/s), with BurstSize.
type MeterBand struct {
	Rate, BurstSize uint32
	// PrecLevel > 0 makes it a dscp_remark band.
	PrecLevel uint8
	Remark    bool
}

// ParseMeter reads a meter in ovs-ofctl's syntax:
// "meter=1,kbps,burst,stats,band=type=drop,rate=1000,burst_size=20".
func ParseMeter(s string) (*Meter, error) {
	m := &Meter{}
	head, bands, _ := strings.Cut(s, "band=")
	hasID := false
	for _, tok := range strings.Split(head, ",") {
		tok = strings.TrimSpace(tok)
		k, v, _ := strings.Cut(tok, "=")
		switch k {
		case "":
		case "meter":
			if v == "all" {
				m.ID, hasID = 0xffffffff, true
				continue
			}
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil || n == 0 || n > 0xffff0000 {
				return nil, syntaxf(tok, "invalid meter id %q", v)
			}
			m.ID, hasID = uint32(n), true
		case "kbps":
			m.KBPS = true
		case "pktps":
		case "burst":
			m.Burst = true
		case "stats":
			m.Stats = true
		default:
			return nil, syntaxf(tok, "unknown keyword %s", k)
		}
	}
	if !hasID {
		return nil, syntaxf(s, "must specify a meter")
	}
	if bands == "" {
		return m, nil
	}
	for _, bs := range strings.Split(bands, "band=") {
		b := MeterBand{}
		for _, tok := range strings.Split(bs, ",") {
			tok = strings.TrimSpace(tok)
			k, v, _ := strings.Cut(tok, "=")
			switch k {
			case "":
			case "type":
				switch v {
				case "drop":
				case "dscp_remark":
					b.Remark = true
				default:
					return nil, syntaxf(tok, "%s: unknown band type", v)
				}
			case "rate", "burst_size", "prec_level":
				n, err := strconv.ParseUint(v, 0, 32)
				if err != nil || (k == "prec_level" && n > 63) {
					return nil, syntaxf(tok, "invalid %s %q", k, v)
				}
				switch k {
				case "rate":
					b.Rate = uint32(n)
				case "burst_size":
					b.BurstSize = uint32(n)
				default:
					b.PrecLevel = uint8(n)
				}
			default:
				return nil, syntaxf(tok, "unknown keyword %s", k)
			}
		}
		m.Bands = append(m.Bands, b)
	}
	return m, nil
}

// String is the meter as ovs-ofctl dump-meters prints it (several lines).
func (m *Meter) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "meter=%d ", m.ID)
	if m.KBPS {
		b.WriteString("kbps ")
	} else {
		b.WriteString("pktps ")
	}
	if m.Burst {
		b.WriteString("burst ")
	}
	if m.Stats {
		b.WriteString("stats ")
	}
	b.WriteString("bands=\n")
	for _, band := range m.Bands {
		if band.Remark {
			fmt.Fprintf(&b, "type=dscp_remark rate=%d", band.Rate)
		} else {
			fmt.Fprintf(&b, "type=drop rate=%d", band.Rate)
		}
		if m.Burst {
			fmt.Fprintf(&b, " burst_size=%d", band.BurstSize)
		}
		if band.Remark {
			fmt.Fprintf(&b, " prec_level=%d", band.PrecLevel)
		}
		b.WriteString("\n")
	}
	return b.String()
}

const typeMeterMod = 29

func (m *Meter) flags() uint16 {
	f := uint16(2) // OFPMF_PKTPS
	if m.KBPS {
		f = 1
	}
	if m.Burst {
		f |= 4
	}
	if m.Stats {
		f |= 8
	}
	return f
}

func appendMeterMod(b []byte, m *Meter, command uint16) []byte {
	b = binary.BigEndian.AppendUint16(b, command)
	b = binary.BigEndian.AppendUint16(b, m.flags())
	b = binary.BigEndian.AppendUint32(b, m.ID)
	for _, band := range m.Bands {
		t := uint16(1)
		if band.Remark {
			t = 2
		}
		b = binary.BigEndian.AppendUint16(b, t)
		b = binary.BigEndian.AppendUint16(b, 16)
		b = binary.BigEndian.AppendUint32(b, band.Rate)
		b = binary.BigEndian.AppendUint32(b, band.BurstSize)
		b = append(b, band.PrecLevel, 0, 0, 0)
	}
	return b
}

// AddMeter adds a meter.
// Equivalent to: ovs-ofctl add-meter SWITCH METER
func (c *Conn) AddMeter(ctx context.Context, m *Meter) error {
	return c.send(ctx, typeMeterMod, appendMeterMod(nil, m, 0))
}

// ModMeter replaces a meter's flags and bands.
// Equivalent to: ovs-ofctl mod-meter SWITCH METER
func (c *Conn) ModMeter(ctx context.Context, m *Meter) error {
	return c.send(ctx, typeMeterMod, appendMeterMod(nil, m, 1))
}

// DelMeters deletes a meter, or all of them (id 0xffffffff, meter=all).
// Equivalent to: ovs-ofctl del-meters SWITCH [meter=ID]
func (c *Conn) DelMeters(ctx context.Context, id uint32) error {
	return c.send(ctx, typeMeterMod, appendMeterMod(nil, &Meter{ID: id}, 2))
}

// DumpMeters returns the switch's meters.
// Equivalent to: ovs-ofctl dump-meters SWITCH
func (c *Conn) DumpMeters(ctx context.Context) ([]*Meter, error) {
	body := binary.BigEndian.AppendUint32(nil, 0xffffffff)
	body = append(body, 0, 0, 0, 0)
	parts, err := c.multipart(ctx, 10, body)
	if err != nil {
		return nil, err
	}
	var out []*Meter
	for _, p := range parts {
		for len(p) > 0 {
			if len(p) < 8 {
				return nil, fmt.Errorf("openflow: truncated meter: %w", ErrBadMessage)
			}
			n := int(binary.BigEndian.Uint16(p))
			if n < 8 || n > len(p) {
				return nil, fmt.Errorf("openflow: meter length %d: %w", n, ErrBadMessage)
			}
			fl := binary.BigEndian.Uint16(p[2:])
			m := &Meter{ID: binary.BigEndian.Uint32(p[4:]), KBPS: fl&1 != 0, Burst: fl&4 != 0, Stats: fl&8 != 0}
			bs := p[8:n]
			for len(bs) >= 16 {
				bl := int(binary.BigEndian.Uint16(bs[2:]))
				if bl < 16 || bl > len(bs) {
					return nil, fmt.Errorf("openflow: band length %d: %w", bl, ErrBadMessage)
				}
				band := MeterBand{Rate: binary.BigEndian.Uint32(bs[4:]), BurstSize: binary.BigEndian.Uint32(bs[8:])}
				if binary.BigEndian.Uint16(bs) == 2 {
					band.Remark, band.PrecLevel = true, bs[12]
				}
				m.Bands = append(m.Bands, band)
				bs = bs[bl:]
			}
			out = append(out, m)
			p = p[n:]
		}
	}
	return out, nil
}
