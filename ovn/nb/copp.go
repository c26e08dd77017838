package nb

import (
	"maps"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// CoppProtocols returns the control protocols a control plane
// protection (CoPP) policy meters, as OVN 23.03 names them.
func CoppProtocols() []string {
	return []string{"arp", "arp-resolve", "dhcpv4-opts", "dhcpv6-opts", "dns", "event-elb", "icmp4-error",
		"icmp6-error", "igmp", "nd-na", "nd-ns", "nd-ns-resolve", "nd-ra-opts", "tcp-reset", "reject", "svc-monitor", "bfd"}
}

func checkCoppProtocol(proto string) error {
	if slices.Contains(CoppProtocols(), proto) {
		return nil
	}
	return errorf(ovsdb.ErrInvalid, "Invalid control protocol. Allowed values: %s.", strings.Join(CoppProtocols(), ", "))
}

// copp finds a CoPP policy by UUID or name; nil when none and !mustExist.
func copp(tx *ovsdb.Tx, id string, mustExist bool) (*nbdb.Copp, error) {
	c, isUUID, err := firstNamed(tx, id, func(c *nbdb.Copp) string { return c.Name })
	if err == nil && c == nil && mustExist {
		err = notFound(id, "copp", isUUID)
	}
	return c, err
}

// AddCopp meters a control protocol's packets with a meter in a CoPP
// policy (made when there is none of the name), replacing the protocol's
// meter if it had one.
// Equivalent to: ovn-nbctl copp-add NAME PROTO METER
func AddCopp(name, proto, meter string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if err := checkCoppProtocol(proto); err != nil {
			return err
		}
		isUUID := uuidRE.MatchString(name)
		c, err := copp(tx, name, isUUID)
		if err != nil {
			return err
		}
		if c == nil {
			// None of the name: the commit verifies there still is none.
			if err := tx.VerifyNone(nbdb.TableCopp, "name", name); err != nil {
				return err
			}
			_, err := tx.Insert(&nbdb.Copp{Name: name, Meters: map[string]string{proto: meter}})
			return err
		}
		c.Meters = maps.Clone(c.Meters)
		if c.Meters == nil {
			c.Meters = map[string]string{}
		}
		c.Meters[proto] = meter
		return tx.Update(c, "meters")
	})
}

// DeleteCopp deletes a CoPP policy; none of the name is not an error.
// Equivalent to: ovn-nbctl copp-del NAME
func DeleteCopp(name string) ovsdb.Command { return deleteCopp(name, nil) }

// DeleteCoppMeter removes a protocol's meter from a CoPP policy; a policy
// left without any is deleted. None of the name is not an error.
// Equivalent to: ovn-nbctl copp-del NAME PROTO
func DeleteCoppMeter(name, proto string) ovsdb.Command { return deleteCopp(name, &proto) }

func deleteCopp(name string, proto *string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if proto != nil {
			if err := checkCoppProtocol(*proto); err != nil {
				return err
			}
		}
		c, err := copp(tx, name, false)
		if err != nil || c == nil {
			return err
		}
		if proto != nil {
			c.Meters = maps.Clone(c.Meters)
			delete(c.Meters, *proto)
			if len(c.Meters) > 0 {
				return tx.Update(c, "meters")
			}
		}
		return tx.Delete(c)
	})
}

// CoppMeters returns the meters of a CoPP policy by protocol (nil when
// there is no policy of the name).
// Equivalent to: ovn-nbctl copp-list NAME
func CoppMeters(tx *ovsdb.Tx, name string) (map[string]string, error) {
	c, err := copp(tx, name, false)
	if err != nil || c == nil {
		return nil, err
	}
	return maps.Clone(c.Meters), nil
}

// SetSwitchCopp applies a CoPP policy to a switch.
// Equivalent to: ovn-nbctl ls-copp-add NAME SWITCH
func SetSwitchCopp(name, sw string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		ls, err := Switch(tx, sw)
		if err != nil {
			return err
		}
		if ls.Copp, err = coppRef(tx, name); err != nil {
			return err
		}
		return tx.Update(ls, "copp")
	})
}

// SetRouterCopp applies a CoPP policy to a router.
// Equivalent to: ovn-nbctl lr-copp-add NAME ROUTER
func SetRouterCopp(name, router string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if lr.Copp, err = coppRef(tx, name); err != nil {
			return err
		}
		return tx.Update(lr, "copp")
	})
}

// coppRef is a reference to the CoPP policy of a name, which must exist.
func coppRef(tx *ovsdb.Tx, name string) (*string, error) {
	c, err := copp(tx, name, true)
	if err != nil {
		return nil, err
	}
	u := c.UUID
	return &u, nil
}
