package nb

import (
	"cmp"
	"slices"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// HAChassisGroup is a group of chassis that host a gateway or an
// external port in turn: the one of highest priority that is alive.
type HAChassisGroup struct {
	UUID, Name string
	// Chassis, highest priority first.
	Chassis []HAChassis
}

// HAChassis is a chassis of an HA chassis group.
type HAChassis struct {
	UUID, Name string
	Priority   int
}

// FindHAChassisGroup finds an HA chassis group by UUID or name.
func FindHAChassisGroup(tx *ovsdb.Tx, id string) (*nbdb.HAChassisGroup, error) {
	g, isUUID, err := firstNamed(tx, id, func(g *nbdb.HAChassisGroup) string { return g.Name })
	if err == nil && g == nil {
		err = notFound(id, "ha_chassi_group", isUUID)
	}
	return g, err
}

// AddHAChassisGroup creates an HA chassis group (the schema refuses a
// second of a name).
// Equivalent to: ovn-nbctl ha-chassis-group-add GROUP
func AddHAChassisGroup(name string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&nbdb.HAChassisGroup{Name: name})
		return err
	})
}

// DeleteHAChassisGroup deletes an HA chassis group.
// Equivalent to: ovn-nbctl ha-chassis-group-del GROUP
func DeleteHAChassisGroup(id string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := FindHAChassisGroup(tx, id)
		if err != nil {
			return err
		}
		return tx.Delete(g)
	})
}

// haChassis finds a group's chassis by name (nil when none).
func haChassis(tx *ovsdb.Tx, g *nbdb.HAChassisGroup, chassis string) (*nbdb.HAChassis, error) {
	members, err := g.HAChassisRows(tx)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if m.ChassisName == chassis {
			return m, nil
		}
	}
	return nil, nil
}

// SetHAChassis adds a chassis to an HA chassis group with a priority (0
// to 32767), or sets the priority of one it has.
// Equivalent to: ovn-nbctl ha-chassis-group-add-chassis GROUP CHASSIS PRIORITY
func SetHAChassis(group, chassis string, priority int) ovsdb.Command {
	return setHAChassis(group, chassis, priority, true)
}

// SetHAChassisPriority sets the priority of a chassis of an HA chassis
// group; one the group does not have is ErrNotFound.
// Equivalent to: ovn-nbctl ha-chassis-group-set-chassis-prio GROUP CHASSIS PRIORITY
func SetHAChassisPriority(group, chassis string, priority int) ovsdb.Command {
	return setHAChassis(group, chassis, priority, false)
}

func setHAChassis(group, chassis string, priority int, add bool) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := FindHAChassisGroup(tx, group)
		if err != nil {
			return err
		}
		if err := checkPriority(priority); err != nil {
			return err
		}
		m, err := haChassis(tx, g, chassis)
		switch {
		case err != nil:
			return err
		case m != nil:
			m.Priority = priority
			return tx.Update(m, "priority")
		case !add:
			return errorf(ovsdb.ErrNotFound, "%s: ha chassis not found in %s ha chassis group", chassis, group)
		}
		u, err := tx.Insert(&nbdb.HAChassis{ChassisName: chassis, Priority: priority})
		if err != nil {
			return err
		}
		return tx.Mutate(g, ovsdb.Mutation{Column: "ha_chassis", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// RemoveHAChassis removes a chassis from an HA chassis group; one the
// group does not have is ErrNotFound.
// Equivalent to: ovn-nbctl ha-chassis-group-remove-chassis GROUP CHASSIS
func RemoveHAChassis(group, chassis string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := FindHAChassisGroup(tx, group)
		if err != nil {
			return err
		}
		m, err := haChassis(tx, g, chassis)
		if err != nil {
			return err
		}
		if m == nil {
			return errorf(ovsdb.ErrNotFound, "%s: ha chassis not found in %s ha chassis group", chassis, group)
		}
		if err := tx.Mutate(g, ovsdb.Mutation{Column: "ha_chassis", Mutator: ovsdb.MutateDelete, Value: []string{m.UUID}}); err != nil {
			return err
		}
		return tx.Delete(m)
	})
}

// HAChassisGroups returns the HA chassis groups, by name.
// Equivalent to: ovn-nbctl ha-chassis-group-list
func HAChassisGroups(tx *ovsdb.Tx) ([]HAChassisGroup, error) {
	all, err := ovsdb.List[nbdb.HAChassisGroup](tx)
	if err != nil {
		return nil, err
	}
	out := make([]HAChassisGroup, 0, len(all))
	for _, g := range all {
		members, err := g.HAChassisRows(tx)
		if err != nil {
			return nil, err
		}
		hg := HAChassisGroup{UUID: g.UUID, Name: g.Name}
		for _, m := range members {
			hg.Chassis = append(hg.Chassis, HAChassis{UUID: m.UUID, Name: m.ChassisName, Priority: m.Priority})
		}
		slices.SortStableFunc(hg.Chassis, func(a, b HAChassis) int {
			return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.Name, b.Name))
		})
		out = append(out, hg)
	}
	slices.SortStableFunc(out, func(a, b HAChassisGroup) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}
