package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// atoi is C's atoi: leading digits, else 0 (ovs-vsctl parses VLANs so).
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
		if n > 1<<31 {
			break
		}
	}
	if neg {
		return -n
	}
	return n
}

func probe(c *command) []bridge.ControllerOption {
	if v, ok := c.opts["--inactivity-probe"]; ok {
		return []bridge.ControllerOption{bridge.InactivityProbe(time.Duration(atoi(v)) * time.Millisecond)}
	}
	return nil
}

// splitSettings splits add-bond's arguments: interfaces, then the first
// argument with "=" and the rest are Port settings.
func splitSettings(args []string) (ifaces, settings []string) {
	for i, a := range args {
		if strings.Contains(a, "=") {
			return args[:i], args[i:]
		}
	}
	return args, nil
}

func portOpts(c *command, settings []string) []port.Option {
	o := []port.Option{port.UncheckedName()} // as ovs-vsctl: any name
	if c.has("--may-exist") {
		o = append(o, port.MayExist())
	}
	if c.has("--fake-iface") {
		o = append(o, port.FakeIface())
	}
	if len(settings) > 0 {
		o = append(o, port.Settings(settings...))
	}
	return o
}

func delOpts(c *command, bridgeName string) []port.DeleteOption {
	var o []port.DeleteOption
	if c.has("--if-exists") {
		o = append(o, port.IfExists())
	}
	if c.has("--with-iface") {
		o = append(o, port.ByIface())
	}
	if bridgeName != "" {
		o = append(o, port.FromBridge(bridgeName))
	}
	return o
}

// vsctlTool is ovs-vsctl: its commands, through ovskit's API, and the
// database commands.
var vsctlTool = &tool{
	name:           "ovs-vsctl",
	module:         "vsctl",
	commands:       withDBCommands(vsctlCommands),
	globals:        map[string]bool{"--retry": false},
	badShortOption: "invalid option -- '%s'",
	soft:           interfaceWarnings,
	dot:            true,
	usage:          usage,
	version: func() string {
		return fmt.Sprintf("ovskit %s\nDB Schema %s\n%s", version(), vswitchdb.SchemaVersion, supportedRange())
	},
	defaultDB: defaultDB,
	database:  vswitchdb.Database,
}

// interfaceWarnings are what ovs-vsctl prints for each interface that
// ovs-vswitchd could not set up, when err holds nothing else: the
// transaction committed, and it succeeds.
func interfaceWarnings(inv *invocation, err error) ([]string, bool) {
	ifErrs, only := interfaceErrors(err)
	if !only {
		return nil, false
	}
	var msgs []string
	for _, e := range ifErrs {
		if e.Cause == "" {
			msgs = append(msgs, fmt.Sprintf("%s: Error detected while setting up '%s'.  See ovs-vswitchd log for details.", inv.prog, e.Name))
		} else {
			msgs = append(msgs, fmt.Sprintf("%s: Error detected while setting up '%s': %s.  See ovs-vswitchd log for details.", inv.prog, e.Name, e.Cause))
		}
	}
	if len(ifErrs) > 0 {
		msgs = append(msgs, fmt.Sprintf("%s: The default log directory is \"%s\".", inv.prog, logDir()))
	}
	return msgs, true
}

// logDir is Open vSwitch's log directory, as ovs-vsctl names it.
func logDir() string {
	if d := os.Getenv("OVS_LOGDIR"); d != "" {
		return d
	}
	return "/var/log/openvswitch"
}

// interfaceErrors returns the *ovsdb.InterfaceErrors in err, and whether
// err holds nothing else (so the transaction committed).
func interfaceErrors(err error) ([]*vswitchdb.InterfaceError, bool) {
	if err == nil {
		return nil, true
	}
	var out []*vswitchdb.InterfaceError
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var ie *vswitchdb.InterfaceError
		if !errors.As(e, &ie) {
			return nil, false
		}
		out = append(out, ie)
	}
	return out, true
}

// vsctlCommands maps ovs-vsctl's own command names to ovskit's API.
var vsctlCommands = map[string]*cmdSpec{
	"init": {0, 0, "", func(c *command, tx *ovsdb.Tx) error { return vswitchdb.Init().Run(tx) }},
	"show": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		sw, err := bridge.Show(tx)
		if err != nil {
			return err
		}
		if c.dot {
			c.out.WriteString(sw.DOT())
		} else {
			c.out.WriteString(sw.String())
		}
		return nil
	}},
	"add-br": {1, 3, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		// Any name, as ovs-vsctl takes it (ovs-vswitchd reports one it
		// cannot use, and the command warns).
		o := []bridge.Option{bridge.UncheckedName()}
		if c.has("--may-exist") {
			o = append(o, bridge.MayExist())
		}
		switch len(c.args) {
		case 1:
			return bridge.Add(c.args[0], o...).Run(tx)
		case 3:
			return bridge.AddFake(c.args[0], c.args[1], atoi(c.args[2]), o...).Run(tx)
		}
		return fmt.Errorf("'add-br' command takes exactly 1 or 3 arguments: %w", ovsdb.ErrInvalid)
	}},
	"del-br": {1, 1, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		var o []bridge.DeleteOption
		if c.has("--if-exists") {
			o = append(o, bridge.IfExists())
		}
		return bridge.Delete(c.args[0], o...).Run(tx)
	}},
	"list-br": {0, 0, "--real,--fake", func(c *command, tx *ovsdb.Tx) error {
		kind := bridge.All
		switch {
		case c.has("--real") && !c.has("--fake"):
			kind = bridge.Real
		case c.has("--fake") && !c.has("--real"):
			kind = bridge.Fake
		}
		names, err := bridge.List(tx, kind)
		lines(c, names)
		return err
	}},
	"br-exists": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		ok, err := bridge.Exists(tx, c.args[0])
		if err == nil && !ok {
			return &exitError{2, "no bridge named " + c.args[0]}
		}
		return err
	}},
	"br-to-vlan": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		v, err := bridge.ToVLAN(tx, c.args[0])
		fmt.Fprintf(&c.out, "%d\n", v)
		return err
	}},
	"br-to-parent": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		p, err := bridge.ToParent(tx, c.args[0])
		fmt.Fprintln(&c.out, p)
		return err
	}},
	"br-set-external-id": {2, 3, "", func(c *command, tx *ovsdb.Tx) error {
		if len(c.args) == 3 {
			return bridge.SetExternalID(c.args[0], c.args[1], c.args[2]).Run(tx)
		}
		return bridge.DelExternalID(c.args[0], c.args[1]).Run(tx)
	}},
	"br-get-external-id": {1, 2, "", func(c *command, tx *ovsdb.Tx) error {
		ids, err := bridge.ExternalIDs(tx, c.args[0])
		if err != nil {
			return err
		}
		if len(c.args) == 2 {
			if v, ok := ids[c.args[1]]; ok {
				fmt.Fprintln(&c.out, v)
			}
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(ids)) {
			fmt.Fprintf(&c.out, "%s=%s\n", k, ids[k])
		}
		return nil
	}},
	"list-ports": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		names, err := port.List(tx, c.args[0])
		lines(c, names)
		return err
	}},
	"add-port": {2, -1, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		return port.Add(c.args[0], c.args[1], portOpts(c, c.args[2:])...).Run(tx)
	}},
	"add-bond": {4, -1, "--may-exist,--fake-iface", func(c *command, tx *ovsdb.Tx) error {
		ifaces, settings := splitSettings(c.args[2:])
		return port.AddBond(c.args[0], c.args[1], ifaces, portOpts(c, settings)...).Run(tx)
	}},
	"add-bond-iface": {2, 2, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		return port.AddBondIface(c.args[0], c.args[1], portOpts(c, nil)...).Run(tx)
	}},
	"del-bond-iface": {1, 2, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		bond := ""
		if len(c.args) == 2 {
			bond = c.args[0]
		}
		return port.DelBondIface(c.args[len(c.args)-1], delOpts(c, bond)...).Run(tx)
	}},
	"del-port": {1, 2, "--if-exists,--with-iface", func(c *command, tx *ovsdb.Tx) error {
		br := ""
		if len(c.args) == 2 {
			br = c.args[0]
		}
		return port.Delete(c.args[len(c.args)-1], delOpts(c, br)...).Run(tx)
	}},
	"port-to-br": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		b, err := port.ToBridge(tx, c.args[0])
		fmt.Fprintln(&c.out, b)
		return err
	}},
	"list-ifaces": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		names, err := iface.List(tx, c.args[0])
		lines(c, names)
		return err
	}},
	"iface-to-br": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		b, err := iface.ToBridge(tx, c.args[0])
		fmt.Fprintln(&c.out, b)
		return err
	}},
	"get-controller": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := bridge.Controllers(tx, c.args[0])
		lines(c, t)
		return err
	}},
	"del-controller": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.DelController(c.args[0]).Run(tx)
	}},
	"set-controller": {2, -1, "--inactivity-probe=", func(c *command, tx *ovsdb.Tx) error {
		return bridge.SetController(c.args[0], c.args[1:], probe(c)...).Run(tx)
	}},
	"get-fail-mode": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		m, err := bridge.GetFailMode(tx, c.args[0])
		if m != "" {
			fmt.Fprintln(&c.out, m)
		}
		return err
	}},
	"del-fail-mode": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.DelFailMode(c.args[0]).Run(tx)
	}},
	"set-fail-mode": {2, 2, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.SetFailMode(c.args[0], vswitchdb.BridgeFailMode(c.args[1])).Run(tx)
	}},
	"emer-reset": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.EmerReset().Run(tx)
	}},
	"add-aa-mapping": {3, 3, "", func(c *command, tx *ovsdb.Tx) error {
		return vsctl.AddAAMapping(tx, c.args[0], c.args[1], c.args[2])
	}},
	"del-aa-mapping": {3, 3, "", func(c *command, tx *ovsdb.Tx) error {
		return vsctl.DelAAMapping(tx, c.args[0], c.args[1], c.args[2])
	}},
	"get-aa-mapping": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := vsctl.GetAAMapping(tx, c.args[0])
		lines(c, t)
		return err
	}},
	"add-zone-tp": {3, -1, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		return vsctl.AddZoneTP(tx, c.args[0], c.args[1], c.args[2:], c.has("--may-exist"))
	}},
	"del-zone-tp": {2, 2, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		return vsctl.DelZoneTP(tx, c.args[0], c.args[1], c.has("--if-exists"))
	}},
	"list-zone-tp": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := vsctl.ListZoneTP(tx, c.args[0])
		lines(c, t)
		return err
	}},
	"list-dp-cap": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		caps, err := vsctl.ListDPCap(tx, c.args[0])
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(caps)) {
			parts = append(parts, k+"="+caps[k])
		}
		fmt.Fprintln(&c.out, strings.Join(parts, " "))
		return err
	}},
	"get-manager": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := bridge.Managers(tx)
		lines(c, t)
		return err
	}},
	"del-manager": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.DelManager().Run(tx)
	}},
	"set-manager": {1, -1, "--inactivity-probe=", func(c *command, tx *ovsdb.Tx) error {
		return bridge.SetManager(c.args, probe(c)...).Run(tx)
	}},
	"get-ssl": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		s, err := bridge.GetSSL(tx)
		if err != nil || s == nil {
			return err
		}
		fmt.Fprintf(&c.out, "Private key: %s\nCertificate: %s\nCA Certificate: %s\nBootstrap: %t\n",
			s.PrivateKey, s.Certificate, s.CACert, s.Bootstrap)
		return nil
	}},
	"del-ssl": {0, 0, "", func(c *command, tx *ovsdb.Tx) error { return bridge.DelSSL().Run(tx) }},
	"set-ssl": {3, 3, "--bootstrap", func(c *command, tx *ovsdb.Tx) error {
		return bridge.SetSSL(bridge.SSL{PrivateKey: c.args[0], Certificate: c.args[1], CACert: c.args[2],
			Bootstrap: c.has("--bootstrap")}).Run(tx)
	}},
}
