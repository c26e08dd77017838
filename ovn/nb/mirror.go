package nb

import (
	"cmp"
	"slices"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// Mirror is a port mirror: the traffic of the switch ports attached to it
// (AttachMirror), in one direction, tunnelled to a sink.
type Mirror struct {
	Name string
	// Type is "gre" or "erspan" (its first letter is enough).
	Type string
	// Index is the GRE key or ERSPAN index.
	Index int64
	// Filter is "to-lport" or "from-lport" (its first letter is enough).
	Filter string
	// Sink is the IPv4 or IPv6 address the copies are tunnelled to.
	Sink string
}

// AddMirror adds a mirror; one of the same name is ErrExists.
// Equivalent to: ovn-nbctl mirror-add NAME TYPE INDEX FILTER IP
func AddMirror(m Mirror) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		all, err := ovsdb.List[nbdb.Mirror](tx)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(all, func(o *nbdb.Mirror) bool { return o.Name == m.Name }) {
			return errorf(ovsdb.ErrExists, "Mirror with %s name already exists.", m.Name)
		}
		typ, ok := byFirstLetter(m.Type, "gre", "erspan")
		if !ok {
			return errorf(ovsdb.ErrInvalid, "%s: type must be \"gre\" or \"erspan\"", m.Type)
		}
		filter, ok := byFirstLetter(m.Filter, "to-lport", "from-lport")
		if !ok {
			return errorf(ovsdb.ErrInvalid, "%s: selection must be \"to-lport\" or \"from-lport\"", m.Filter)
		}
		if _, ok := normalizedAddr(m.Sink); !ok {
			return errorf(ovsdb.ErrInvalid, "Invalid sink ip: %s", m.Sink)
		}
		// (The schema's index on name refuses a second one.)
		_, err = tx.Insert(&nbdb.Mirror{Name: m.Name, Type: nbdb.MirrorType(typ), Index: int(m.Index), Filter: nbdb.MirrorFilter(filter), Sink: m.Sink})
		return err
	})
}

// byFirstLetter is the choice s names by its first letter, as ovn-nbctl
// reads a mirror's type and filter.
func byFirstLetter(s string, choices ...string) (string, bool) {
	for _, c := range choices {
		if s != "" && s[0] == c[0] {
			return c, true
		}
	}
	return "", false
}

// DeleteMirror deletes the mirror of a name (none is not an error); the
// ports attached to it are detached.
// Equivalent to: ovn-nbctl mirror-del NAME
func DeleteMirror(name string) ovsdb.Command { return deleteMirrors(&name) }

// DeleteAllMirrors deletes every mirror.
// Equivalent to: ovn-nbctl mirror-del
func DeleteAllMirrors() ovsdb.Command { return deleteMirrors(nil) }

func deleteMirrors(name *string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		return deleteRowsNamed(tx, name, func(m *nbdb.Mirror) string { return m.Name })
	})
}

// Mirrors returns the mirrors, by name.
// Equivalent to: ovn-nbctl mirror-list
func Mirrors(tx *ovsdb.Tx) ([]Mirror, error) {
	all, err := ovsdb.List[nbdb.Mirror](tx)
	if err != nil {
		return nil, err
	}
	out := make([]Mirror, 0, len(all))
	for _, m := range all {
		out = append(out, Mirror{Name: m.Name, Type: string(m.Type), Index: int64(m.Index), Filter: string(m.Filter), Sink: m.Sink})
	}
	slices.SortStableFunc(out, func(a, b Mirror) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// mirror finds a mirror by UUID or name.
func mirror(tx *ovsdb.Tx, id string) (*nbdb.Mirror, error) {
	m, isUUID, err := firstNamed(tx, id, func(m *nbdb.Mirror) string { return m.Name })
	if err == nil && m == nil {
		err = notFound(id, "mirror", isUUID)
	}
	return m, err
}

// AttachMirror mirrors a switch port's traffic to a mirror; attaching it
// twice is ErrExists unless MayExist.
// Equivalent to: ovn-nbctl [--may-exist] lsp-attach-mirror PORT MIRROR
func AttachMirror(port, mirrorID string, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		lsp, err := SwitchPort(tx, port)
		if err != nil {
			return err
		}
		m, err := mirror(tx, mirrorID)
		if err != nil {
			return err
		}
		if slices.Contains(lsp.MirrorRules, m.UUID) {
			if o.mayExist {
				return nil
			}
			return errorf(ovsdb.ErrExists, "mirror %s is already attached to the logical port %s.", m.Name, port)
		}
		return tx.Mutate(lsp, ovsdb.Mutation{Column: "mirror_rules", Mutator: ovsdb.MutateInsert, Value: []string{m.UUID}})
	})
}

// DetachMirror stops mirroring a switch port's traffic to a mirror.
// Equivalent to: ovn-nbctl lsp-detach-mirror PORT MIRROR
func DetachMirror(port, mirrorID string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lsp, err := SwitchPort(tx, port)
		if err != nil {
			return err
		}
		m, err := mirror(tx, mirrorID)
		if err != nil {
			return err
		}
		return tx.Mutate(lsp, ovsdb.Mutation{Column: "mirror_rules", Mutator: ovsdb.MutateDelete, Value: []string{m.UUID}})
	})
}
