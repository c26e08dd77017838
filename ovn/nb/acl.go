package nb

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// ACL is an access control rule, as acl-add takes it.
type ACL struct {
	// Direction is "to-lport" or "from-lport" (its first letter is
	// enough, as for ovn-nbctl).
	Direction string
	// Priority is 0 to 32767.
	Priority int
	// Match is the rule's match expression ("ip4.src == 10.0.0.0/24").
	Match string
	// Action is allow, allow-related, allow-stateless, drop or reject.
	Action string
	// Log logs what the rule matches; Name, Severity (alert, warning,
	// notice, info, debug) and Meter imply it.
	Log                   bool
	Name, Severity, Meter string
	// Label (allow and allow-related only) is 0 to 4294967295; nil for
	// none.
	Label *int
	// ApplyAfterLB applies a from-lport rule after load balancing.
	ApplyAfterLB bool
}

// Targets of an ACL command: a logical switch or a port group, or either
// by its name.
const (
	AnyTarget       = ""
	SwitchTarget    = "switch"
	PortGroupTarget = "port-group"
)

// aclHolder is the switch or port group an ACL command acts on.
type aclHolder struct {
	ls *nbdb.LogicalSwitch
	pg *nbdb.PortGroup
}

func (h aclHolder) row() ovsdb.Model {
	if h.pg != nil {
		return h.pg
	}
	return h.ls
}

func (h aclHolder) acls(tx *ovsdb.Tx) ([]*nbdb.ACL, error) {
	if h.pg != nil {
		return h.pg.ACLsRows(tx)
	}
	return h.ls.ACLsRows(tx)
}

// PortGroup finds a port group by name or UUID.
func PortGroup(tx *ovsdb.Tx, id string) (*nbdb.PortGroup, error) {
	return findPortGroup(tx, id, true)
}

func findPortGroup(tx *ovsdb.Tx, id string, mustExist bool) (*nbdb.PortGroup, error) {
	pg, err := portByNameOrUUID[nbdb.PortGroup](tx, id, false)
	if err != nil || pg != nil || !mustExist {
		return pg, err
	}
	how := "name"
	if uuidRE.MatchString(id) {
		how = "UUID"
	}
	return nil, errorf(ovsdb.ErrNotFound, "%s: port group %s not found", id, how)
}

// holder finds the switch or port group an ACL command names.
func holder(tx *ovsdb.Tx, id, target string) (aclHolder, error) {
	var h aclHolder
	var err error
	switch target {
	case AnyTarget:
		if h.pg, err = findPortGroup(tx, id, false); err != nil {
			return h, err
		}
		if h.ls, err = findSwitch(tx, id, false); err != nil {
			return h, err
		}
		if h.pg != nil && h.ls != nil {
			return h, errorf(ovsdb.ErrInvalid, "Same name '%s' exists in both port-groups and logical switches. Specify --type=port-group or switch, or use a UUID.", id)
		}
		if h.pg == nil && h.ls == nil {
			return h, errorf(ovsdb.ErrNotFound, "'%s' is not found for port-group or switch.", id)
		}
	case PortGroupTarget:
		h.pg, err = PortGroup(tx, id)
	case SwitchTarget:
		h.ls, err = Switch(tx, id)
	default:
		err = errorf(ovsdb.ErrInvalid, "Invalid value '%s' for option --type", target)
	}
	return h, err
}

// parseDirection is ovn-nbctl's: only the first letter counts.
func parseDirection(d string) (string, error) {
	switch {
	case strings.HasPrefix(d, "t"):
		return "to-lport", nil
	case strings.HasPrefix(d, "f"):
		return "from-lport", nil
	}
	return "", errorf(ovsdb.ErrInvalid, "%s: direction must be \"to-lport\" or \"from-lport\"", d)
}

// checkPriority is ovn-nbctl's range check of a rule's priority.
func checkPriority(p int) error {
	if p < 0 || p > 32767 {
		return errorf(ovsdb.ErrInvalid, "%d: priority must in range 0...32767", p)
	}
	return nil
}

// ParsePriority reads an ACL priority, 0 to 32767.
func ParsePriority(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 32767 {
		return 0, errorf(ovsdb.ErrInvalid, "%s: priority must in range 0...32767", s)
	}
	return n, nil
}

// aclKey orders ACLs as ovn-nbctl does: from-lport first, after-lb last,
// higher priority first, then by match.
func cmpACL(a, b *nbdb.ACL) int {
	if a.Direction != b.Direction {
		if a.Direction == "from-lport" {
			return -1
		}
		return 1
	}
	aa, ba := a.Options["apply-after-lb"] == "true", b.Options["apply-after-lb"] == "true"
	if aa != ba {
		if ba {
			return -1
		}
		return 1
	}
	if a.Priority != b.Priority {
		return cmp.Compare(b.Priority, a.Priority)
	}
	return strings.Compare(a.Match, b.Match)
}

// AddACL adds an ACL to a switch or port group (target says which, or
// AnyTarget: whichever has the name). Option: MayExist.
// Equivalent to: ovn-nbctl [--type=TARGET] [--may-exist] [--log] [--name=N]
// [--severity=S] [--meter=M] [--label=L] [--apply-after-lb] acl-add ENTITY DIRECTION PRIORITY MATCH ACTION
func AddACL(entity, target string, a ACL, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		h, err := holder(tx, entity, target)
		if err != nil {
			return err
		}
		dir, err := parseDirection(a.Direction)
		if err != nil {
			return err
		}
		if err := checkPriority(a.Priority); err != nil {
			return err
		}
		switch a.Action {
		case "allow", "allow-related", "allow-stateless", "drop", "reject":
		default:
			return errorf(ovsdb.ErrInvalid, "%s: action must be one of \"allow\", \"allow-related\", \"allow-stateless\", \"drop\", and \"reject\"", a.Action)
		}
		row := &nbdb.ACL{Priority: a.Priority, Direction: nbdb.ACLDirection(dir), Match: a.Match, Action: nbdb.ACLAction(a.Action)}
		row.Log = a.Log || a.Severity != "" || a.Name != "" || a.Meter != ""
		if a.Severity != "" {
			switch a.Severity {
			case "alert", "warning", "notice", "info", "debug":
			default:
				return errorf(ovsdb.ErrInvalid, "bad severity: %s", a.Severity)
			}
			sev := nbdb.ACLSeverity(a.Severity)
			row.Severity = &sev
		}
		if a.Name != "" {
			name := a.Name
			row.Name = &name
		}
		if a.Meter != "" {
			meter := a.Meter
			row.Meter = &meter
		}
		if a.Label != nil {
			if a.Action != "allow" && a.Action != "allow-related" {
				return errorf(ovsdb.ErrInvalid, "label can only be set with actions \"allow\" or \"allow-related\"")
			}
			if *a.Label < 0 || *a.Label > 4294967295 {
				return errorf(ovsdb.ErrInvalid, "%d: label must in range 0...4294967295", *a.Label)
			}
			row.Label = *a.Label
		}
		if dir == "from-lport" && a.ApplyAfterLB {
			row.Options = map[string]string{"apply-after-lb": "true"}
		}
		acls, err := h.acls(tx)
		if err != nil {
			return err
		}
		for _, old := range acls {
			if cmpACL(old, row) == 0 {
				if o.mayExist {
					return nil
				}
				return errorf(ovsdb.ErrExists, "Same ACL already existed on the ls %s.", entity)
			}
		}
		// No equal ACL: the commit verifies the set it rests on, so
		// that two concurrent adds of one ACL make one.
		if err := tx.Verify(h.row(), "acls"); err != nil {
			return err
		}
		u, err := tx.Insert(row)
		if err != nil {
			return err
		}
		return tx.Mutate(h.row(), ovsdb.Mutation{Column: "acls", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// DeleteACLs deletes a switch's or port group's ACLs of a direction
// (priority nil), or the one of a direction, priority and match. An empty
// direction is ErrInvalid: DeleteAllACLs deletes them all.
// Equivalent to: ovn-nbctl [--type=TARGET] acl-del ENTITY DIRECTION [PRIORITY MATCH]
func DeleteACLs(entity, target, direction string, priority *int, match string) ovsdb.Command {
	if direction == "" {
		return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			if _, err := holder(tx, entity, target); err != nil {
				return err
			}
			_, err := parseDirection(direction)
			return err
		})
	}
	return deleteACLs(entity, target, direction, priority, match)
}

// DeleteAllACLs deletes all of a switch's or port group's ACLs.
// Equivalent to: ovn-nbctl [--type=TARGET] acl-del ENTITY
func DeleteAllACLs(entity, target string) ovsdb.Command {
	return deleteACLs(entity, target, "", nil, "")
}

func deleteACLs(entity, target, direction string, priority *int, match string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		h, err := holder(tx, entity, target)
		if err != nil {
			return err
		}
		if direction == "" {
			if h.pg != nil {
				h.pg.ACLs = nil
			} else {
				h.ls.ACLs = nil
			}
			return tx.Update(h.row(), "acls")
		}
		dir, err := parseDirection(direction)
		if err != nil {
			return err
		}
		acls, err := h.acls(tx)
		if err != nil {
			return err
		}
		var gone []string
		for _, a := range acls {
			if string(a.Direction) != dir {
				continue
			}
			if priority != nil {
				if a.Priority != *priority || a.Match != match {
					continue
				}
				gone = append(gone, a.UUID)
				break
			}
			gone = append(gone, a.UUID)
		}
		if len(gone) == 0 {
			return nil
		}
		return tx.Mutate(h.row(), ovsdb.Mutation{Column: "acls", Mutator: ovsdb.MutateDelete, Value: gone})
	})
}

// ACLs returns a switch's or port group's ACLs in ovn-nbctl's order.
func ACLs(tx *ovsdb.Tx, entity, target string) ([]*nbdb.ACL, error) {
	h, err := holder(tx, entity, target)
	if err != nil {
		return nil, err
	}
	acls, err := h.acls(tx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(acls, cmpACL)
	return acls, nil
}

// FormatACLs prints ACLs as ovn-nbctl acl-list does.
// Equivalent to: ovn-nbctl [--type=TARGET] acl-list ENTITY
func FormatACLs(acls []*nbdb.ACL) string {
	var b strings.Builder
	for _, a := range acls {
		fmt.Fprintf(&b, "%10s %5d (%s) %s", a.Direction, a.Priority, a.Match, a.Action)
		if a.Log {
			var parts []string
			if a.Name != nil {
				parts = append(parts, "name="+*a.Name)
			}
			if a.Severity != nil {
				parts = append(parts, "severity="+string(*a.Severity))
			}
			if a.Meter != nil {
				parts = append(parts, `meter="`+*a.Meter+`"`)
			}
			fmt.Fprintf(&b, " log(%s)", strings.Join(parts, ","))
		}
		if a.Label != 0 {
			fmt.Fprintf(&b, " label=%d", a.Label)
		}
		if a.Options["apply-after-lb"] == "true" {
			b.WriteString(" [after-lb]")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// setPorts resolves port names or UUIDs to switch ports' UUIDs.
func setPorts(tx *ovsdb.Tx, ports []string) ([]string, error) {
	out := make([]string, 0, len(ports))
	for _, p := range ports {
		lsp, err := SwitchPort(tx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, lsp.UUID)
	}
	return out, nil
}

// AddPortGroup creates a port group of switch ports.
// Equivalent to: ovn-nbctl pg-add PG [PORT...]
func AddPortGroup(name string, ports ...string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		uuids, err := setPorts(tx, ports)
		if err != nil {
			return err
		}
		_, err = tx.Insert(&nbdb.PortGroup{Name: name, Ports: uuids})
		return err
	})
}

// SetPortGroupPorts replaces a port group's ports.
// Equivalent to: ovn-nbctl pg-set-ports PG PORT...
func SetPortGroupPorts(pg string, ports ...string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := PortGroup(tx, pg)
		if err != nil {
			return err
		}
		if g.Ports, err = setPorts(tx, ports); err != nil {
			return err
		}
		return tx.Update(g, "ports")
	})
}

// DeletePortGroup deletes a port group (and its ACLs).
// Equivalent to: ovn-nbctl pg-del PG
func DeletePortGroup(pg string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := PortGroup(tx, pg)
		if err != nil {
			return err
		}
		return tx.Delete(g)
	})
}
