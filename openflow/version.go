package openflow

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// Version is an OpenFlow protocol version, as its number on the wire.
type Version uint8

// The versions this package speaks. OpenFlow 1.0 is spoken as Open
// vSwitch and ovs-ofctl speak it: with Nicira's extensions (NXM matches,
// Nicira flow mods and flow statistics, Nicira actions); Dial offers it
// only when WithVersions names it.
const (
	OpenFlow10 Version = 0x01
	// OpenFlow11 and OpenFlow12 are versions of messages only
	// (Flow.AddMessage, DecodeStdMatch, Message.String): a connection
	// does not speak them.
	OpenFlow11 Version = 0x02
	OpenFlow12 Version = 0x03
	OpenFlow13 Version = 0x04
	OpenFlow14 Version = 0x05
	OpenFlow15 Version = 0x06
)

// versionsSpoken are the versions this package speaks, lowest first.
var versionsSpoken = []Version{OpenFlow10, OpenFlow13, OpenFlow14, OpenFlow15}

// versionsDefault are the versions Dial offers unless WithVersions
// says otherwise.
var versionsDefault = []Version{OpenFlow13, OpenFlow14, OpenFlow15}

// String is the version's name as ovs-ofctl's -O option takes it
// ("OpenFlow13").
func (v Version) String() string {
	if v >= 1 {
		return fmt.Sprintf("OpenFlow1%d", v-1)
	}
	return fmt.Sprintf("OpenFlow(%#x)", uint8(v))
}

// ParseVersions reads ovs-ofctl's -O list ("OpenFlow13,OpenFlow15", in
// any case):
// the versions of it this package speaks. A version it does not speak
// (OpenFlow11, OpenFlow12) or does not know is an ErrVersion.
func ParseVersions(s string) ([]Version, error) {
	var out []Version
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(versionsSpoken, func(v Version) bool { return strings.EqualFold(v.String(), name) })
		if i < 0 {
			return nil, fmt.Errorf("%w: %q (this package speaks OpenFlow10, OpenFlow13, OpenFlow14 and OpenFlow15)", ErrVersion, name)
		}
		if !slices.Contains(out, versionsSpoken[i]) {
			out = append(out, versionsSpoken[i])
		}
	}
	slices.Sort(out)
	return out, nil
}

// WithVersions are the versions Dial offers (by default 1.3, 1.4 and
// 1.5; OpenFlow10 too if named); the highest one the switch also speaks
// is used.
func WithVersions(vs ...Version) DialOption {
	return func(c *dialConfig) { c.versions = slices.Clone(vs) }
}

// Version is the OpenFlow version the connection negotiated.
func (c *Conn) Version() Version { return c.version }

// helloBitmap is the versions as a hello's version bitmap.
func helloBitmap(vs []Version) uint32 {
	var bm uint32
	for _, v := range vs {
		bm |= 1 << v
	}
	return bm
}

// negotiate picks the version of a hello exchange, as OpenFlow 1.3.1
// (6.3.1) says: with both bitmaps, the highest version in both; else the
// lower of the two headers' versions, if this side offers it.
func negotiate(offered []Version, peer Version, body []byte) (Version, error) {
	mine := helloBitmap(offered)
	for b := body; len(b) >= 4; {
		t, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			break
		}
		if t == 1 && n >= 8 { // OFPHET_VERSIONBITMAP
			common := mine & binary.BigEndian.Uint32(b[4:])
			for v := len(versionsSpoken) - 1; v >= 0; v-- {
				if common&(1<<versionsSpoken[v]) != 0 {
					return versionsSpoken[v], nil
				}
			}
			return 0, ErrVersion
		}
		b = b[min(len(b), (n+7)/8*8):]
	}
	v := min(peer, slices.Max(offered))
	if !slices.Contains(offered, v) {
		return 0, ErrVersion
	}
	return v, nil
}

// eachProperty calls fn with the type and the value (after the 4-byte
// header) of each property of b, OpenFlow 1.4's TLVs padded to 8 bytes.
func eachProperty(b []byte, fn func(t uint16, v []byte)) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return fmt.Errorf("openflow: truncated property: %w", ErrBadMessage)
		}
		t, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			return fmt.Errorf("openflow: property length %d: %w", n, ErrBadMessage)
		}
		fn(t, b[4:n])
		b = b[min(len(b), (n+7)/8*8):]
	}
	return nil
}
