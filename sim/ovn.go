package sim

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovn/sb"
	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsproc"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// ErrNoOVN: OVN is not installed (ovn-central, ovn-host).
var ErrNoOVN = errors.New("sim: OVN is not installed (ovn-central, ovn-host)")

// OVNSupported reports whether this machine can run an OVN world: a
// world's prerequisites, OVN's programs and its schemas.
func OVNSupported() error {
	if err := Supported(); err != nil {
		return err
	}
	for _, p := range []string{"ovn-northd", "ovn-controller"} {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("%s: %w", p, ErrNoOVN)
		}
	}
	for _, s := range []string{ovsproc.DefaultNBSchema, ovsproc.DefaultSBSchema} {
		if _, err := os.Stat(s); err != nil {
			return fmt.Errorf("%s: %w", s, ErrNoOVN)
		}
	}
	return nil
}

// Central is an OVN central of the world: the Northbound and Southbound
// databases and ovn-northd, in a namespace of their own (they talk over
// unix sockets only).
type Central struct {
	*Node
	// Procs is the running central.
	Procs *ovsproc.Central
	// NB and SB are clients of the databases; NB follows the leader of
	// a clustered Northbound database.
	NB, SB *ovsdb.Client

	world *World
	mu    sync.Mutex
	chass []*Chassis
}

// CentralConfig configures a central.
type CentralConfig struct {
	// Members is the size of the Northbound and Southbound raft
	// clusters: 1 for standalone databases, 3 (the default) or 5.
	Members int
}

// AddCentral starts an OVN central in namespace "central".
func (w *World) AddCentral(ctx context.Context, cfg CentralConfig) (*Central, error) {
	if err := OVNSupported(); err != nil {
		return nil, err
	}
	if cfg.Members == 0 {
		cfg.Members = 3
	}
	n, err := w.Namespace(ctx, "central")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(w.Dir, "central")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	procs, err := ovsproc.StartCentral(ctx, ovsproc.CentralConfig{Dir: dir, NS: n.NS, Members: cfg.Members, Logger: w.log})
	if procs != nil {
		w.onStop(procs.Stop)
	}
	if err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	c := &Central{Node: n, Procs: procs, world: w}
	backoff := ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond)
	if c.NB, err = ovsdb.Dial(ctx, procs.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithLogger(w.log), backoff); err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	w.OnClose(func() error { return c.NB.Close() })
	if c.SB, err = ovsdb.Dial(ctx, procs.SBEndpoint, ovsdb.WithDatabase(sbdb.Database()), ovsdb.WithLogger(w.log), backoff); err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	w.OnClose(func() error { return c.SB.Close() })
	if _, err := c.NB.Transact(ctx, nb.EnsureGlobal()); err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	return c, nil
}

// Chassis is a hypervisor of an OVN deployment: a Host whose integration
// bridge, br-int, ovn-controller manages. Its tunnel endpoint is the
// address of br-phy, a userspace bridge holding its underlay NIC.
type Chassis struct {
	*Host
	// EncapIP is its Geneve tunnel endpoint on the underlay.
	EncapIP netip.Addr
	// MAC is br-phy's address, which the other chassis learn up front.
	MAC string
	// Controller is its ovn-controller.
	Controller *ovsproc.Controller
}

// ChassisConfig says where a chassis sits on the underlay.
type ChassisConfig struct {
	// Underlay is the segment joining the chassis.
	Underlay *Underlay
	// Addr is its address there, with the prefix length
	// ("192.168.100.11/24"): the tunnel endpoint.
	Addr string
	// MAC is br-phy's address ("02:00:00:00:01:0b").
	MAC string
}

// Underlay MTU: 1600 lets guests' 1500-byte frames through Geneve.
const underlayMTU = 1600

// AddChassis creates a chassis: a host (ovsdb-server, ovs-vswitchd) on the
// underlay through br-phy, configured as an OVN chassis (system-id name)
// and running ovn-controller against the central's Southbound database.
// It returns once ovn-controller has made br-int; the chassis registers
// in the Southbound database a moment later (WaitChassis).
func (c *Central) AddChassis(ctx context.Context, name string, cfg ChassisConfig) (*Chassis, error) {
	prefix, err := netip.ParsePrefix(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("chassis %s: address %q: %w", name, cfg.Addr, ovsdb.ErrInvalid)
	}
	h, err := c.world.AddHost(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := h.Join(ctx, cfg.Underlay, Uplink{NIC: "eth1", Addr: cfg.Addr, Bridge: "br-phy", MTU: underlayMTU, BridgeMAC: cfg.MAC}); err != nil {
		return nil, fmt.Errorf("chassis %s: %w", name, err)
	}
	ctrl, err := ovsproc.StartController(ctx, ovsproc.ControllerConfig{
		Dir: h.Dir, NS: h.NS, Endpoint: h.OVS.Endpoint, SystemID: name,
		SBRemote: c.Procs.SBEndpoint, EncapIP: prefix.Addr().String(), Logger: c.world.log,
	})
	if err != nil {
		return nil, fmt.Errorf("chassis %s: %w", name, err)
	}
	c.world.onStop(ctrl.Stop)
	ch := &Chassis{Host: h, EncapIP: prefix.Addr(), MAC: cfg.MAC, Controller: ctrl}
	if _, err := ovsdb.WaitUntil(ctx, h.Client, func(b *vswitchdb.Bridge) bool { return b.Name == "br-int" }); err != nil {
		return nil, fmt.Errorf("chassis %s: waiting for br-int: %w\n%s", name, err, ctrl.Logs(20))
	}
	c.mu.Lock()
	c.chass = append(c.chass, ch)
	c.mu.Unlock()
	return ch, nil
}

// Chassis returns the chassis added so far.
func (c *Central) Chassis() []*Chassis {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Chassis(nil), c.chass...)
}

// WaitChassis waits until every chassis added so far is registered in the
// Southbound database.
func (c *Central) WaitChassis(ctx context.Context) error {
	for _, ch := range c.Chassis() {
		if _, err := sb.WaitChassis(ctx, c.SB, ch.Name); err != nil {
			return fmt.Errorf("chassis %s: %w\n%s", ch.Name, err, ch.Controller.Logs(20))
		}
	}
	return nil
}

// LinkChassis tells every chassis's ovs-vswitchd the underlay MAC of every
// other chassis (tnl/neigh/set on br-phy, entries kept an hour), through
// its control socket: without it the first packet to each peer is dropped
// while OVS resolves the peer's address.
func (c *Central) LinkChassis(ctx context.Context) error {
	all := c.Chassis()
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, ch := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = ch.learnPeers(ctx, all)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (ch *Chassis) learnPeers(ctx context.Context, all []*Chassis) error {
	ctl, err := appctl.Dial(ctx, ch.OVS.VSwitchdCtl())
	if err != nil {
		return fmt.Errorf("chassis %s: %w", ch.Name, err)
	}
	defer ctl.Close()
	if _, err := ctl.Call(ctx, "tnl/neigh/aging", "3600"); err != nil {
		return fmt.Errorf("chassis %s: %w", ch.Name, err)
	}
	for _, peer := range all {
		if peer == ch || peer.MAC == "" {
			continue
		}
		if _, err := ctl.Call(ctx, "tnl/neigh/set", "br-phy", peer.EncapIP.String(), peer.MAC); err != nil {
			return fmt.Errorf("chassis %s: %w", ch.Name, err)
		}
	}
	return nil
}

// MapNetwork gives the chassis a way out to a physical network: bridge
// (a userspace bridge, created) holds nic and is mapped to network
// (Open_vSwitch external_ids:ovn-bridge-mappings), so that a logical
// switch's localnet port of that network leaves through it.
func (ch *Chassis) MapNetwork(ctx context.Context, network, br, nic string) error {
	_, err := ch.Transact(ctx,
		bridge.Add(br, bridge.MayExist(), bridge.DatapathType("netdev")),
		port.Add(br, nic),
		ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
			if err != nil {
				return err
			}
			if len(roots) == 0 {
				return fmt.Errorf("chassis %s: no Open_vSwitch row: %w", ch.Name, ovsdb.ErrNotFound)
			}
			root := roots[0]
			if err := tx.Verify(root, "external_ids"); err != nil {
				return err
			}
			if root.ExternalIDs == nil {
				root.ExternalIDs = map[string]string{}
			}
			root.ExternalIDs["ovn-bridge-mappings"] = network + ":" + br
			return tx.Update(root, "external_ids")
		}))
	if err != nil {
		return fmt.Errorf("chassis %s: map %s: %w", ch.Name, network, err)
	}
	return ch.NS.LinkUp(nic)
}

// Plug attaches a guest to br-int as the logical switch port lsp (the
// interface's external_ids:iface-id), as a hypervisor plugs a VM for OVN.
// Namespace guests only.
func (ch *Chassis) Plug(ctx context.Context, cfg GuestConfig, lsp string) (*Guest, error) {
	if ch.world.cfg.Guests == QemuGuests {
		return nil, fmt.Errorf("guest %s: %w: OVN chassis plug namespace guests", cfg.Name, ovsdb.ErrInvalid)
	}
	cfg.Bridge = "br-int"
	cfg.Port = append(cfg.Port, port.WithIface(iface.ExternalID("iface-id", lsp)))
	return ch.AddGuest(ctx, cfg)
}

// WaitPortsUp waits until every logical port named is bound and up, then
// until every chassis has applied the Northbound configuration (one more
// ovn-nbctl --wait=hv): each chassis then has every binding's flows.
func (c *Central) WaitPortsUp(ctx context.Context, lsps ...string) error {
	for _, p := range lsps {
		if _, err := sb.WaitPortUp(ctx, c.SB, p); err != nil {
			return fmt.Errorf("port %s: %w", p, err)
		}
	}
	return c.Sync(ctx)
}

// Sync commits an nb_cfg increment and waits until every chassis has
// applied it (ovn-nbctl --wait=hv sync).
func (c *Central) Sync(ctx context.Context) error {
	b := nb.Bump()
	if _, err := c.NB.Transact(ctx, b); err != nil {
		return err
	}
	_, err := b.Wait(ctx, c.NB, nb.WaitHV)
	return err
}

// ChassisName is the conventional name of chassis i (1-based): "hv1".
func ChassisName(i int) string { return "hv" + fmt.Sprint(i) }

// UnderlayMAC is a locally administered MAC for chassis i's br-phy.
func UnderlayMAC(i int) string { return fmt.Sprintf("02:00:00:00:%02x:%02x", i>>8&0xff, i&0xff) }
