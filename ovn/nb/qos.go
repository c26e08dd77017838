package nb

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// QoS is a switch's QoS rule, as qos-add takes it: traffic of a direction
// that matches is marked with a DSCP value and/or policed to a rate.
type QoS struct {
	// Direction is "to-lport" or "from-lport" (its first letter is
	// enough).
	Direction string
	// Priority is 0 to 32767.
	Priority int
	// Match is the rule's match expression.
	Match string
	// DSCP, 0 to 63, marks the packets (nil: not marked).
	DSCP *int
	// Rate (kbps) and Burst (kb), 1 to 4294967295 each, police the
	// traffic (0: not policed; Burst needs Rate).
	Rate, Burst int64
}

// cmpQoS orders QoS rules as ovn-nbctl does: from-lport first, higher
// priority first, then by match.
func cmpQoS(a, b *nbdb.QoS) int {
	if a.Direction != b.Direction {
		if a.Direction == nbdb.QoSDirectionFromLport {
			return -1
		}
		return 1
	}
	if a.Priority != b.Priority {
		return cmp.Compare(b.Priority, a.Priority)
	}
	return strings.Compare(a.Match, b.Match)
}

// AddQoS adds a QoS rule to a switch; one of the same direction, priority
// and match is an error (ErrExists) unless MayExist.
// Equivalent to: ovn-nbctl [--may-exist] qos-add SWITCH DIRECTION PRIORITY MATCH [rate=RATE [burst=BURST]] [dscp=DSCP]
func AddQoS(sw string, q QoS, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		dir, err := parseDirection(q.Direction)
		if err != nil {
			return err
		}
		if err := checkPriority(q.Priority); err != nil {
			return err
		}
		ls, err := Switch(tx, sw)
		if err != nil {
			return err
		}
		row := &nbdb.QoS{Direction: nbdb.QoSDirection(dir), Priority: q.Priority, Match: q.Match}
		if q.DSCP != nil {
			if *q.DSCP < 0 || *q.DSCP > 63 {
				return errorf(ovsdb.ErrInvalid, "%d: dscp must be in the range 0...63", *q.DSCP)
			}
			row.Action = map[nbdb.QoSAction]int{nbdb.QoSActionDSCP: *q.DSCP}
		}
		if q.Rate != 0 && (q.Rate < 1 || q.Rate > 4294967295) {
			return errorf(ovsdb.ErrInvalid, "%d: rate must be in the range 1...4294967295", q.Rate)
		}
		if q.Burst != 0 && (q.Burst < 1 || q.Burst > 4294967295) {
			return errorf(ovsdb.ErrInvalid, "%d: burst must be in the range 1...4294967295", q.Burst)
		}
		if q.DSCP == nil && q.Rate == 0 {
			return errorf(ovsdb.ErrInvalid, "Either \"rate\" and/or \"dscp\" must be specified")
		}
		if q.Rate != 0 {
			row.Bandwidth = map[nbdb.QoSBandwidth]int{nbdb.QoSBandwidthRate: int(q.Rate)}
			if q.Burst != 0 {
				row.Bandwidth[nbdb.QoSBandwidthBurst] = int(q.Burst)
			}
		}
		rules, err := ls.QoSRulesRows(tx)
		if err != nil {
			return err
		}
		for _, old := range rules {
			if cmpQoS(old, row) == 0 {
				if o.mayExist {
					return nil
				}
				return errorf(ovsdb.ErrExists, "Same qos already existed on the ls %s.", sw)
			}
		}
		// None equal: the commit verifies the set this rests on.
		if err := tx.Verify(ls, "qos_rules"); err != nil {
			return err
		}
		u, err := tx.Insert(row)
		if err != nil {
			return err
		}
		return tx.Mutate(ls, ovsdb.Mutation{Column: "qos_rules", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// QoSFilter selects a switch's QoS rules to delete: a rule by UUID, or
// those of a direction, or the one of a direction, priority and match.
type QoSFilter struct {
	UUID      string
	Direction string
	// Priority and Match, both or neither, narrow Direction to one rule.
	Priority *int
	Match    string
}

// DeleteQoS deletes the switch's QoS rules that f selects: a UUID the
// switch does not have is ErrNotFound. An empty filter deletes them all.
// Equivalent to: ovn-nbctl qos-del SWITCH [{DIRECTION [PRIORITY MATCH] | UUID}]
func DeleteQoS(sw string, f QoSFilter) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		ls, err := Switch(tx, sw)
		if err != nil {
			return err
		}
		if f == (QoSFilter{}) {
			if err := tx.Verify(ls, "qos_rules"); err != nil {
				return err
			}
			ls.QoSRules = nil
			return tx.Update(ls, "qos_rules")
		}
		rules, err := ls.QoSRulesRows(tx)
		if err != nil {
			return err
		}
		var gone []string
		if f.UUID != "" {
			if f.Direction != "" || f.Priority != nil {
				return errorf(ovsdb.ErrInvalid, "uuid must be the only argument")
			}
			u := strings.ToLower(f.UUID)
			if !slices.ContainsFunc(rules, func(r *nbdb.QoS) bool { return r.UUID == u }) {
				return errorf(ovsdb.ErrNotFound, "uuid is not found")
			}
			gone = []string{u}
		} else {
			dir, err := parseDirection(f.Direction)
			if err != nil {
				return err
			}
			for _, r := range rules {
				if string(r.Direction) != dir {
					continue
				}
				if f.Priority != nil && (r.Priority != *f.Priority || r.Match != f.Match) {
					continue
				}
				gone = append(gone, r.UUID)
				if f.Priority != nil {
					break
				}
			}
		}
		if len(gone) == 0 {
			return nil
		}
		return tx.Mutate(ls, ovsdb.Mutation{Column: "qos_rules", Mutator: ovsdb.MutateDelete, Value: gone})
	})
}

// QoSRules returns a switch's QoS rules in ovn-nbctl's order.
// Equivalent to: ovn-nbctl qos-list SWITCH
func QoSRules(tx *ovsdb.Tx, sw string) ([]*nbdb.QoS, error) {
	ls, err := Switch(tx, sw)
	if err != nil {
		return nil, err
	}
	rules, err := ls.QoSRulesRows(tx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rules, cmpQoS)
	return rules, nil
}
