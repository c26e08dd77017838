package openflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// GroupType is a group's type.
type GroupType uint8

// Group types of OpenFlow 1.3, and their names in ovs-ofctl's syntax.
const (
	GroupAll          GroupType = 0 // all
	GroupSelect       GroupType = 1 // select
	GroupIndirect     GroupType = 2 // indirect
	GroupFastFailover GroupType = 3 // ff
)

var groupTypeNames = []string{"all", "select", "indirect", "ff"}

// Bucket is one of a group's buckets.
type Bucket struct {
	// Weight (select groups), WatchPort and WatchGroup (fast failover;
	// PortAny for none).
	Weight     uint16
	WatchPort  uint32
	WatchGroup uint32
	Actions    []Action
}

// GroupEntry is a group of the switch's group table.
type GroupEntry struct {
	ID      uint32
	Type    GroupType
	Buckets []Bucket
}

// ParseGroup reads a group in ovs-ofctl's syntax:
// "group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=...".
func ParseGroup(s string) (*GroupEntry, error) {
	parts := splitBuckets(s)
	g := &GroupEntry{ID: PortAny}
	hasID := false
	for _, tok := range splitTop(parts[0]) {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		k, v, _ := strings.Cut(tok, "=")
		switch k {
		case "group_id":
			if v == "all" {
				g.ID, hasID = 0xfffffffc, true
				continue
			}
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil || n > 0xffffff00 {
				return nil, syntaxf(tok, "invalid group id %q", v)
			}
			g.ID, hasID = uint32(n), true
		case "type":
			i := -1
			for j, name := range groupTypeNames {
				if v == name || (v == "fast_failover" && j == 3) {
					i = j
				}
			}
			if i < 0 {
				return nil, syntaxf(tok, "%s: unknown group type", v)
			}
			g.Type = GroupType(i)
		default:
			return nil, syntaxf(tok, "unknown keyword %s", k)
		}
	}
	if !hasID {
		return nil, syntaxf(s, "must specify a group_id")
	}
	for _, bs := range parts[1:] {
		b, err := parseBucket(bs)
		if err != nil {
			return nil, err
		}
		if g.Type == GroupSelect && b.Weight == 0 {
			b.Weight = 1
		}
		g.Buckets = append(g.Buckets, b)
	}
	if g.Type == GroupIndirect && len(g.Buckets) != 1 {
		return nil, syntaxf(s, "indirect group must have exactly one bucket")
	}
	return g, nil
}

// splitBuckets splits "HEAD,bucket=A,bucket=B" at each top-level
// "bucket=".
func splitBuckets(s string) []string {
	var out []string
	depth, start := 0, 0
	const kw = "bucket="
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && strings.HasPrefix(s[i:], kw) && (i == 0 || s[i-1] == ',') {
			end := i
			if end > 0 {
				end--
			}
			out = append(out, s[start:end])
			start = i + len(kw)
			i = start - 1
		}
	}
	return append(out, s[start:])
}

func parseBucket(s string) (Bucket, error) {
	b := Bucket{WatchPort: PortAny, WatchGroup: PortAny}
	toks := splitTop(s)
	for i := 0; i < len(toks); i++ {
		tok := strings.TrimSpace(toks[i])
		k, v, ok := strings.Cut(tok, ":")
		if !ok {
			k, v, ok = strings.Cut(tok, "=")
		}
		switch {
		case ok && k == "weight":
			n, err := strconv.ParseUint(v, 0, 16)
			if err != nil {
				return b, syntaxf(tok, "invalid weight %q", v)
			}
			b.Weight = uint16(n)
		case ok && k == "watch_port":
			p, okp := parsePort(v)
			if !okp {
				return b, syntaxf(tok, "%s: invalid watch_port", v)
			}
			b.WatchPort = p
		case ok && k == "watch_group":
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return b, syntaxf(tok, "invalid watch_group %q", v)
			}
			b.WatchGroup = uint32(n)
		default:
			rest := strings.Join(toks[i:], ",")
			rest = strings.TrimPrefix(strings.TrimPrefix(rest, "actions="), "actions:")
			var m Match
			acts, err := parseActions(rest, &m, nil)
			if err != nil {
				return b, err
			}
			b.Actions = acts
			return b, nil
		}
	}
	return b, nil
}

// String is the group as ovs-ofctl dump-groups prints it.
func (g *GroupEntry) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "group_id=%d,type=%s", g.ID, groupTypeNames[g.Type&3])
	for _, bk := range g.Buckets {
		b.WriteString(",bucket=")
		// The weight is printed unless it is the default (1 in a select
		// group, 0 elsewhere).
		if def := uint16(0); g.Type == GroupSelect && bk.Weight != 1 || g.Type != GroupSelect && bk.Weight != def {
			fmt.Fprintf(&b, "weight:%d,", bk.Weight)
		}
		if bk.WatchPort != PortAny {
			b.WriteString("watch_port:" + formatPort(bk.WatchPort) + ",")
		}
		if bk.WatchGroup != PortAny {
			fmt.Fprintf(&b, "watch_group:%d,", bk.WatchGroup)
		}
		b.WriteString("actions=" + actionsString(bk.Actions))
	}
	return b.String()
}

const (
	typeGroupMod = 15
	groupAdd     = 0
	groupModify  = 1
	groupDelete  = 2
)

func appendGroupMod(b []byte, g *GroupEntry, command uint16) []byte {
	b = binary.BigEndian.AppendUint16(b, command)
	b = append(b, byte(g.Type), 0)
	b = binary.BigEndian.AppendUint32(b, g.ID)
	for _, bk := range g.Buckets {
		var acts []byte
		for _, a := range bk.Actions {
			acts = a.appendWire(acts)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(16+len(acts)))
		b = binary.BigEndian.AppendUint16(b, bk.Weight)
		b = binary.BigEndian.AppendUint32(b, bk.WatchPort)
		b = binary.BigEndian.AppendUint32(b, bk.WatchGroup)
		b = append(b, 0, 0, 0, 0)
		b = append(b, acts...)
	}
	return b
}

// AddGroup adds a group (OFPGMFC_GROUP_EXISTS if its id is taken).
// Equivalent to: ovs-ofctl add-group SWITCH GROUP
func (c *Conn) AddGroup(ctx context.Context, g *GroupEntry) error {
	return c.send(ctx, typeGroupMod, appendGroupMod(nil, g, groupAdd))
}

// ModGroup replaces a group's type and buckets.
// Equivalent to: ovs-ofctl mod-group SWITCH GROUP
func (c *Conn) ModGroup(ctx context.Context, g *GroupEntry) error {
	return c.send(ctx, typeGroupMod, appendGroupMod(nil, g, groupModify))
}

// DelGroups deletes a group, or every group (id PortAll's value,
// 0xfffffffc, as group_id=all); the flows that use it go with it.
// Equivalent to: ovs-ofctl del-groups SWITCH [group_id=ID]
func (c *Conn) DelGroups(ctx context.Context, id uint32) error {
	return c.send(ctx, typeGroupMod, appendGroupMod(nil, &GroupEntry{ID: id}, groupDelete))
}

// DumpGroups returns the switch's groups.
// Equivalent to: ovs-ofctl dump-groups SWITCH
func (c *Conn) DumpGroups(ctx context.Context) ([]*GroupEntry, error) {
	parts, err := c.multipart(ctx, 7, nil)
	if err != nil {
		return nil, err
	}
	var out []*GroupEntry
	for _, p := range parts {
		for len(p) > 0 {
			if len(p) < 8 {
				return nil, fmt.Errorf("openflow: truncated group: %w", ErrBadMessage)
			}
			n := int(binary.BigEndian.Uint16(p))
			if n < 8 || n > len(p) {
				return nil, fmt.Errorf("openflow: group length %d: %w", n, ErrBadMessage)
			}
			g := &GroupEntry{Type: GroupType(p[2]), ID: binary.BigEndian.Uint32(p[4:])}
			bs := p[8:n]
			for len(bs) > 0 {
				if len(bs) < 16 {
					return nil, fmt.Errorf("openflow: truncated bucket: %w", ErrBadMessage)
				}
				bn := int(binary.BigEndian.Uint16(bs))
				if bn < 16 || bn > len(bs) {
					return nil, fmt.Errorf("openflow: bucket length %d: %w", bn, ErrBadMessage)
				}
				acts, err := decodeActions(bs[16:bn])
				if err != nil {
					return nil, err
				}
				g.Buckets = append(g.Buckets, Bucket{Weight: binary.BigEndian.Uint16(bs[2:]), WatchPort: binary.BigEndian.Uint32(bs[4:]),
					WatchGroup: binary.BigEndian.Uint32(bs[8:]), Actions: acts})
				bs = bs[bn:]
			}
			out = append(out, g)
			p = p[n:]
		}
	}
	return out, nil
}
