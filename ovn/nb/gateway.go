package nb

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// SetGatewayChassis makes a chassis a gateway of a router port (a
// distributed gateway port), with a priority (0 to 32767; the highest
// alive chassis is active). The Gateway_Chassis row is named PORT-CHASSIS;
// setting it again changes its priority.
// Equivalent to: ovn-nbctl lrp-set-gateway-chassis PORT CHASSIS [PRIORITY]
func SetGatewayChassis(port, chassis string, priority int) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lrp, err := RouterPort(tx, port)
		if err != nil {
			return err
		}
		if err := checkPriority(priority); err != nil {
			return err
		}
		name := port + "-" + chassis
		gc, err := portByNameOrUUID[nbdb.GatewayChassis](tx, name, false)
		if err != nil {
			return err
		}
		u := ""
		if gc == nil {
			if u, err = tx.Insert(&nbdb.GatewayChassis{Name: name, ChassisName: chassis, Priority: priority}); err != nil {
				return err
			}
		} else {
			gc.Priority = priority
			if err := tx.Update(gc, "priority"); err != nil {
				return err
			}
			u = gc.UUID
		}
		return tx.Mutate(lrp, ovsdb.Mutation{Column: "gateway_chassis", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// DeleteGatewayChassis removes a chassis from a router port's gateways
// (ovn-nbctl matches a gateway whose chassis name begins the given one).
// Equivalent to: ovn-nbctl lrp-del-gateway-chassis PORT CHASSIS
func DeleteGatewayChassis(port, chassis string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lrp, err := RouterPort(tx, port)
		if err != nil {
			return err
		}
		gcs, err := lrp.GatewayChassisRows(tx)
		if err != nil {
			return err
		}
		for _, gc := range gcs {
			if strings.HasPrefix(chassis, gc.ChassisName) {
				return tx.Mutate(lrp, ovsdb.Mutation{Column: "gateway_chassis", Mutator: ovsdb.MutateDelete, Value: []string{gc.UUID}})
			}
		}
		return errorf(ovsdb.ErrNotFound, "chassis %s is not added to logical port %s", chassis, port)
	})
}

// GatewayChassis returns a router port's gateways, highest priority first.
func GatewayChassis(tx *ovsdb.Tx, port string) ([]*nbdb.GatewayChassis, error) {
	lrp, err := RouterPort(tx, port)
	if err != nil {
		return nil, err
	}
	gcs, err := lrp.GatewayChassisRows(tx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(gcs, func(a, b *nbdb.GatewayChassis) int {
		if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
			return c
		}
		return strings.Compare(b.Name, a.Name)
	})
	return gcs, nil
}

// FormatGatewayChassis prints gateways as ovn-nbctl lrp-get-gateway-chassis
// does.
// Equivalent to: ovn-nbctl lrp-get-gateway-chassis PORT
func FormatGatewayChassis(gcs []*nbdb.GatewayChassis) string {
	var b strings.Builder
	for _, gc := range gcs {
		fmt.Fprintf(&b, "%s %5d\n", gc.Name, gc.Priority)
	}
	return b.String()
}
