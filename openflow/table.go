package openflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
)

// TableStats are a flow table's counters.
type TableStats struct {
	Table           uint8
	Active          uint32
	Lookup, Matched uint64
}

// DumpTables returns the counters of every flow table.
// Equivalent to: ovs-ofctl dump-tables SWITCH
func (c *Conn) DumpTables(ctx context.Context) ([]TableStats, error) {
	parts, err := c.multipart(ctx, 3, nil)
	if err != nil {
		return nil, err
	}
	var out []TableStats
	for _, p := range parts {
		for len(p) >= 24 {
			out = append(out, TableStats{Table: p[0], Active: binary.BigEndian.Uint32(p[4:]), Lookup: binary.BigEndian.Uint64(p[8:]), Matched: binary.BigEndian.Uint64(p[16:])})
			p = p[24:]
		}
		if len(p) != 0 {
			return nil, fmt.Errorf("openflow: table statistics of %d bytes: %w", len(p), ErrBadMessage)
		}
	}
	return out, nil
}

// FormatTables prints table counters as ovs-ofctl dump-tables does: a
// table whose counters equal the previous one's is a "ditto".
func FormatTables(ts []TableStats) string {
	var b strings.Builder
	first, last := -1, -1
	// A ditto line is followed by a blank line unless it ends the list.
	flush := func(end bool) {
		switch {
		case first < 0:
			return
		case first == last:
			fmt.Fprintf(&b, "  table %d: ditto\n", first)
		default:
			fmt.Fprintf(&b, "  tables %d...%d: ditto\n", first, last)
		}
		if !end {
			b.WriteByte('\n')
		}
		first, last = -1, -1
	}
	for i, t := range ts {
		if i > 0 && t.Active == ts[i-1].Active && t.Lookup == ts[i-1].Lookup && t.Matched == ts[i-1].Matched {
			if first < 0 {
				first = int(t.Table)
			}
			last = int(t.Table)
			continue
		}
		flush(false)
		fmt.Fprintf(&b, "  table %d:\n    active=%d, lookup=%d, matched=%d\n\n", t.Table, t.Active, t.Lookup, t.Matched)
	}
	flush(true)
	return b.String()
}
