package openflow

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// SortKey is one criterion of ovs-ofctl dump-flows' --sort[=FIELD] and
// --rsort[=FIELD]: a match field's name (dl_vlan is not one: use
// vlan_tci), or "" or "priority" for the priority.
type SortKey struct {
	Field      string
	Descending bool
}

// SortFlows orders flows as ovs-ofctl dump-flows does with the keys in
// the order given: by each key's field value (flows that do not match on
// the field last, ascending or descending), ties broken by the next key,
// then by priority (highest first) and finally by the order the flows
// came in. Without keys the order is left as it is. An unknown field is an
// error wrapping ErrSyntax, and flows are left as they were.
func SortFlows(flows []*Flow, keys ...SortKey) error {
	if len(keys) == 0 {
		return nil
	}
	// ovs-ofctl always ends with a pass by priority, highest first.
	keys = append(slices.Clip(keys), SortKey{Field: "priority", Descending: true})
	// Each key's field (-1: the priority) and the IP protocol it needs
	// (0: none), found once, not per comparison.
	fields := make([]fid, len(keys))
	protos := make([]uint8, len(keys))
	tunMD := make([]int, len(keys)) // tun_metadataN's N, or -1
	for i, k := range keys {
		fields[i], tunMD[i] = -1, -1
		if k.Field == "" || k.Field == "priority" {
			continue
		}
		if idx, ok := tunMetadataIndex(k.Field); ok {
			tunMD[i] = idx
			continue
		}
		f, ok := fieldNames[k.Field]
		if !ok {
			return fmt.Errorf("openflow: %s: unknown field to sort on: %w", k.Field, ErrSyntax)
		}
		fields[i] = f
		if prefix, _, _ := strings.Cut(k.Field, "_"); f == fTpSrc || f == fTpDst {
			protos[i] = l4Protocols[prefix]
		}
	}
	has := func(m *Match, i int) bool {
		return m.has[fields[i]] && (protos[i] == 0 || m.nwProto() == protos[i])
	}
	slices.SortStableFunc(flows, func(a, b *Flow) int {
		for i, k := range keys {
			var c int
			if idx := tunMD[i]; idx >= 0 {
				va, ina := a.Match.tunMetadataValue(idx)
				vb, inb := b.Match.tunMetadataValue(idx)
				if ina != inb {
					if ina {
						return -1
					}
					return 1
				}
				c = bytes.Compare(va, vb)
			} else if f := fields[i]; f < 0 {
				c = a.Priority - b.Priority
			} else {
				ina, inb := has(&a.Match, i), has(&b.Match, i)
				if ina != inb {
					// Missing fields sort last either way.
					if ina {
						return -1
					}
					return 1
				}
				c = bytes.Compare(a.Match.value(f), b.Match.value(f))
			}
			if c != 0 {
				if k.Descending {
					return -c
				}
				return c
			}
		}
		return 0
	})
	return nil
}

// l4Protocols are the IP protocols of the L4 fields' names, by prefix:
// Open vSwitch's tp_src and tp_dst are TCP's, and the L4 fields of one
// protocol are absent from another's flows.
var l4Protocols = map[string]uint8{"tp": ipTCP, "tcp": ipTCP, "udp": ipUDP, "sctp": ipSCTP, "icmp": ipICMP, "icmpv6": ipICMPv6}
