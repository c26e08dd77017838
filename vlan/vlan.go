package vlan

import (
	"fmt"
	"slices"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Check returns an error wrapping ovsdb.ErrInvalid unless id is a VLAN ID
// (0 to 4095).
func Check(id int) error {
	if id < 0 || id > 4095 {
		return fmt.Errorf("vlan %d: must be between 0 and 4095: %w", id, ovsdb.ErrInvalid)
	}
	return nil
}

func checkTrunks(ids []int) error {
	seen := map[int]bool{}
	for _, id := range ids {
		if err := Check(id); err != nil {
			return err
		}
		if seen[id] {
			return fmt.Errorf("trunks: vlan %d listed twice: %w", id, ovsdb.ErrInvalid)
		}
		seen[id] = true
	}
	return nil
}

func checkMode(m vswitchdb.PortVLANMode) error {
	switch m {
	case vswitchdb.PortVLANModeAccess, vswitchdb.PortVLANModeTrunk, vswitchdb.PortVLANModeNativeTagged,
		vswitchdb.PortVLANModeNativeUntagged, vswitchdb.PortVLANModeDot1qTunnel:
		return nil
	}
	return fmt.Errorf("vlan mode %q: want access, trunk, native-tagged, native-untagged or dot1q-tunnel: %w", m, ovsdb.ErrInvalid)
}

// Tag makes a new port an access port of VLAN id.
// Equivalent to: ovs-vsctl add-port BR P tag=ID
func Tag(id int) port.Option {
	return port.Column(func(p *vswitchdb.Port) error {
		if err := Check(id); err != nil {
			return err
		}
		p.Tag = &id
		return nil
	})
}

// Trunks makes a new port carry the listed VLANs (none listed: all).
// Equivalent to: ovs-vsctl add-port BR P trunks=ID,ID...
func Trunks(ids ...int) port.Option {
	return port.Column(func(p *vswitchdb.Port) error {
		if err := checkTrunks(ids); err != nil {
			return err
		}
		p.Trunks = slices.Clone(ids)
		return nil
	})
}

// Mode sets a new port's vlan_mode.
// Equivalent to: ovs-vsctl add-port BR P vlan_mode=MODE
func Mode(m vswitchdb.PortVLANMode) port.Option {
	return port.Column(func(p *vswitchdb.Port) error {
		if err := checkMode(m); err != nil {
			return err
		}
		p.VLANMode = &m
		return nil
	})
}

// SetTag makes an existing port an access port of VLAN id.
// Equivalent to: ovs-vsctl set Port P tag=ID
func SetTag(name string, id int) ovsdb.Command {
	return port.Update(name, func(p *vswitchdb.Port) error {
		if err := Check(id); err != nil {
			return err
		}
		p.Tag = &id
		return nil
	}, "tag")
}

// ClearTag removes a port's tag, whatever it is.
// Equivalent to: ovs-vsctl clear Port P tag
func ClearTag(name string) ovsdb.Command {
	return port.Update(name, func(p *vswitchdb.Port) error { p.Tag = nil; return nil }, "tag")
}

// RemoveTag removes a port's tag if it is id (and leaves another tag).
// Equivalent to: ovs-vsctl remove Port P tag ID
func RemoveTag(name string, id int) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if err := Check(id); err != nil {
			return err
		}
		p, err := port.Get(tx, name)
		if err != nil {
			return fmt.Errorf("port %s: %w", name, err)
		}
		if err := tx.Verify(p, "tag"); err != nil {
			return err
		}
		if p.Tag == nil || *p.Tag != id {
			return nil
		}
		p.Tag = nil
		return tx.Update(p, "tag")
	})
}

// SetTrunks replaces the VLANs a port trunks (none: all VLANs).
// Equivalent to: ovs-vsctl set Port P trunks=ID,ID...
func SetTrunks(name string, ids ...int) ovsdb.Command {
	return port.Update(name, func(p *vswitchdb.Port) error {
		if err := checkTrunks(ids); err != nil {
			return err
		}
		p.Trunks = slices.Clone(ids)
		return nil
	}, "trunks")
}

// AddTrunks adds VLANs to those a port trunks, without reading the column
// (concurrent adds do not conflict).
// Equivalent to: ovs-vsctl add Port P trunks ID...
func AddTrunks(name string, ids ...int) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if err := checkTrunks(ids); err != nil {
			return err
		}
		p, err := port.Get(tx, name)
		if err != nil {
			return fmt.Errorf("port %s: %w", name, err)
		}
		return tx.Mutate(p, ovsdb.Insert("trunks", slices.Clone(ids)))
	})
}

// RemoveTrunks removes VLANs from those a port trunks.
// Equivalent to: ovs-vsctl remove Port P trunks ID...
func RemoveTrunks(name string, ids ...int) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		for _, id := range ids {
			if err := Check(id); err != nil {
				return err
			}
		}
		p, err := port.Get(tx, name)
		if err != nil {
			return fmt.Errorf("port %s: %w", name, err)
		}
		return tx.Mutate(p, ovsdb.Delete("trunks", slices.Clone(ids)))
	})
}

// SetMode sets a port's vlan_mode; "" clears it (the default: trunk,
// or access for a tagged port).
// Equivalent to: ovs-vsctl set Port P vlan_mode=MODE
func SetMode(name string, m vswitchdb.PortVLANMode) ovsdb.Command {
	return port.Update(name, func(p *vswitchdb.Port) error {
		if m == "" {
			p.VLANMode = nil
			return nil
		}
		if err := checkMode(m); err != nil {
			return err
		}
		p.VLANMode = &m
		return nil
	}, "vlan_mode")
}

// Config is a port's VLAN configuration.
type Config struct {
	Tag    *int
	Trunks []int
	Mode   vswitchdb.PortVLANMode // "" when unset
}

// Get returns a port's VLAN configuration.
// Equivalent to: ovs-vsctl get Port P tag trunks vlan_mode
func Get(tx *ovsdb.Tx, name string) (*Config, error) {
	p, err := port.Get(tx, name)
	if err != nil {
		return nil, err
	}
	c := &Config{Tag: p.Tag, Trunks: slices.Sorted(slices.Values(p.Trunks))}
	if p.VLANMode != nil {
		c.Mode = *p.VLANMode
	}
	return c, nil
}
