package openflow

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// A select group's selection method travels in OpenFlow 1.5 as an
// experimenter group property of Netronome's (NTR), as Open vSwitch
// defines it.
const (
	ntrVendor          = 0x0000154d // NTR_VENDOR_ID
	ntrSelectionMethod = 1          // NTRT_SELECTION_METHOD
	groupPropExp       = 0xffff     // OFPGPT15_EXPERIMENTER
	selectionMethodLen = 16         // NTR_MAX_SELECTION_METHOD_LEN
)

// fieldOrder is a field's position in Open vSwitch's field order, by its
// set_field name: the order group fields print and travel in.
var fieldOrder = func() map[string]int {
	m := map[string]int{}
	for i, f := range fieldTable {
		m[f.name] = i
	}
	return m
}()

// parseGroupFields reads a select group's fields: "ip_src,nw_proto" or
// with masks "ip_dst=255.255.255.0".
func parseGroupFields(s, item string) ([]GroupField, error) {
	var out []GroupField
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name, mask, hasMask := strings.Cut(strings.TrimSpace(part), "=")
		d, ok := setFieldDefs[name]
		if !ok {
			return nil, syntaxf(item, "%s: unknown field", name)
		}
		name = canonicalField(d)
		if seen[name] {
			return nil, syntaxf(item, "%s: field given twice", name)
		}
		seen[name] = true
		gf := GroupField{Name: name}
		if hasMask {
			acts, err := parseSetField(name, mask, item)
			if err != nil {
				return nil, err
			}
			m := acts[0].(SetField).Value
			if !allOnes(m) {
				gf.Mask = m
			}
		}
		out = append(out, gf)
	}
	slices.SortFunc(out, func(a, b GroupField) int { return fieldOrder[a.Name] - fieldOrder[b.Name] })
	return out, nil
}

// canonicalField is the set_field name of the field d describes.
func canonicalField(d setFieldDef) string {
	name, _, _ := setFieldByWire(d.class, d.field)
	return name
}

// formatGroupFields prints the fields as ovs-ofctl does.
func formatGroupFields(fs []GroupField) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Name
		if f.Mask != nil {
			parts[i] += "=" + setFieldDefs[f.Name].format(f.Mask)
		}
	}
	return strings.Join(parts, ",")
}

// appendSelectionMethod appends the selection method property.
func appendSelectionMethod(b []byte, g *GroupEntry) []byte {
	at := len(b)
	b = binary.BigEndian.AppendUint16(b, groupPropExp)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint32(b, ntrVendor)
	b = binary.BigEndian.AppendUint32(b, ntrSelectionMethod)
	b = append(b, 0, 0, 0, 0)
	var name [selectionMethodLen]byte
	copy(name[:], g.SelectionMethod)
	b = append(b, name[:]...)
	b = binary.BigEndian.AppendUint64(b, g.SelectionParam)
	// Each field is an OXM entry whose value is the mask hashed (all
	// ones: the whole field).
	for _, f := range g.Fields {
		d := setFieldDefs[f.Name]
		b = binary.BigEndian.AppendUint32(b, oxmHeader(d.class, d.field, false, d.size))
		if f.Mask != nil {
			b = append(b, f.Mask...)
		} else {
			b = append(b, slices.Repeat([]byte{0xff}, d.size)...)
		}
	}
	binary.BigEndian.PutUint16(b[at+2:], uint16(len(b)-at))
	for (len(b)-at)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// eachExperimenterProperty calls fn with each experimenter property of
// an OpenFlow 1.5 group's properties (others are skipped).
func eachExperimenterProperty(b []byte, fn func(exp, expType uint32, v []byte) error) error {
	var err error
	perr := eachProperty(b, func(t uint16, v []byte) {
		if err != nil || t != groupPropExp {
			return
		}
		if len(v) < 8 {
			err = fmt.Errorf("openflow: experimenter property of %d bytes: %w", len(v), ErrBadMessage)
			return
		}
		err = fn(binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:]), v[8:])
	})
	if perr != nil {
		return perr
	}
	return err
}

// decodeSelectionMethod reads the selection method property's body
// (after its experimenter type).
func decodeSelectionMethod(g *GroupEntry, v []byte) error {
	if len(v) < 4+selectionMethodLen+8 {
		return fmt.Errorf("openflow: selection method of %d bytes: %w", len(v), ErrBadMessage)
	}
	name := v[4 : 4+selectionMethodLen]
	if i := slices.Index(name, 0); i >= 0 {
		name = name[:i]
	}
	g.SelectionMethod = string(name)
	g.SelectionParam = binary.BigEndian.Uint64(v[4+selectionMethodLen:])
	fs := v[4+selectionMethodLen+8:]
	for len(fs) >= 4 {
		h := binary.BigEndian.Uint32(fs)
		if h == 0 { // padding
			break
		}
		class, field, size := uint16(h>>16), uint8(h>>9&0x7f), int(h&0xff)
		name, d, ok := setFieldByWire(class, field)
		if !ok {
			return fmt.Errorf("openflow: selection method field %#x: %w", h, ErrUnsupported)
		}
		if h&0x100 != 0 || size != d.size || len(fs) < 4+size {
			return fmt.Errorf("openflow: selection method field %#x: %w", h, ErrBadMessage)
		}
		gf := GroupField{Name: name}
		if m := fs[4 : 4+size]; !allOnes(m) {
			gf.Mask = append([]byte(nil), m...)
		}
		g.Fields = append(g.Fields, gf)
		fs = fs[4+size:]
	}
	return nil
}
