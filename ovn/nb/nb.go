package nb

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// Error is an ovn-nbctl error: its text is ovn-nbctl's, word for word, and
// it wraps the sentinel that classifies it (ovsdb.ErrNotFound,
// ovsdb.ErrExists, ovsdb.ErrInvalid) for errors.Is.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func errorf(sentinel error, format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// Item is a row as ovn-nbctl lists it: "UUID (name)".
type Item struct {
	UUID, Name string
}

func (i Item) String() string { return i.UUID + " (" + i.Name + ")" }

// sortedItems lists rows as Items, ordered by name as ovn-nbctl's lists
// are.
func sortedItems[PT ovsdb.Model](rows []PT, name func(PT) string) []Item {
	items := make([]Item, len(rows))
	for i, r := range rows {
		items[i] = Item{r.OVSDBUUID(), name(r)}
	}
	slices.SortStableFunc(items, func(a, b Item) int { return cmp.Compare(a.Name, b.Name) })
	return items
}

// Option modifies an add or delete command.
type Option func(*opts) error

type opts struct {
	mayExist, addDuplicate, ifExists bool
	parent                           string
	tag                              int
	hasParent                        bool
	settings                         []string
}

// MayExist makes an add succeed without change when the object exists
// already (as ovn-nbctl --may-exist).
func MayExist() Option { return func(o *opts) error { o.mayExist = true; return nil } }

// AddDuplicate adds a switch or router even when one has the name already
// (as ovn-nbctl --add-duplicate).
func AddDuplicate() Option { return func(o *opts) error { o.addDuplicate = true; return nil } }

// IfExists makes a delete of a missing object succeed (as ovn-nbctl
// --if-exists).
func IfExists() Option { return func(o *opts) error { o.ifExists = true; return nil } }

// WithParent makes a switch port a child of parent (a container's port in
// a VM), with its VLAN tag (0 to 4095).
func WithParent(parent string, tag int) Option {
	return func(o *opts) error { o.parent, o.tag, o.hasParent = parent, tag, true; return nil }
}

func build(options []Option) (opts, error) {
	var o opts
	for _, f := range options {
		if err := f(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// uuidRE matches a UUID as ovn-nbctl recognises one.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// uuidByNameOrUUID finds the row id names: by UUID first, then by name
// (several with the name: an error). The lookup is verified at commit (a
// row renamed or deleted meanwhile makes the transaction run again), and
// copies nothing. kind is "switch", "router", ...
func uuidByNameOrUUID[T any, PT interface {
	*T
	ovsdb.Model
}](tx *ovsdb.Tx, id string, mustExist bool, kind, plural string) (string, error) {
	isUUID := uuidRE.MatchString(id)
	if isUUID {
		u := strings.ToLower(id)
		if _, err := ovsdb.Get[T, PT](tx, u); err == nil {
			return u, nil
		} else if !errors.Is(err, ovsdb.ErrNotFound) {
			return "", err
		}
	}
	u, err := ovsdb.LookupUUID[T, PT](tx, "name", id)
	switch {
	case err == nil:
		return u, nil
	case errors.Is(err, ovsdb.ErrNotFound):
		if !mustExist {
			return "", nil
		}
		how := "name"
		if isUUID {
			how = "UUID"
		}
		return "", errorf(ovsdb.ErrNotFound, "%s: %s %s not found", id, kind, how)
	case errors.Is(err, ovsdb.ErrInvalid):
		return "", errorf(ovsdb.ErrInvalid, "Multiple logical %s named '%s'.  Use a UUID.", plural, id)
	}
	return "", err
}

// byNameOrUUID is uuidByNameOrUUID's row (a copy), or nil.
func byNameOrUUID[T any, PT interface {
	*T
	ovsdb.Model
}](tx *ovsdb.Tx, id string, mustExist bool, kind, plural string) (PT, error) {
	u, err := uuidByNameOrUUID[T, PT](tx, id, mustExist, kind, plural)
	if err != nil || u == "" {
		return nil, err
	}
	return ovsdb.Get[T, PT](tx, u)
}

// Switch finds a logical switch by name or UUID.
func Switch(tx *ovsdb.Tx, id string) (*nbdb.LogicalSwitch, error) {
	return findSwitch(tx, id, true)
}

func findSwitch(tx *ovsdb.Tx, id string, mustExist bool) (*nbdb.LogicalSwitch, error) {
	return byNameOrUUID[nbdb.LogicalSwitch](tx, id, mustExist, "switch", "switches")
}

// Router finds a logical router by name or UUID.
func Router(tx *ovsdb.Tx, id string) (*nbdb.LogicalRouter, error) {
	return findRouter(tx, id, true)
}

func findRouter(tx *ovsdb.Tx, id string, mustExist bool) (*nbdb.LogicalRouter, error) {
	return byNameOrUUID[nbdb.LogicalRouter](tx, id, mustExist, "router", "routers")
}

// portByNameOrUUID finds a switch or router port: by UUID, then by its
// (unique) name.
func portByNameOrUUID[T any, PT interface {
	*T
	ovsdb.Model
}](tx *ovsdb.Tx, id string, mustExist bool) (PT, error) {
	isUUID := uuidRE.MatchString(id)
	if isUUID {
		if r, err := ovsdb.Get[T, PT](tx, strings.ToLower(id)); err == nil {
			return r, nil
		} else if !errors.Is(err, ovsdb.ErrNotFound) {
			return nil, err
		}
	}
	r, err := ovsdb.Lookup[T, PT](tx, "name", id)
	if errors.Is(err, ovsdb.ErrNotFound) {
		if !mustExist {
			return nil, nil
		}
		how := "name"
		if isUUID {
			how = "UUID"
		}
		return nil, errorf(ovsdb.ErrNotFound, "%s: port %s not found", id, how)
	}
	return r, err
}

// SwitchPort finds a logical switch port by name or UUID.
func SwitchPort(tx *ovsdb.Tx, id string) (*nbdb.LogicalSwitchPort, error) {
	return portByNameOrUUID[nbdb.LogicalSwitchPort](tx, id, true)
}

// RouterPort finds a logical router port by name or UUID.
func RouterPort(tx *ovsdb.Tx, id string) (*nbdb.LogicalRouterPort, error) {
	return portByNameOrUUID[nbdb.LogicalRouterPort](tx, id, true)
}

// switchOf returns the switch that holds the port.
func switchOf(tx *ovsdb.Tx, lsp *nbdb.LogicalSwitchPort) (*nbdb.LogicalSwitch, error) {
	all, err := ovsdb.List[nbdb.LogicalSwitch](tx)
	if err != nil {
		return nil, err
	}
	for _, ls := range all {
		if slices.Contains(ls.Ports, lsp.UUID) {
			return ls, nil
		}
	}
	return nil, errorf(ovsdb.ErrNotFound, "logical port %s is not part of any logical switch", lsp.Name)
}

// routerOf returns the router that holds the port.
func routerOf(tx *ovsdb.Tx, lrp *nbdb.LogicalRouterPort) (*nbdb.LogicalRouter, error) {
	all, err := ovsdb.List[nbdb.LogicalRouter](tx)
	if err != nil {
		return nil, err
	}
	for _, lr := range all {
		if slices.Contains(lr.Ports, lrp.UUID) {
			return lr, nil
		}
	}
	return nil, errorf(ovsdb.ErrNotFound, "port %s is not part of any logical router", lrp.Name)
}

// nameOrUUID is a row's name, or its UUID when it has none.
func nameOrUUID(name, uuid string) string {
	if name != "" {
		return name
	}
	return uuid
}

// AddSwitch creates a logical switch; an empty name makes an unnamed one.
// Options: MayExist, AddDuplicate.
// Equivalent to: ovn-nbctl [--may-exist|--add-duplicate] ls-add [NAME]
func AddSwitch(name string, options ...Option) ovsdb.Command {
	return addNamed(name, options, "switch", &nbdb.LogicalSwitch{Name: name})
}

// addNamed inserts row (a switch or router named name) under ovn-nbctl's
// rules for names: the lookup of an existing one is verified at commit, so
// that two concurrent adds of one name cannot both succeed.
func addNamed[PT ovsdb.Model](name string, options []Option, kind string, row PT) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		err = addCheck(name, o, kind, func() (bool, error) {
			_, err := lookupName(tx, row, name)
			switch {
			case err == nil, errors.Is(err, ovsdb.ErrInvalid):
				return true, nil // one, or several, have the name
			case errors.Is(err, ovsdb.ErrNotFound):
				return false, nil
			}
			return false, err
		})
		if err != nil {
			return ignoreExists(err)
		}
		_, err = tx.Insert(row.OVSDBClone())
		return err
	})
}

// lookupName is ovsdb.LookupUUID by name for the table of row.
func lookupName(tx *ovsdb.Tx, row ovsdb.Model, name string) (string, error) {
	switch row.(type) {
	case *nbdb.LogicalSwitch:
		return ovsdb.LookupUUID[nbdb.LogicalSwitch](tx, "name", name)
	case *nbdb.LogicalRouter:
		return ovsdb.LookupUUID[nbdb.LogicalRouter](tx, "name", name)
	}
	return "", fmt.Errorf("%s: %w", row.Table(), ovsdb.ErrUnknownTable)
}

// errMayExist marks "exists already, and --may-exist": nothing to do.
var errMayExist = errors.New("exists, may exist")

// ignoreExists turns errMayExist into success.
func ignoreExists(err error) error {
	if errors.Is(err, errMayExist) {
		return nil
	}
	return err
}

// addCheck applies ovn-nbctl's rules for adding a named switch or router;
// exists says whether one has the name already.
func addCheck(name string, o opts, kind string, exists func() (bool, error)) error {
	if o.mayExist && o.addDuplicate {
		return errorf(ovsdb.ErrInvalid, "--may-exist and --add-duplicate may not be used together")
	}
	if name == "" {
		switch {
		case o.mayExist:
			return errorf(ovsdb.ErrInvalid, "--may-exist requires specifying a name")
		case o.addDuplicate:
			return errorf(ovsdb.ErrInvalid, "--add-duplicate requires specifying a name")
		}
		return nil
	}
	if o.addDuplicate {
		return nil
	}
	found, err := exists()
	if err != nil {
		return err
	}
	if found {
		if o.mayExist {
			return errMayExist
		}
		return errorf(ovsdb.ErrExists, "%s: a %s with this name already exists", name, kind)
	}
	return nil
}

// DeleteSwitch deletes a logical switch and its ports. Option: IfExists.
// Equivalent to: ovn-nbctl [--if-exists] ls-del SWITCH
func DeleteSwitch(id string, options ...Option) ovsdb.Command {
	return deleteNamed[nbdb.LogicalSwitch](id, options, "switch", "switches")
}

// deleteNamed deletes the switch or router id names (its ports go with it).
func deleteNamed[T any, PT interface {
	*T
	ovsdb.Model
}](id string, options []Option, kind, plural string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		row, err := byNameOrUUID[T, PT](tx, id, !o.ifExists, kind, plural)
		if err != nil || row == nil {
			return err
		}
		return tx.Delete(row)
	})
}

// ListSwitches lists the logical switches, by name.
// Equivalent to: ovn-nbctl ls-list
func ListSwitches(tx *ovsdb.Tx) ([]Item, error) {
	all, err := ovsdb.List[nbdb.LogicalSwitch](tx)
	return sortedItems(all, func(r *nbdb.LogicalSwitch) string { return r.Name }), err
}

// AddSwitchPort adds a port to a logical switch. Options: MayExist,
// WithParent.
// Equivalent to: ovn-nbctl [--may-exist] lsp-add SWITCH PORT [PARENT TAG]
func AddSwitchPort(sw, name string, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		lsUUID, err := uuidByNameOrUUID[nbdb.LogicalSwitch](tx, sw, true, "switch", "switches")
		if err != nil {
			return err
		}
		if o.hasParent && (o.tag < 0 || o.tag > 4095) {
			return errorf(ovsdb.ErrInvalid, "%d: invalid tag (must be in range 0 to 4095)", o.tag)
		}
		lsp, err := portByNameOrUUID[nbdb.LogicalSwitchPort](tx, name, false)
		if err != nil {
			return err
		}
		if lsp != nil {
			if !o.mayExist {
				return errorf(ovsdb.ErrExists, "%s: a port with this name already exists", name)
			}
			in, err := switchOf(tx, lsp)
			if err != nil {
				return err
			}
			if in.UUID != lsUUID {
				return errorf(ovsdb.ErrExists, "%s: port already exists but in switch %s", name, nameOrUUID(in.Name, in.UUID))
			}
			switch {
			case o.hasParent && lsp.ParentName == nil:
				return errorf(ovsdb.ErrExists, "%s: port already exists but has no parent", name)
			case o.hasParent && *lsp.ParentName != o.parent:
				return errorf(ovsdb.ErrExists, "%s: port already exists with different parent %s", name, *lsp.ParentName)
			case o.hasParent && lsp.TagRequest == nil:
				return errorf(ovsdb.ErrExists, "%s: port already exists but has no tag_request", name)
			case o.hasParent && *lsp.TagRequest != o.tag:
				return errorf(ovsdb.ErrExists, "%s: port already exists with different tag_request %d", name, *lsp.TagRequest)
			case !o.hasParent && lsp.ParentName != nil:
				return errorf(ovsdb.ErrExists, "%s: port already exists but has parent %s", name, *lsp.ParentName)
			}
			return nil
		}
		row := &nbdb.LogicalSwitchPort{Name: name}
		if o.hasParent {
			parent, tag := o.parent, o.tag
			row.ParentName, row.TagRequest = &parent, &tag
		}
		u, err := tx.Insert(row)
		if err != nil {
			return err
		}
		// A mutation: concurrent adds to the switch do not conflict.
		return tx.Mutate(&nbdb.LogicalSwitch{UUID: lsUUID}, ovsdb.Mutation{Column: "ports", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// DeleteSwitchPort removes a port from its switch. Option: IfExists.
// Equivalent to: ovn-nbctl [--if-exists] lsp-del PORT
func DeleteSwitchPort(id string, options ...Option) ovsdb.Command {
	return deletePort(id, options, switchOf)
}

// deletePort removes a switch or router port from the row that holds it
// (owner): unreferenced, the port is garbage-collected, as ovn-nbctl has
// it.
func deletePort[T any, PT interface {
	*T
	ovsdb.Model
}, O ovsdb.Model](id string, options []Option, owner func(*ovsdb.Tx, PT) (O, error)) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		port, err := portByNameOrUUID[T, PT](tx, id, !o.ifExists)
		if err != nil || port == nil {
			return err
		}
		holder, err := owner(tx, port)
		if err != nil {
			return err
		}
		if err := tx.Mutate(holder, ovsdb.Mutation{Column: "ports", Mutator: ovsdb.MutateDelete, Value: []string{port.OVSDBUUID()}}); err != nil {
			return err
		}
		// Unreferenced, the server removes the port; deleted here too,
		// the later commands of the transaction no longer see it (a
		// port of the same name can be added again), as ovn-nbctl's.
		return tx.Delete(port)
	})
}

// ListSwitchPorts lists a switch's ports, by name.
// Equivalent to: ovn-nbctl lsp-list SWITCH
func ListSwitchPorts(tx *ovsdb.Tx, sw string) ([]Item, error) {
	ls, err := Switch(tx, sw)
	if err != nil {
		return nil, err
	}
	ports, err := ls.PortsRows(tx)
	return sortedItems(ports, func(r *nbdb.LogicalSwitchPort) string { return r.Name }), err
}

// SwitchOfPort returns the switch that holds a port.
// Equivalent to: ovn-nbctl lsp-get-ls PORT
func SwitchOfPort(tx *ovsdb.Tx, port string) (Item, error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil {
		return Item{}, err
	}
	ls, err := switchOf(tx, lsp)
	if err != nil {
		return Item{}, err
	}
	return Item{ls.UUID, ls.Name}, nil
}

// macPrefixRE matches what ovn-nbctl's scan of an Ethernet address
// accepts at the start of an address.
var macPrefixRE = regexp.MustCompile(`^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}`)

// validAddress reports whether ovn-nbctl lsp-set-addresses accepts a:
// unknown, dynamic, router, a MAC followed by IPs, or "dynamic" followed
// by an IP.
func validAddress(a string) bool {
	switch a {
	case "unknown", "dynamic", "router":
		return true
	}
	if macPrefixRE.MatchString(a) {
		return true
	}
	if rest, ok := strings.CutPrefix(a, "dynamic "); ok {
		f := strings.Fields(rest)
		if len(f) > 0 {
			if _, err := netip.ParseAddr(f[0]); err == nil {
				return true
			}
		}
	}
	return false
}

// lspAddresses parses "MAC IP..." into its IPs (nil when a is not of
// that form).
func lspAddresses(a string) []netip.Addr {
	f := strings.Fields(a)
	if len(f) == 0 {
		return nil
	}
	if _, err := net.ParseMAC(f[0]); err != nil {
		return nil
	}
	var ips []netip.Addr
	for _, s := range f[1:] {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			ip, err := netip.ParseAddr(s)
			if err != nil {
				return nil
			}
			ips = append(ips, ip)
			continue
		}
		ips = append(ips, p.Addr())
	}
	return ips
}

// SetAddresses sets a port's addresses ("unknown", "dynamic", "router",
// "MAC [IP...]", "dynamic IP"), refusing a format ovn-nbctl refuses and an
// IP another port of the switch has.
// Equivalent to: ovn-nbctl lsp-set-addresses PORT [ADDRESS...]
func SetAddresses(port string, addresses ...string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lsp, err := SwitchPort(tx, port)
		if err != nil {
			return err
		}
		ls, err := switchOf(tx, lsp)
		if err != nil {
			return err
		}
		others, err := ls.PortsRows(tx)
		if err != nil {
			return err
		}
		for _, a := range addresses {
			if !validAddress(a) {
				return errorf(ovsdb.ErrInvalid, "%s: Invalid address format. See ovn-nb(5). Hint: An Ethernet address must be listed before an IP address, together as a single argument.", a)
			}
			for _, ip := range lspAddresses(a) {
				for _, o := range others {
					if o.UUID == lsp.UUID {
						continue
					}
					for _, oa := range o.Addresses {
						if oa == "dynamic" || strings.HasPrefix(oa, "dynamic ") {
							if o.DynamicAddresses == nil {
								continue
							}
							oa = *o.DynamicAddresses
						}
						if slices.Contains(lspAddresses(oa), ip) {
							family := "IPv4"
							if ip.Is6() {
								family = "IPv6"
							}
							return errorf(ovsdb.ErrExists, "Error on switch %s: duplicate %s address '%s' found on logical switch port '%s'", ls.Name, family, ip, o.Name)
						}
					}
				}
			}
		}
		lsp.Addresses = slices.Clone(addresses)
		return tx.Update(lsp, "addresses")
	})
}

// Addresses returns a port's addresses, sorted; a router-type port with
// addresses "router" shows its router port's MAC and networks.
// Equivalent to: ovn-nbctl lsp-get-addresses PORT
func Addresses(tx *ovsdb.Tx, port string) ([]string, error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil {
		return nil, err
	}
	if rp, ok := lsp.Options["router-port"]; ok && len(lsp.Addresses) == 1 && lsp.Addresses[0] == "router" {
		if lrp, _ := portByNameOrUUID[nbdb.LogicalRouterPort](tx, rp, false); lrp != nil {
			return []string{strings.Join(append([]string{lrp.MAC}, lrp.Networks...), " ")}, nil
		}
	}
	out := slices.Clone(lsp.Addresses)
	slices.Sort(out)
	return out, nil
}

// SetPortSecurity sets a port's port security addresses.
// Equivalent to: ovn-nbctl lsp-set-port-security PORT [ADDRS...]
func SetPortSecurity(port string, addresses ...string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lsp, err := SwitchPort(tx, port)
		if err != nil {
			return err
		}
		lsp.PortSecurity = slices.Clone(addresses)
		return tx.Update(lsp, "port_security")
	})
}

// PortSecurity returns a port's port security addresses, sorted.
// Equivalent to: ovn-nbctl lsp-get-port-security PORT
func PortSecurity(tx *ovsdb.Tx, port string) ([]string, error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(lsp.PortSecurity)
	slices.Sort(out)
	return out, nil
}

// PortTypes are the logical switch port types OVN 23.03 knows ("" is a
// VM's or container's port).
var PortTypes = []string{"", "l2gateway", "localnet", "localport", "router", "vtep", "external", "virtual", "remote"}

// SetPortType sets a port's type, one of PortTypes.
// Equivalent to: ovn-nbctl lsp-set-type PORT TYPE
func SetPortType(port, typ string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lsp, err := SwitchPort(tx, port)
		if err != nil {
			return err
		}
		if !slices.Contains(PortTypes, typ) {
			return errorf(ovsdb.ErrInvalid, "Logical switch port type '%s' is unrecognized. Not setting type.", typ)
		}
		lsp.Type = typ
		return tx.Update(lsp, "type")
	})
}

// PortType returns a port's type.
// Equivalent to: ovn-nbctl lsp-get-type PORT
func PortType(tx *ovsdb.Tx, port string) (string, error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil {
		return "", err
	}
	return lsp.Type, nil
}

// SetPortEnabled enables or disables a port.
// Equivalent to: ovn-nbctl lsp-set-enabled PORT enabled|disabled
func SetPortEnabled(port string, enabled bool) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lsp, err := SwitchPort(tx, port)
		if err != nil {
			return err
		}
		lsp.Enabled = &enabled
		return tx.Update(lsp, "enabled")
	})
}

// ParseEnabled reads "enabled" or "disabled" (in any case), as ovn-nbctl
// does.
func ParseEnabled(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "enabled":
		return true, nil
	case "disabled":
		return false, nil
	}
	return false, errorf(ovsdb.ErrInvalid, "%s: state must be \"enabled\" or \"disabled\"", s)
}

// PortEnabled reports whether a port is enabled (a port never set is).
// Equivalent to: ovn-nbctl lsp-get-enabled PORT
func PortEnabled(tx *ovsdb.Tx, port string) (bool, error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil {
		return false, err
	}
	return lsp.Enabled == nil || *lsp.Enabled, nil
}

// SetPortOptions replaces a port's options.
// Equivalent to: ovn-nbctl lsp-set-options PORT KEY=VALUE...
func SetPortOptions(port string, options map[string]string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lsp, err := SwitchPort(tx, port)
		if err != nil {
			return err
		}
		lsp.Options = map[string]string{}
		for k, v := range options {
			lsp.Options[k] = v
		}
		return tx.Update(lsp, "options")
	})
}

// PortOptions returns a port's options.
// Equivalent to: ovn-nbctl lsp-get-options PORT
func PortOptions(tx *ovsdb.Tx, port string) (map[string]string, error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range lsp.Options {
		out[k] = v
	}
	return out, nil
}

// AddRouter creates a logical router; an empty name makes an unnamed one.
// Options: MayExist, AddDuplicate.
// Equivalent to: ovn-nbctl [--may-exist|--add-duplicate] lr-add [NAME]
func AddRouter(name string, options ...Option) ovsdb.Command {
	return addNamed(name, options, "router", &nbdb.LogicalRouter{Name: name})
}

// DeleteRouter deletes a logical router and its ports. Option: IfExists.
// Equivalent to: ovn-nbctl [--if-exists] lr-del ROUTER
func DeleteRouter(id string, options ...Option) ovsdb.Command {
	return deleteNamed[nbdb.LogicalRouter](id, options, "router", "routers")
}

// ListRouters lists the logical routers, by name.
// Equivalent to: ovn-nbctl lr-list
func ListRouters(tx *ovsdb.Tx) ([]Item, error) {
	all, err := ovsdb.List[nbdb.LogicalRouter](tx)
	return sortedItems(all, func(r *nbdb.LogicalRouter) string { return r.Name }), err
}

// WithPeer sets a router port's peer (another router port): the settings
// ovn-nbctl takes as peer=PEER.
func WithPeer(peer string) Option {
	return func(o *opts) error { o.settings = append(o.settings, "peer="+peer); return nil }
}

// networkSet normalises networks for comparison (nil: one is invalid).
func networkSet(networks []string) map[string]bool {
	out := map[string]bool{}
	for _, n := range networks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			return nil
		}
		out[p.String()] = true
	}
	return out
}

// AddRouterPort adds a port to a logical router with its MAC and networks
// ("10.0.0.1/24"). Options: MayExist, WithPeer.
// Equivalent to: ovn-nbctl [--may-exist] lrp-add ROUTER PORT MAC NETWORK... [peer=PEER]
func AddRouterPort(router, name, mac string, networks []string, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if len(networks) == 0 {
			return errorf(ovsdb.ErrInvalid, "%s: router port requires specifying a network", name)
		}
		hw, err := net.ParseMAC(mac)
		if err != nil || len(hw) != 6 || !macPrefixRE.MatchString(mac) || len(macPrefixRE.FindString(mac)) != len(mac) {
			return errorf(ovsdb.ErrInvalid, "%s: invalid mac address %s", name, mac)
		}
		var peer *string
		for _, s := range o.settings {
			if p, ok := strings.CutPrefix(s, "peer="); ok {
				peer = &p
			}
		}
		lrp, err := portByNameOrUUID[nbdb.LogicalRouterPort](tx, name, false)
		if err != nil {
			return err
		}
		if lrp != nil {
			if !o.mayExist {
				return errorf(ovsdb.ErrExists, "%s: a port with this name already exists", name)
			}
			in, err := routerOf(tx, lrp)
			if err != nil {
				return err
			}
			if in.UUID != lr.UUID {
				return errorf(ovsdb.ErrExists, "%s: port already exists but in router %s", name, nameOrUUID(in.Name, in.UUID))
			}
			if old, err := net.ParseMAC(lrp.MAC); err != nil || old.String() != hw.String() {
				return errorf(ovsdb.ErrExists, "%s: port already exists with mac %s", name, lrp.MAC)
			}
			nw := networkSet(networks)
			if nw == nil {
				return errorf(ovsdb.ErrInvalid, "%s: Invalid networks configured", name)
			}
			old := networkSet(lrp.Networks)
			if old == nil {
				return errorf(ovsdb.ErrInvalid, "%s: Existing port has invalid networks configured", name)
			}
			if len(old) != len(nw) {
				return errorf(ovsdb.ErrExists, "%s: port already exists with different network", name)
			}
			for n := range nw {
				if !old[n] {
					return errorf(ovsdb.ErrExists, "%s: port already exists with different network", name)
				}
			}
			if (peer == nil) != (lrp.Peer == nil) || (peer != nil && *peer != *lrp.Peer) {
				return errorf(ovsdb.ErrExists, "%s: port already exists with mismatching peer", name)
			}
			return nil
		}
		// OVN 23.03's ovn-nbctl stores the networks as given; northd
		// ignores one it cannot parse.
		u, err := tx.Insert(&nbdb.LogicalRouterPort{Name: name, MAC: mac, Networks: slices.Clone(networks), Peer: peer})
		if err != nil {
			return err
		}
		return tx.Mutate(lr, ovsdb.Mutation{Column: "ports", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// DeleteRouterPort removes a port from its router. Option: IfExists.
// Equivalent to: ovn-nbctl [--if-exists] lrp-del PORT
func DeleteRouterPort(id string, options ...Option) ovsdb.Command {
	return deletePort(id, options, routerOf)
}

// ListRouterPorts lists a router's ports, by name.
// Equivalent to: ovn-nbctl lrp-list ROUTER
func ListRouterPorts(tx *ovsdb.Tx, router string) ([]Item, error) {
	lr, err := Router(tx, router)
	if err != nil {
		return nil, err
	}
	ports, err := lr.PortsRows(tx)
	return sortedItems(ports, func(r *nbdb.LogicalRouterPort) string { return r.Name }), err
}

// EnsureGlobal creates the NB_Global row when the database has none, as
// ovn-nbctl does in every transaction it runs.
// Equivalent to: ovn-nbctl init
func EnsureGlobal() ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		all, err := ovsdb.List[nbdb.NBGlobal](tx)
		if err != nil {
			return err
		}
		if len(all) > 0 {
			// One exists: verified at commit too, as another client may
			// have deleted it meanwhile.
			return tx.Verify(all[0])
		}
		// None yet: verified at commit, as ovn-northd (or another
		// client) may create it meanwhile; the table holds one row.
		if err := tx.VerifyEmpty(nbdb.TableNBGlobal); err != nil {
			return err
		}
		_, err = tx.Insert(&nbdb.NBGlobal{})
		return err
	})
}

// firstNamed finds a row by UUID, or else the first with the name (as
// ovn-nbctl finds meters, mirrors, forwarding groups, HA chassis groups
// and CoPP policies); nil when there is none. isUUID says whether id is
// a UUID, for the caller's "not found" message.
func firstNamed[T any, PT interface {
	*T
	ovsdb.Model
}](tx *ovsdb.Tx, id string, name func(PT) string) (row PT, isUUID bool, err error) {
	isUUID = uuidRE.MatchString(id)
	if isUUID {
		if r, err := ovsdb.Get[T, PT](tx, strings.ToLower(id)); err == nil {
			return r, true, nil
		}
	}
	all, err := ovsdb.List[T, PT](tx)
	if err != nil {
		return nil, isUUID, err
	}
	for _, r := range all {
		if name(r) == id {
			return r, isUUID, nil
		}
	}
	return nil, isUUID, nil
}

// notFound is ovn-nbctl's "ID: KIND name not found" (or "UUID").
func notFound(id, kind string, isUUID bool) error {
	how := "name"
	if isUUID {
		how = "UUID"
	}
	return errorf(ovsdb.ErrNotFound, "%s: %s %s not found", id, kind, how)
}

// deleteRowsNamed deletes the first row with the name, or every row when
// name is nil; none is not an error.
func deleteRowsNamed[T any, PT interface {
	*T
	ovsdb.Model
}](tx *ovsdb.Tx, name *string, nameOf func(PT) string) error {
	all, err := ovsdb.List[T, PT](tx)
	if err != nil {
		return err
	}
	for _, r := range all {
		if name != nil && nameOf(r) != *name {
			continue
		}
		if err := tx.Delete(r); err != nil {
			return err
		}
		if name != nil {
			return nil
		}
	}
	return nil
}
