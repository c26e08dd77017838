package openflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Nicira's TLV table messages: the switch's map from Geneve options to
// tunnel metadata fields.
const (
	nxtTLVTableMod     = 24
	nxtTLVTableRequest = 25
	nxtTLVTableReply   = 26
)

// TLVMap maps a Geneve option (its class, type and length in bytes, a
// multiple of 4 up to 124) to tun_metadataIndex.
type TLVMap struct {
	Class uint16
	Type  uint8
	Len   uint8
	Index uint16
}

// String is the mapping as ovs-ofctl writes it
// ("{class=0xffff,type=0,len=4}->tun_metadata0").
func (m TLVMap) String() string {
	return fmt.Sprintf("{class=%#x,type=%#x,len=%d}->tun_metadata%d", m.Class, m.Type, m.Len, m.Index)
}

// ParseTLVMaps reads add-tlv-map's argument: mappings separated by
// commas, each "{class=CLASS,type=TYPE,len=LEN}->tun_metadataN".
func ParseTLVMaps(s string) ([]TLVMap, error) {
	var out []TLVMap
	for rest := strings.TrimSpace(s); rest != ""; {
		body, after, ok := strings.Cut(strings.TrimPrefix(rest, "{"), "}->")
		if !strings.HasPrefix(rest, "{") || !ok {
			return nil, syntaxf(rest, "expected {class=CLASS,type=TYPE,len=LEN}->tun_metadataN")
		}
		field, next, _ := strings.Cut(after, ",")
		rest = strings.TrimSpace(next)
		var m TLVMap
		for _, kv := range strings.Split(body, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			n, err := strconv.ParseUint(v, 0, 16)
			if err != nil {
				return nil, syntaxf(kv, "%s: bad value", k)
			}
			switch k {
			case "class":
				m.Class = uint16(n)
			case "type":
				if n > 0xff {
					return nil, syntaxf(kv, "type: bad value")
				}
				m.Type = uint8(n)
			case "len":
				if n == 0 || n > 124 || n%4 != 0 {
					return nil, syntaxf(kv, "len: must be a multiple of 4 from 4 to 124")
				}
				m.Len = uint8(n)
			default:
				return nil, syntaxf(kv, "unknown keyword %s", k)
			}
		}
		idx, ok := tunMetadataIndex(strings.TrimSpace(field))
		if !ok || m.Len == 0 {
			return nil, syntaxf(field, "expected {class=CLASS,type=TYPE,len=LEN}->tun_metadataN")
		}
		m.Index = uint16(idx)
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, syntaxf(s, "no TLV mapping")
	}
	return out, nil
}

// tlvTableMod is an NXT_TLV_TABLE_MOD of a command (0 add, 1 delete, 2
// clear).
func (c *Conn) tlvTableMod(ctx context.Context, command uint16, maps []TLVMap) error {
	b := appendNXT(nil, nxtTLVTableMod)
	b = binary.BigEndian.AppendUint16(b, command)
	b = append(b, 0, 0, 0, 0, 0, 0)
	for _, m := range maps {
		b = binary.BigEndian.AppendUint16(b, m.Class)
		b = append(b, m.Type, m.Len)
		b = binary.BigEndian.AppendUint16(b, m.Index)
		b = append(b, 0, 0)
	}
	return c.send(ctx, typeExperimenter, b)
}

// AddTLVMaps adds mappings to the switch's TLV map (an option or a field
// already mapped is refused).
// Equivalent to: ovs-ofctl add-tlv-map SWITCH MAPS
func (c *Conn) AddTLVMaps(ctx context.Context, maps ...TLVMap) error {
	return c.tlvTableMod(ctx, 0, maps)
}

// DelTLVMaps removes mappings; with none, it clears the map.
// Equivalent to: ovs-ofctl del-tlv-map SWITCH [MAPS]
func (c *Conn) DelTLVMaps(ctx context.Context, maps ...TLVMap) error {
	if len(maps) == 0 {
		return c.tlvTableMod(ctx, 2, nil)
	}
	return c.tlvTableMod(ctx, 1, maps)
}

// TLVTable is the switch's TLV map and its limits.
type TLVTable struct {
	MaxOptionSpace uint32
	MaxFields      uint16
	Maps           []TLVMap
}

// DumpTLVMaps returns the switch's TLV map.
// Equivalent to: ovs-ofctl dump-tlv-map SWITCH
func (c *Conn) DumpTLVMaps(ctx context.Context) (*TLVTable, error) {
	m, err := c.request(ctx, typeExperimenter, appendNXT(nil, nxtTLVTableRequest), "")
	if err != nil {
		return nil, err
	}
	b := m.body
	if m.typ != typeExperimenter || len(b) < 24 || binary.BigEndian.Uint32(b[4:]) != nxtTLVTableReply || (len(b)-24)%8 != 0 {
		return nil, fmt.Errorf("openflow: TLV table reply: %w", ErrBadMessage)
	}
	t := &TLVTable{MaxOptionSpace: binary.BigEndian.Uint32(b[8:]), MaxFields: binary.BigEndian.Uint16(b[12:])}
	for p := b[24:]; len(p) >= 8; p = p[8:] {
		t.Maps = append(t.Maps, TLVMap{Class: binary.BigEndian.Uint16(p), Type: p[2], Len: p[3], Index: binary.BigEndian.Uint16(p[4:])})
	}
	return t, nil
}
