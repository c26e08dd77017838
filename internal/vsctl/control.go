package vsctl

import (
	"fmt"
	"sort"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

func (v *View) verifyControllers(br *vswitchdb.Bridge) ([]*vswitchdb.Controller, error) {
	if err := v.verify(br, "controller"); err != nil {
		return nil, err
	}
	var out []*vswitchdb.Controller
	for _, u := range br.Controller {
		c, err := v.tx.Row(vswitchdb.TableController, u)
		if err != nil {
			continue
		}
		if err := v.verify(c, "target"); err != nil {
			return nil, err
		}
		out = append(out, c.(*vswitchdb.Controller))
	}
	return out, nil
}

// Controllers is ovs-vsctl get-controller: the sorted targets of the
// bridge (of its parent, for a fake bridge).
func Controllers(tx *ovsdb.Tx, bridge string) ([]string, error) {
	v, br, err := loadBridge(tx, bridge, true, false)
	if err != nil {
		return nil, err
	}
	return v.controllers(br)
}

func (v *View) controllers(br *Br) ([]string, error) {
	cs, err := v.verifyControllers(br.Real().Row)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Target)
	}
	sort.Strings(out)
	return out, nil
}

// SetControllers is ovs-vsctl set-controller (and, with no targets,
// del-controller): the bridge's Controller rows are replaced.
// inactivityProbe, if not nil, is set on each new row (milliseconds).
func SetControllers(tx *ovsdb.Tx, bridge string, targets []string, inactivityProbe *int) error {
	v, br, err := loadBridge(tx, bridge, true, true)
	if err != nil {
		return err
	}
	old, err := v.verifyControllers(br.Row)
	if err != nil {
		return err
	}
	if len(targets) == 0 && len(br.Row.Controller) == 0 {
		return nil
	}
	for _, c := range old {
		if err := tx.Delete(c); err != nil {
			return err
		}
	}
	row := br.Row
	row.Controller = nil
	for _, t := range targets {
		c := &vswitchdb.Controller{Target: t}
		if inactivityProbe != nil {
			p := *inactivityProbe
			c.InactivityProbe = &p
		}
		if _, err := tx.Insert(c); err != nil {
			return err
		}
		row.Controller = append(row.Controller, c.UUID)
	}
	return tx.Update(row, "controller")
}

// FailMode is ovs-vsctl get-fail-mode ("" when unset).
func FailMode(tx *ovsdb.Tx, bridge string) (string, error) {
	v, br, err := loadBridge(tx, bridge, true, false)
	if err != nil {
		return "", err
	}
	row := br.Real().Row
	if err := v.verify(row, "fail_mode"); err != nil {
		return "", err
	}
	if row.FailMode == nil {
		return "", nil
	}
	return string(*row.FailMode), nil
}

// SetFailMode is ovs-vsctl set-fail-mode, or del-fail-mode with mode "".
func SetFailMode(tx *ovsdb.Tx, bridge, mode string) error {
	_, br, err := loadBridge(tx, bridge, true, true)
	if err != nil {
		return err
	}
	row := br.Row
	switch mode {
	case "":
		row.FailMode = nil
	case "standalone", "secure":
		m := vswitchdb.BridgeFailMode(mode)
		row.FailMode = &m
	default:
		return fmt.Errorf("fail-mode must be \"standalone\" or \"secure\": %w", ovsdb.ErrInvalid)
	}
	return tx.Update(row, "fail_mode")
}

func verifyManagers(tx *ovsdb.Tx, root *vswitchdb.OpenVSwitch) ([]*vswitchdb.Manager, error) {
	v := &View{tx: tx}
	if err := v.verify(root, "manager_options"); err != nil {
		return nil, err
	}
	var out []*vswitchdb.Manager
	for _, u := range root.ManagerOptions {
		m, err := tx.Row(vswitchdb.TableManager, u)
		if err != nil {
			continue
		}
		if err := v.verify(m, "target"); err != nil {
			return nil, err
		}
		out = append(out, m.(*vswitchdb.Manager))
	}
	return out, nil
}

// Managers is ovs-vsctl get-manager: sorted, without duplicates.
func Managers(tx *ovsdb.Tx) ([]string, error) {
	root, err := Root(tx)
	if err != nil {
		return nil, err
	}
	ms, err := verifyManagers(tx, root)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		if !seen[m.Target] {
			seen[m.Target] = true
			out = append(out, m.Target)
		}
	}
	sort.Strings(out)
	return out, nil
}

// SetManagers is ovs-vsctl set-manager (del-manager with no targets).
func SetManagers(tx *ovsdb.Tx, targets []string, inactivityProbe *int) error {
	root, err := Root(tx)
	if err != nil {
		return err
	}
	old, err := verifyManagers(tx, root)
	if err != nil {
		return err
	}
	for _, m := range old {
		if err := tx.Delete(m); err != nil {
			return err
		}
	}
	root.ManagerOptions = nil
	for _, t := range targets {
		m := &vswitchdb.Manager{Target: t}
		if inactivityProbe != nil {
			p := *inactivityProbe
			m.InactivityProbe = &p
		}
		if _, err := tx.Insert(m); err != nil {
			return err
		}
		root.ManagerOptions = append(root.ManagerOptions, m.UUID)
	}
	return tx.Update(root, "manager_options")
}

// SSL is ovs-vsctl get-ssl: the SSL row, or nil.
func SSL(tx *ovsdb.Tx) (*vswitchdb.SSL, error) {
	root, err := Root(tx)
	if err != nil {
		return nil, err
	}
	v := &View{tx: tx}
	if err := v.verify(root, "ssl"); err != nil {
		return nil, err
	}
	if root.SSL == nil {
		return nil, nil
	}
	r, err := tx.Row(vswitchdb.TableSSL, *root.SSL)
	if err != nil {
		return nil, nil
	}
	if err := v.verify(r, "private_key", "certificate", "ca_cert", "bootstrap_ca_cert"); err != nil {
		return nil, err
	}
	return r.(*vswitchdb.SSL), nil
}

// SetSSL is ovs-vsctl set-ssl; a nil s is del-ssl.
func SetSSL(tx *ovsdb.Tx, s *vswitchdb.SSL) error {
	root, err := Root(tx)
	if err != nil {
		return err
	}
	v := &View{tx: tx}
	if s == nil && root.SSL == nil {
		return nil
	}
	if err := v.verify(root, "ssl"); err != nil {
		return err
	}
	if root.SSL != nil {
		if old, err := tx.Row(vswitchdb.TableSSL, *root.SSL); err == nil {
			if err := tx.Delete(old); err != nil {
				return err
			}
		}
	}
	root.SSL = nil
	if s != nil {
		row := &vswitchdb.SSL{PrivateKey: s.PrivateKey, Certificate: s.Certificate, CACert: s.CACert, BootstrapCACert: s.BootstrapCACert}
		if _, err := tx.Insert(row); err != nil {
			return err
		}
		root.SSL = &row.UUID
	}
	return tx.Update(root, "ssl")
}
