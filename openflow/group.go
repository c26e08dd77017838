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
	// ID is the bucket's id, which OpenFlow 1.5 carries (bucket_id:N);
	// a bucket without one (zero, and not parsed from bucket_id:0) gets
	// the lowest id free, as ovs-ofctl numbers them.
	ID uint32
	// Weight (select groups), WatchPort and WatchGroup (fast failover;
	// PortAny for none).
	Weight     uint16
	WatchPort  uint32
	WatchGroup uint32
	Actions    []Action
	hasID      bool // from bucket_id:, or from an OpenFlow 1.5 switch
}

// bucketIDMax is the highest bucket id (OFPG15_BUCKET_MAX).
const bucketIDMax = 0xffffff00

// GroupEntry is a group of the switch's group table.
type GroupEntry struct {
	ID      uint32
	Type    GroupType
	Buckets []Bucket
	// SelectionMethod is how a select group picks its bucket: "hash"
	// (over Fields, with SelectionParam as the hash basis) or "dp_hash";
	// "" for the switch's default. Only OpenFlow 1.5 carries it (a
	// connection of 1.3 or 1.4 leaves it out, as ovs-ofctl does).
	SelectionMethod string
	SelectionParam  uint64
	Fields          []GroupField
}

// GroupField is a field a select group hashes: its name (ip_src,
// nw_proto, ...), with a mask of the field's size or nil for the whole
// field.
type GroupField struct {
	Name string
	Mask []byte
}

// ParseGroup reads a group in ovs-ofctl's syntax:
// "group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=...".
// Ports are numbers or reserved names; PortNames.ParseGroup takes the
// switch's port names too.
func ParseGroup(s string) (*GroupEntry, error) { return PortNames(nil).ParseGroup(s) }

// ParseGroup reads a group as ParseGroup does, with ports (watch_port, and
// in the buckets' actions) also by the names of n, as ovs-ofctl takes
// them.
func (n PortNames) ParseGroup(s string) (*GroupEntry, error) {
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
		case "selection_method":
			if v != "hash" && v != "dp_hash" {
				return nil, syntaxf(tok, "selection_method %q: want hash or dp_hash", v)
			}
			g.SelectionMethod = v
		case "selection_method_param":
			n, err := strconv.ParseUint(v, 0, 64)
			if err != nil {
				return nil, syntaxf(tok, "selection_method_param %q: not a number", v)
			}
			g.SelectionParam = n
		case "fields":
			fs, err := parseGroupFields(v, tok)
			if err != nil {
				return nil, err
			}
			g.Fields = fs
		default:
			if rest, ok := strings.CutPrefix(tok, "fields("); ok && strings.HasSuffix(rest, ")") {
				fs, err := parseGroupFields(strings.TrimSuffix(rest, ")"), tok)
				if err != nil {
					return nil, err
				}
				g.Fields = fs
				continue
			}
			return nil, syntaxf(tok, "unknown keyword %s", k)
		}
	}
	if !hasID {
		return nil, syntaxf(s, "must specify a group_id")
	}
	for _, bs := range parts[1:] {
		b, err := parseBucket(bs, n)
		if err != nil {
			return nil, err
		}
		if g.Type == GroupSelect && b.Weight == 0 {
			b.Weight = 1
		}
		g.Buckets = append(g.Buckets, b)
	}
	if g.SelectionMethod == "" && (g.SelectionParam != 0 || len(g.Fields) > 0) {
		return nil, syntaxf(s, "selection_method_param and fields are only allowed with selection_method")
	}
	if g.SelectionMethod != "" && g.Type != GroupSelect {
		return nil, syntaxf(s, "selection_method is only allowed for select groups")
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

func parseBucket(s string, names PortNames) (Bucket, error) {
	b := Bucket{WatchPort: PortAny, WatchGroup: PortAny}
	toks := splitTop(s)
	for i := 0; i < len(toks); i++ {
		tok := strings.TrimSpace(toks[i])
		k, v, ok := strings.Cut(tok, ":")
		if !ok {
			k, v, ok = strings.Cut(tok, "=")
		}
		switch {
		case ok && k == "bucket_id":
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil || n > bucketIDMax {
				return b, syntaxf(tok, "invalid bucket_id id %q", v)
			}
			b.ID, b.hasID = uint32(n), true
		case ok && k == "weight":
			n, err := strconv.ParseUint(v, 0, 16)
			if err != nil {
				return b, syntaxf(tok, "invalid weight %q", v)
			}
			b.Weight = uint16(n)
		case ok && k == "watch_port":
			p, okp := names.parse(v)
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
			acts, err := parseActions(rest, &m, names)
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
func (g *GroupEntry) String() string { return g.Format(nil) }

// Format is the group as ovs-ofctl dump-groups prints it, with ports by
// the names of n (dump-groups --names).
func (g *GroupEntry) Format(n PortNames) string {
	var b strings.Builder
	fmt.Fprintf(&b, "group_id=%d,type=%s", g.ID, groupTypeNames[g.Type&3])
	if g.SelectionMethod != "" {
		b.WriteString(",selection_method=" + g.SelectionMethod)
		if g.SelectionParam != 0 {
			fmt.Fprintf(&b, ",selection_method_param=%d", g.SelectionParam)
		}
		switch fs := formatGroupFields(g.Fields); len(g.Fields) {
		case 0:
		case 1:
			b.WriteString(",fields=" + fs)
		default:
			b.WriteString(",fields(" + fs + ")")
		}
	}
	for _, bk := range g.Buckets {
		b.WriteString(",bucket=")
		if bk.hasID {
			fmt.Fprintf(&b, "bucket_id:%d,", bk.ID)
		}
		// The weight is printed unless it is the default (1 in a select
		// group, 0 elsewhere).
		if def := uint16(0); g.Type == GroupSelect && bk.Weight != 1 || g.Type != GroupSelect && bk.Weight != def {
			fmt.Fprintf(&b, "weight:%d,", bk.Weight)
		}
		if bk.WatchPort != PortAny {
			b.WriteString("watch_port:" + n.format(bk.WatchPort) + ",")
		}
		if bk.WatchGroup != PortAny {
			fmt.Fprintf(&b, "watch_group:%d,", bk.WatchGroup)
		}
		b.WriteString("actions=" + actionsNamed(bk.Actions, n))
	}
	return b.String()
}

const (
	typeGroupMod = 15
	groupAdd     = 0
	groupModify  = 1
	groupDelete  = 2
)

// appendGroupMod appends a group_mod of version ver.
func appendGroupMod(b []byte, g *GroupEntry, command uint16, ver Version) []byte {
	if ver >= OpenFlow15 || ver == OpenFlow10 { // 1.0: Nicira's group mod, 1.5's layout
		return appendGroupMod15(b, g, command, ver)
	}
	b = binary.BigEndian.AppendUint16(b, command)
	b = append(b, byte(g.Type), 0)
	b = binary.BigEndian.AppendUint32(b, g.ID)
	for _, bk := range g.Buckets {
		var acts []byte
		for _, a := range bk.Actions {
			acts = a.appendWire(acts, ver)
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

// appendGroupMod15 appends an OpenFlow 1.5 group_mod: buckets with ids
// (bucketIDs), their actions, and their weight and watches as properties.
func appendGroupMod15(b []byte, g *GroupEntry, command uint16, ver Version) []byte {
	b = binary.BigEndian.AppendUint16(b, command)
	b = append(b, byte(g.Type), 0)
	b = binary.BigEndian.AppendUint32(b, g.ID)
	lenAt := len(b)
	b = append(b, 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, 0xffffffff) // command_bucket_id: all
	start := len(b)
	ids := bucketIDs(g.Buckets)
	for i, bk := range g.Buckets {
		at := len(b)
		b = append(b, 0, 0, 0, 0)
		b = binary.BigEndian.AppendUint32(b, ids[i])
		for _, a := range bk.Actions {
			b = a.appendWire(b, ver)
		}
		binary.BigEndian.PutUint16(b[at+2:], uint16(len(b)-at-8))
		if g.Type == GroupSelect || bk.Weight != 0 {
			b = append(b, 0, 0, 0, 6)
			b = binary.BigEndian.AppendUint16(b, bk.Weight)
			b = append(b, 0, 0)
		}
		if bk.WatchPort != PortAny {
			b = append(b, 0, 1, 0, 8)
			b = binary.BigEndian.AppendUint32(b, bk.WatchPort)
		}
		if bk.WatchGroup != PortAny {
			b = append(b, 0, 2, 0, 8)
			b = binary.BigEndian.AppendUint32(b, bk.WatchGroup)
		}
		binary.BigEndian.PutUint16(b[at:], uint16(len(b)-at))
	}
	binary.BigEndian.PutUint16(b[lenAt:], uint16(len(b)-start))
	if g.SelectionMethod != "" {
		b = appendSelectionMethod(b, g)
	}
	return b
}

// bucketIDs are the ids of buckets in OpenFlow 1.5: its own where a
// bucket has one; otherwise, from the first bucket without one on, the
// lowest id that no later bucket names and no earlier one took.
func bucketIDs(buckets []Bucket) []uint32 {
	ids := make([]uint32, len(buckets))
	var used map[uint32]bool
	next := uint32(0)
	for i, bk := range buckets {
		if bk.hasID || bk.ID != 0 {
			ids[i] = bk.ID
			continue
		}
		if used == nil {
			used = map[uint32]bool{}
			for _, later := range buckets[i+1:] {
				if later.hasID || later.ID != 0 {
					used[later.ID] = true
				}
			}
		}
		for used[next] {
			next++
		}
		ids[i], used[next] = next, true
	}
	return ids
}

// AddGroup adds a group (OFPGMFC_GROUP_EXISTS if its id is taken).
// Equivalent to: ovs-ofctl add-group SWITCH GROUP
func (c *Conn) AddGroup(ctx context.Context, g *GroupEntry) error {
	return c.groupMod(ctx, g, groupAdd)
}

// ModGroup replaces a group's type and buckets.
// Equivalent to: ovs-ofctl mod-group SWITCH GROUP
func (c *Conn) ModGroup(ctx context.Context, g *GroupEntry) error {
	return c.groupMod(ctx, g, groupModify)
}

// groupMod sends a group mod: OpenFlow's, or at 1.0 Nicira's (with
// OpenFlow 1.5's body).
func (c *Conn) groupMod(ctx context.Context, g *GroupEntry, command uint16) error {
	if c.version == OpenFlow10 {
		for _, bk := range g.Buckets {
			if err := actionsAt10(bk.Actions); err != nil {
				return err
			}
		}
		return c.send(ctx, typeExperimenter, appendGroupMod(appendNXT(nil, nxtGroupMod), g, command, c.version))
	}
	return c.send(ctx, typeGroupMod, appendGroupMod(nil, g, command, c.version))
}

// DelGroups deletes a group, or every group (id PortAll's value,
// 0xfffffffc, as group_id=all); the flows that use it go with it.
// Equivalent to: ovs-ofctl del-groups SWITCH [group_id=ID]
func (c *Conn) DelGroups(ctx context.Context, id uint32) error {
	return c.groupMod(ctx, &GroupEntry{ID: id}, groupDelete)
}

// DumpGroups returns the switch's groups.
// Equivalent to: ovs-ofctl dump-groups SWITCH
func (c *Conn) DumpGroups(ctx context.Context) ([]*GroupEntry, error) {
	var req []byte
	if c.version >= OpenFlow15 || c.version == OpenFlow10 { // which groups: all
		req = []byte{0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0}
	}
	mtype := uint16(7)
	if c.version == OpenFlow10 { // Nicira's group descriptions
		mtype, req = 0xffff, append(append(appendNXT(nil, nxstGroupDesc), 0, 0, 0, 0), req...)
	}
	parts, err := c.multipart(ctx, mtype, req)
	if err != nil {
		return nil, err
	}
	if c.version == OpenFlow10 {
		for i, p := range parts {
			if len(p) < 12 {
				return nil, fmt.Errorf("openflow: Nicira statistics reply: %w", ErrBadMessage)
			}
			parts[i] = p[12:]
		}
	}
	return records(parts, c.version, decodeGroupDesc)
}

// decodeGroupDesc reads one group description of version ver; it returns
// the group and the entry's length.
func decodeGroupDesc(p []byte, ver Version) (*GroupEntry, int, error) {
	// OpenFlow 1.0's (Nicira's) are laid out as 1.5's.
	v15 := ver >= OpenFlow15 || ver == OpenFlow10
	head := 8
	if v15 {
		head = 16
	}
	if len(p) < head {
		return nil, 0, fmt.Errorf("openflow: truncated group: %w", ErrBadMessage)
	}
	n := int(binary.BigEndian.Uint16(p))
	if n < head || n > len(p) {
		return nil, 0, fmt.Errorf("openflow: group length %d: %w", n, ErrBadMessage)
	}
	g := &GroupEntry{Type: GroupType(p[2]), ID: binary.BigEndian.Uint32(p[4:])}
	bs := p[head:n]
	if v15 {
		bl := int(binary.BigEndian.Uint16(p[8:]))
		if bl > len(bs) {
			return nil, 0, fmt.Errorf("openflow: group buckets length %d: %w", bl, ErrBadMessage)
		}
		if err := eachExperimenterProperty(p[head+bl:n], func(exp, expType uint32, v []byte) error {
			if exp == ntrVendor && expType == ntrSelectionMethod {
				return decodeSelectionMethod(g, v)
			}
			return nil
		}); err != nil {
			return nil, 0, err
		}
		bs = bs[:bl] // group properties follow
	}
	for len(bs) > 0 {
		var bk Bucket
		var bn int
		var err error
		if v15 {
			bk, bn, err = decodeBucket15(bs, ver)
		} else {
			bk, bn, err = decodeBucket(bs)
		}
		if err != nil {
			return nil, 0, err
		}
		g.Buckets = append(g.Buckets, bk)
		bs = bs[bn:]
	}
	return g, n, nil
}

// decodeBucket reads an OpenFlow 1.3 bucket and returns its length.
func decodeBucket(bs []byte) (Bucket, int, error) {
	if len(bs) < 16 {
		return Bucket{}, 0, fmt.Errorf("openflow: truncated bucket: %w", ErrBadMessage)
	}
	bn := int(binary.BigEndian.Uint16(bs))
	if bn < 16 || bn > len(bs) {
		return Bucket{}, 0, fmt.Errorf("openflow: bucket length %d: %w", bn, ErrBadMessage)
	}
	acts, err := decodeActions(bs[16:bn], OpenFlow13)
	if err != nil {
		return Bucket{}, 0, err
	}
	return Bucket{Weight: binary.BigEndian.Uint16(bs[2:]), WatchPort: binary.BigEndian.Uint32(bs[4:]),
		WatchGroup: binary.BigEndian.Uint32(bs[8:]), Actions: acts}, bn, nil
}

// decodeBucket15 reads an OpenFlow 1.5 bucket (id, actions, properties)
// and returns its length.
func decodeBucket15(bs []byte, ver Version) (Bucket, int, error) {
	if len(bs) < 8 {
		return Bucket{}, 0, fmt.Errorf("openflow: truncated bucket: %w", ErrBadMessage)
	}
	bn, al := int(binary.BigEndian.Uint16(bs)), int(binary.BigEndian.Uint16(bs[2:]))
	if bn < 8 || bn > len(bs) || 8+al > bn {
		return Bucket{}, 0, fmt.Errorf("openflow: bucket length %d: %w", bn, ErrBadMessage)
	}
	bk := Bucket{ID: binary.BigEndian.Uint32(bs[4:]), hasID: true, WatchPort: PortAny, WatchGroup: PortAny}
	acts, err := decodeActions(bs[8:8+al], ver)
	if err != nil {
		return Bucket{}, 0, err
	}
	bk.Actions = acts
	err = eachProperty(bs[8+al:bn], func(t uint16, v []byte) {
		switch {
		case t == 0 && len(v) >= 2:
			bk.Weight = binary.BigEndian.Uint16(v)
		case t == 1 && len(v) >= 4:
			bk.WatchPort = binary.BigEndian.Uint32(v)
		case t == 2 && len(v) >= 4:
			bk.WatchGroup = binary.BigEndian.Uint32(v)
		}
	})
	if err != nil {
		return Bucket{}, 0, err
	}
	return bk, bn, nil
}
