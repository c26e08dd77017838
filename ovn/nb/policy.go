package nb

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// Policy is a router's routing policy, as lr-policy-add takes it: what to
// do with packets that match, before the routing table.
type Policy struct {
	// Priority is 0 to 32767.
	Priority int
	// Match is the policy's match expression.
	Match string
	// Action is "allow", "drop" or "reroute" (which needs NextHops).
	Action string
	// NextHops are the addresses a reroute sends to, all IPv4 or all
	// IPv6.
	NextHops []string
	// Options ("pkt_mark": a value) each need a value.
	Options map[string]string
}

// cmpPolicy orders policies as ovn-nbctl does: higher priority first,
// then by match.
func cmpPolicy(a, b *nbdb.LogicalRouterPolicy) int {
	if a.Priority != b.Priority {
		return cmp.Compare(b.Priority, a.Priority)
	}
	return strings.Compare(a.Match, b.Match)
}

// AddPolicy adds a routing policy to a router; one of the same priority
// and match is an error (ErrExists) unless MayExist.
// Equivalent to: ovn-nbctl [--may-exist] lr-policy-add ROUTER PRIORITY MATCH ACTION [NEXTHOP[,NEXTHOP...]] [KEY=VALUE...]
func AddPolicy(router string, p Policy, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if err := checkPriority(p.Priority); err != nil {
			return err
		}
		switch p.Action {
		case "allow", "drop", "reroute":
		default:
			return errorf(ovsdb.ErrInvalid, "%s: action must be one of \"allow\", \"drop\", and \"reroute\"", p.Action)
		}
		reroute := p.Action == "reroute"
		if reroute && len(p.NextHops) == 0 {
			return errorf(ovsdb.ErrInvalid, "Nexthop is required when action is reroute.")
		}
		policies, err := lr.PoliciesRows(tx)
		if err != nil {
			return err
		}
		for _, old := range policies {
			if old.Priority == p.Priority && old.Match == p.Match {
				if o.mayExist {
					return nil
				}
				return errorf(ovsdb.ErrExists, "Same routing policy already existed on the logical router %s.", router)
			}
		}
		row := &nbdb.LogicalRouterPolicy{Priority: p.Priority, Match: p.Match, Action: nbdb.LogicalRouterPolicyAction(p.Action), Options: map[string]string{}}
		if reroute {
			all := strings.Join(p.NextHops, ",")
			// ovn-nbctl tells the families apart by a '.' in the address.
			v4 := func(s string) bool { return strings.Contains(s, ".") }
			for i, nh := range p.NextHops {
				a, err := netip.ParseAddr(nh)
				if err != nil || a.Zone() != "" {
					return errorf(ovsdb.ErrInvalid, "bad next hop argument: %s", all)
				}
				if i > 0 && v4(a.String()) != v4(row.Nexthops[0]) {
					return errorf(ovsdb.ErrInvalid, "bad next hops argument, not in the same addr family : %s", all)
				}
				row.Nexthops = append(row.Nexthops, a.String())
			}
		}
		for _, k := range slices.Sorted(maps.Keys(p.Options)) {
			if p.Options[k] == "" {
				return errorf(ovsdb.ErrInvalid, "No value specified for the option : %s", k)
			}
			row.Options[k] = p.Options[k]
		}
		// None of the priority and match: the commit verifies the set
		// this rests on.
		if err := tx.Verify(lr, "policies"); err != nil {
			return err
		}
		u, err := tx.Insert(row)
		if err != nil {
			return err
		}
		return tx.Mutate(lr, ovsdb.Mutation{Column: "policies", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// PolicyFilter selects a router's policies to delete: one by UUID, or
// those of a priority, or the one of a priority and match.
type PolicyFilter struct {
	UUID     string
	Priority *int
	Match    string
}

// DeletePolicies deletes the router's policies that f selects; a UUID
// the router does not have is ErrNotFound unless IfExists. An empty
// filter deletes them all.
// Equivalent to: ovn-nbctl [--if-exists] lr-policy-del ROUTER [{PRIORITY | UUID} [MATCH]]
func DeletePolicies(router string, f PolicyFilter, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if f.UUID == "" && f.Priority == nil {
			lr.Policies = nil
			return tx.Update(lr, "policies")
		}
		policies, err := lr.PoliciesRows(tx)
		if err != nil {
			return err
		}
		var gone []string
		switch {
		case f.UUID != "":
			u := strings.ToLower(f.UUID)
			if !slices.ContainsFunc(policies, func(p *nbdb.LogicalRouterPolicy) bool { return p.UUID == u }) {
				if o.ifExists {
					return nil
				}
				return errorf(ovsdb.ErrNotFound, "Logical router policy uuid is not found.")
			}
			gone = []string{u}
		default:
			if err := checkPriority(*f.Priority); err != nil {
				return err
			}
			for _, p := range policies {
				if p.Priority == *f.Priority && (f.Match == "" || p.Match == f.Match) {
					gone = append(gone, p.UUID)
					if f.Match != "" {
						break
					}
				}
			}
		}
		if len(gone) == 0 {
			return nil
		}
		return tx.Mutate(lr, ovsdb.Mutation{Column: "policies", Mutator: ovsdb.MutateDelete, Value: gone})
	})
}

// Policies returns a router's routing policies in ovn-nbctl's order.
// Equivalent to: ovn-nbctl lr-policy-list ROUTER
func Policies(tx *ovsdb.Tx, router string) ([]*nbdb.LogicalRouterPolicy, error) {
	lr, err := Router(tx, router)
	if err != nil {
		return nil, err
	}
	policies, err := lr.PoliciesRows(tx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(policies, cmpPolicy)
	return policies, nil
}
