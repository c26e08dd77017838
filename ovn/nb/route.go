package nb

import (
	"bytes"
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// Route is a static route of a router, as lr-route-add takes it.
type Route struct {
	// Prefix is the destination (or, with policy src-ip, source) network.
	Prefix string
	// NextHop is the gateway's address, "discard", or a router port's
	// name (then the route leaves through that port with no gateway).
	NextHop string
	// OutputPort is the router port the route leaves through ("": any).
	OutputPort string
	// SourcePolicy matches the source address (policy src-ip) instead of
	// the destination (dst-ip).
	SourcePolicy bool
	// ECMP adds a route of the same prefix with another next hop.
	ECMP bool
	// ECMPSymmetricReply is ECMP whose replies leave through the path
	// their request came in by (options:ecmp_symmetric_reply).
	ECMPSymmetricReply bool
	// RouteTable is the route table the route belongs to ("": the main
	// one); a router port's options:route_table selects it.
	RouteTable string
	// BFD monitors the next hop with BFD: the BFD row of the next hop and
	// output port, made when there is none (which needs an output port).
	// BFDSession names an existing BFD row by UUID instead.
	BFD        bool
	BFDSession string
}

func (r Route) policy() string {
	if r.SourcePolicy {
		return "src-ip"
	}
	return "dst-ip"
}

func isSrcRoute(rt *nbdb.LogicalRouterStaticRoute) bool {
	return rt.Policy != nil && *rt.Policy == "src-ip"
}

// AddRoute adds a static route to a router, with ovn-nbctl's checks
// (duplicates, ECMP, discard routes). Option: MayExist (update the next hop
// of the route of the same prefix).
// Equivalent to: ovn-nbctl [--may-exist] [--ecmp|--ecmp-symmetric-reply] [--policy=POLICY]
// [--route-table=TABLE] [--bfd[=UUID]] lr-route-add ROUTER PREFIX NEXTHOP [PORT]
func AddRoute(router string, r Route, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		p, ok := parsePrefix(r.Prefix)
		if !ok {
			return errorf(ovsdb.ErrInvalid, "bad prefix argument: %s", r.Prefix)
		}
		prefix := normalizePrefix(p)
		v6 := p.Addr().Is6()
		discard := r.NextHop == "discard"
		nextHop := r.NextHop
		var outPort *nbdb.LogicalRouterPort
		if !discard {
			a, err := netip.ParseAddr(r.NextHop)
			if err == nil && a.Is6() == v6 {
				nextHop = a.String()
			} else {
				family := "IPv4"
				if v6 {
					family = "IPv6"
				}
				lrp, err := portByNameOrUUID[nbdb.LogicalRouterPort](tx, r.NextHop, true)
				if err != nil || lrp == nil {
					return errorf(ovsdb.ErrInvalid, "bad %s nexthop argument: %s", family, r.NextHop)
				}
				outPort, nextHop = lrp, ""
			}
		}
		if r.OutputPort != "" {
			if outPort, err = RouterPort(tx, r.OutputPort); err != nil {
				return err
			}
		}
		bfd := r.BFD || r.BFDSession != ""
		session, err := bfdSession(tx, r, nextHop, outPort)
		if err != nil {
			return err
		}
		ecmp := r.ECMP || r.ECMPSymmetricReply
		routes, err := lr.StaticRoutesRows(tx)
		if err != nil {
			return err
		}
		find := func(nh string, ecmp bool) *nbdb.LogicalRouterStaticRoute {
			for _, rt := range routes {
				if rt.RouteTable != r.RouteTable || isSrcRoute(rt) != r.SourcePolicy {
					continue
				}
				if normalizedPrefix(rt.IPPrefix) != prefix || normalizedPrefix(rt.IPPrefix) == "" {
					continue
				}
				if ecmp && nh != rt.Nexthop {
					continue
				}
				return rt
			}
			return nil
		}
		existing := find(nextHop, ecmp)
		if discard {
			if ecmp {
				return errorf(ovsdb.ErrInvalid, "ecmp is not valid for discard routes.")
			}
			if bfd {
				return errorf(ovsdb.ErrInvalid, "bfd dst_ip cannot be discard.")
			}
			if outPort != nil {
				return errorf(ovsdb.ErrInvalid, "outport is not valid for discard routes.")
			}
		}
		if !ecmp {
			if existing != nil && existing.ExternalIDs["ic-learned-route"] == "" {
				if !o.mayExist {
					return errorf(ovsdb.ErrExists, "duplicate prefix: %s (policy: %s). Use option --ecmp to allow this for ECMP routing.", prefix, r.policy())
				}
				if err := tx.Verify(lr, "static_routes"); err != nil {
					return err
				}
				if err := tx.Verify(existing, "ip_prefix", "nexthop"); err != nil {
					return err
				}
				existing.IPPrefix, existing.Nexthop = prefix, nextHop
				cols := []string{"ip_prefix", "nexthop"}
				if outPort != nil {
					name := outPort.Name
					existing.OutputPort = &name
					cols = append(cols, "output_port")
				}
				if r.SourcePolicy {
					pol := nbdb.LogicalRouterStaticRoutePolicy("src-ip")
					existing.Policy = &pol
					cols = append(cols, "policy")
				}
				if bfd {
					if existing.BFD, err = ensureBFD(tx, session, nextHop, outPort); err != nil {
						return err
					}
					cols = append(cols, "bfd")
				}
				return tx.Update(existing, cols...)
			}
		} else if existing != nil {
			if !o.mayExist {
				return errorf(ovsdb.ErrExists, "duplicate nexthop for the same ECMP route")
			}
			return nil
		}
		if find("discard", true) != nil {
			return errorf(ovsdb.ErrExists, "discard nexthop for the same ECMP route exists.")
		}
		row := &nbdb.LogicalRouterStaticRoute{IPPrefix: prefix, Nexthop: nextHop, RouteTable: r.RouteTable}
		if r.ECMPSymmetricReply {
			row.Options = map[string]string{"ecmp_symmetric_reply": "true"}
		}
		if outPort != nil {
			name := outPort.Name
			row.OutputPort = &name
		}
		if r.SourcePolicy {
			pol := nbdb.LogicalRouterStaticRoutePolicy("src-ip")
			row.Policy = &pol
		}
		// No route of the prefix (or of this next hop, with ECMP): the
		// commit verifies the set that rests on.
		if err := tx.Verify(lr, "static_routes"); err != nil {
			return err
		}
		if bfd {
			if row.BFD, err = ensureBFD(tx, session, nextHop, outPort); err != nil {
				return err
			}
		}
		u, err := tx.Insert(row)
		if err != nil {
			return err
		}
		return tx.Mutate(lr, ovsdb.Mutation{Column: "static_routes", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// bfdSession finds the BFD row a route is to use: the one named, or the
// one of its next hop (and output port); nil when there is none yet.
func bfdSession(tx *ovsdb.Tx, r Route, nextHop string, out *nbdb.LogicalRouterPort) (*nbdb.BFD, error) {
	if r.BFDSession != "" {
		if uuidRE.MatchString(r.BFDSession) {
			if b, err := ovsdb.Get[nbdb.BFD](tx, strings.ToLower(r.BFDSession)); err == nil {
				return b, nil
			}
		}
		return nil, errorf(ovsdb.ErrNotFound, "no entry found in the BFD table")
	}
	if !r.BFD {
		return nil, nil
	}
	all, err := ovsdb.List[nbdb.BFD](tx)
	if err != nil {
		return nil, err
	}
	for _, b := range all {
		if b.DstIP == nextHop && (out == nil || b.LogicalPort == out.Name) {
			return b, nil
		}
	}
	return nil, nil
}

// ensureBFD returns the UUID of the route's BFD row, made when there is
// none.
func ensureBFD(tx *ovsdb.Tx, session *nbdb.BFD, nextHop string, out *nbdb.LogicalRouterPort) (*string, error) {
	if session != nil {
		u := session.UUID
		return &u, nil
	}
	if out == nil {
		return nil, errorf(ovsdb.ErrInvalid, "insert entry in the BFD table failed")
	}
	u, err := tx.Insert(&nbdb.BFD{DstIP: nextHop, LogicalPort: out.Name})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// RouteFilter selects routes to delete: empty fields match any route.
type RouteFilter struct {
	Prefix, NextHop, OutputPort string
	// Policy is "src-ip", "dst-ip" or "" (any).
	Policy string
	// RouteTable is the route table of the routes ("": the main one).
	RouteTable string
}

// DeleteRoutes deletes a router's static routes that match f; none
// matching is an error unless IfExists. An empty filter is ErrInvalid:
// DeleteAllRoutes deletes them all.
// Equivalent to: ovn-nbctl [--if-exists] [--policy=POLICY] [--route-table=TABLE] lr-route-del ROUTER [PREFIX [NEXTHOP [PORT]]]
func DeleteRoutes(router string, f RouteFilter, options ...Option) ovsdb.Command {
	return deleteRoutes(router, f, false, options)
}

// DeleteAllRoutes deletes every static route of a router.
// Equivalent to: ovn-nbctl lr-route-del ROUTER
func DeleteAllRoutes(router string) ovsdb.Command {
	return deleteRoutes(router, RouteFilter{}, true, nil)
}

func deleteRoutes(router string, f RouteFilter, all bool, options []Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		if f.Policy != "" && f.Policy != "src-ip" && f.Policy != "dst-ip" {
			return errorf(ovsdb.ErrInvalid, "bad policy: %s", f.Policy)
		}
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if !all && f.Prefix == "" && f.NextHop == "" && f.OutputPort == "" && f.Policy == "" {
			return errorf(ovsdb.ErrInvalid, "bad prefix argument: ")
		}
		if all {
			lr.StaticRoutes = nil
			return tx.Update(lr, "static_routes")
		}
		var prefix, nextHop string
		if f.Prefix != "" {
			if prefix = normalizedPrefix(f.Prefix); prefix == "" {
				return errorf(ovsdb.ErrInvalid, "bad prefix argument: %s", f.Prefix)
			}
		}
		if f.NextHop != "" {
			nextHop = f.NextHop
			if nextHop != "discard" {
				if nextHop = normalizedPrefix(f.NextHop); nextHop == "" {
					return errorf(ovsdb.ErrInvalid, "bad nexthop argument: %s", f.NextHop)
				}
			}
		}
		routes, err := lr.StaticRoutesRows(tx)
		if err != nil {
			return err
		}
		var gone, bfdGone []string
		for _, rt := range routes {
			if f.Policy != "" && isSrcRoute(rt) != (f.Policy == "src-ip") {
				continue
			}
			if prefix != "" {
				if p := normalizedPrefix(rt.IPPrefix); p == "" || p != prefix {
					continue
				}
			}
			if nextHop != "" {
				nh := rt.Nexthop
				if nh != "discard" {
					nh = normalizedPrefix(nh)
				}
				if nh == "" || nh != nextHop {
					continue
				}
			}
			if rt.RouteTable != f.RouteTable {
				continue
			}
			if f.OutputPort != "" && (rt.OutputPort == nil || *rt.OutputPort != f.OutputPort) {
				continue
			}
			gone = append(gone, rt.UUID)
			if rt.BFD != nil && !slices.Contains(bfdGone, *rt.BFD) {
				bfdGone = append(bfdGone, *rt.BFD)
				// Its BFD session goes with it.
				if b, err := ovsdb.Get[nbdb.BFD](tx, *rt.BFD); err == nil {
					if err := tx.Delete(b); err != nil {
						return err
					}
				}
			}
		}
		if len(gone) == 0 {
			if o.ifExists {
				return nil
			}
			any := func(s string) string {
				if s == "" {
					return "any"
				}
				return s
			}
			pfx := prefix
			if pfx == "" {
				pfx = "(null)"
			}
			return errorf(ovsdb.ErrNotFound, "no matching route: policy '%s', prefix '%s', nexthop '%s', output_port '%s'.", any(f.Policy), pfx, any(nextHop), any(f.OutputPort))
		}
		return tx.Mutate(lr, ovsdb.Mutation{Column: "static_routes", Mutator: ovsdb.MutateDelete, Value: gone})
	})
}

// Routes returns a router's static routes.
func Routes(tx *ovsdb.Tx, router string) ([]*nbdb.LogicalRouterStaticRoute, error) {
	lr, err := Router(tx, router)
	if err != nil {
		return nil, err
	}
	return lr.StaticRoutesRows(tx)
}

type sortedRoute struct {
	priority int
	addr     netip.Addr
	rt       *nbdb.LogicalRouterStaticRoute
}

func cmpRoutesCoarse(a, b sortedRoute) int {
	if c := strings.Compare(a.rt.RouteTable, b.rt.RouteTable); c != 0 {
		return c
	}
	if a.priority != b.priority {
		return cmp.Compare(b.priority, a.priority)
	}
	return bytes.Compare(a.addr.AsSlice(), b.addr.AsSlice())
}

func cmpRoutes(a, b sortedRoute) int {
	if c := cmpRoutesCoarse(a, b); c != 0 {
		return c
	}
	if c := strings.Compare(a.rt.Nexthop, b.rt.Nexthop); c != 0 {
		return c
	}
	switch {
	case a.rt.OutputPort != nil && b.rt.OutputPort != nil:
		return strings.Compare(*a.rt.OutputPort, *b.rt.OutputPort)
	case a.rt.OutputPort == nil && b.rt.OutputPort == nil:
		return 0
	case a.rt.OutputPort != nil:
		return 1
	}
	return -1
}

// FormatRoutes prints routes as ovn-nbctl lr-route-list does: IPv4 then
// IPv6, longest prefix first, ECMP routes marked.
// Equivalent to: ovn-nbctl lr-route-list ROUTER
func FormatRoutes(routes []*nbdb.LogicalRouterStaticRoute) string {
	var v4, v6 []sortedRoute
	for _, rt := range routes {
		p, ok := parsePrefix(rt.IPPrefix)
		if !ok {
			continue
		}
		pol := "dst-ip"
		if rt.Policy != nil {
			pol = string(*rt.Policy)
		}
		prio := 2 * p.Bits()
		if pol == "dst-ip" {
			prio++
		}
		sr := sortedRoute{prio, p.Addr(), rt}
		if p.Addr().Is4() {
			v4 = append(v4, sr)
		} else {
			v6 = append(v6, sr)
		}
	}
	slices.SortStableFunc(v4, cmpRoutes)
	slices.SortStableFunc(v6, cmpRoutes)
	var b strings.Builder
	print := func(list []sortedRoute) {
		for i, r := range list {
			ecmp := (i < len(list)-1 && cmpRoutesCoarse(r, list[i+1]) == 0) || (i > 0 && cmpRoutesCoarse(r, list[i-1]) == 0)
			if i == 0 || r.rt.RouteTable != list[i-1].rt.RouteTable {
				sep := ""
				if i > 0 {
					sep = "\n"
				}
				table := r.rt.RouteTable
				if table == "" {
					table = "<main>"
				}
				fmt.Fprintf(&b, "%sRoute Table %s:\n", sep, table)
			}
			nh := ""
			switch {
			case r.rt.Nexthop == "discard":
				nh = "discard"
			case r.rt.Nexthop != "":
				nh = normalizedPrefix(r.rt.Nexthop)
			}
			fmt.Fprintf(&b, "%25s %25s", normalizedPrefix(r.rt.IPPrefix), nh)
			pol := "dst-ip"
			if r.rt.Policy != nil {
				pol = string(*r.rt.Policy)
			}
			fmt.Fprintf(&b, " %s", pol)
			if r.rt.OutputPort != nil {
				fmt.Fprintf(&b, " %s", *r.rt.OutputPort)
			}
			if r.rt.ExternalIDs["ic-learned-route"] != "" {
				b.WriteString(" (learned)")
			}
			if ecmp {
				b.WriteString(" ecmp")
			}
			if r.rt.Options["ecmp_symmetric_reply"] == "true" {
				b.WriteString(" ecmp-symmetric-reply")
			}
			if r.rt.BFD != nil {
				b.WriteString(" bfd")
			}
			b.WriteByte('\n')
		}
	}
	if len(v4) > 0 {
		b.WriteString("IPv4 Routes\n")
		print(v4)
	}
	if len(v6) > 0 {
		if len(v4) > 0 {
			b.WriteString("\n")
		}
		b.WriteString("IPv6 Routes\n")
		print(v6)
	}
	return b.String()
}
