// Package sb reads the OVN_Southbound state an agent waits on, typed:
// whether a chassis has registered, where a logical port is bound, and
// whether it is up. Dial the Southbound database with
// ovsdb.WithDatabase(sbdb.Database()).
package sb

import (
	"context"
	"fmt"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// Chassis returns the chassis named name (its system-id).
// Equivalent to: ovn-sbctl find Chassis name=NAME
func Chassis(tx *ovsdb.Tx, name string) (*sbdb.Chassis, error) {
	return ovsdb.Lookup[sbdb.Chassis](tx, "name", name)
}

// WaitChassis waits until the chassis has registered.
func WaitChassis(ctx context.Context, c *ovsdb.Client, name string) (*sbdb.Chassis, error) {
	ch, err := ovsdb.WaitUntil(ctx, c, func(ch *sbdb.Chassis) bool { return ch.Name == name })
	if err != nil {
		return nil, fmt.Errorf("chassis %s to register: %w", name, err)
	}
	return ch, nil
}

// PortBinding returns the binding of a logical port.
// Equivalent to: ovn-sbctl find Port_Binding logical_port=PORT
func PortBinding(tx *ovsdb.Tx, logicalPort string) (*sbdb.PortBinding, error) {
	return ovsdb.Lookup[sbdb.PortBinding](tx, "logical_port", logicalPort)
}

// Binding is where a logical port runs.
type Binding struct {
	// Chassis is the name of the chassis that claimed the port.
	Chassis string
	// Up reports whether ovn-controller has set the port up.
	Up bool
}

// WaitPortUp waits until a chassis has claimed the logical port and set it
// up (the moment a VM's port carries traffic), and returns the binding.
// Equivalent to: ovn-nbctl wait-until Logical_Switch_Port PORT up=true
func WaitPortUp(ctx context.Context, c *ovsdb.Client, logicalPort string) (Binding, error) {
	pb, err := ovsdb.WaitUntil(ctx, c, func(pb *sbdb.PortBinding) bool {
		return pb.LogicalPort == logicalPort && pb.Chassis != nil && pb.Up != nil && *pb.Up
	})
	if err != nil {
		return Binding{}, fmt.Errorf("port %s to be up: %w", logicalPort, err)
	}
	var b Binding
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		ch, err := ovsdb.Get[sbdb.Chassis](tx, *pb.Chassis)
		if err != nil {
			return err
		}
		b = Binding{Chassis: ch.Name, Up: true}
		return nil
	})
	return b, err
}
