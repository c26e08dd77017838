package labs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/openflow"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/sim"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Lab2Flows is lab 2's VLAN isolation done with OpenFlow: a bridge in
// fail_mode=secure (no flows, no forwarding), no VLAN tags at all, and
// flows that forward each port's packets to the ports of its "VLAN" only
// (beyond the tutorial).
var Lab2Flows = sim.Lab{Name: "lab2-flows", Title: "lab 2's VLAN isolation by OpenFlow flows, without tags", Run: runLab2Flows}

// FirewallFlows is a stateful firewall with ct(): vm1 may open TCP
// connections and pings to vm2 and gets the replies; vm2 cannot open any
// to vm1 (beyond the tutorial).
var FirewallFlows = sim.Lab{Name: "firewall-flows", Title: "a stateful firewall by OpenFlow flows with conntrack", Run: runFirewallFlows}

// flowHost is a host with br-in in secure mode and guests vm1..vmN
// (10.0.3.N), and an OpenFlow connection to br-in.
type flowHost struct {
	host   *sim.Host
	of     *openflow.Conn
	guests []*sim.Guest
	ports  map[string]int // guest -> its OpenFlow port
}

func buildFlowHost(ctx context.Context, w *sim.World, n int) (*flowHost, error) {
	if w.Config().Guests == sim.QemuGuests {
		return nil, fmt.Errorf("flow labs: %w: namespace guests only (the probes open TCP connections inside the guests)", ovsdb.ErrInvalid)
	}
	h, err := w.AddHost(ctx, "instance_001")
	if err != nil {
		return nil, err
	}
	// ovs-vsctl add-br br-in -- set-fail-mode br-in secure
	if _, err := h.Transact(ctx, bridge.Add("br-in", netdev, bridge.FailMode(vswitchdb.BridgeFailModeSecure))); err != nil {
		return nil, err
	}
	fh := &flowHost{host: h, ports: map[string]int{}}
	for i := 1; i <= n; i++ {
		g, err := h.AddGuest(ctx, sim.GuestConfig{Name: fmt.Sprint("vm", i), Bridge: "br-in", Vif: fmt.Sprintf("vif%d.0", i-1), MAC: mac(i), Addr: fmt.Sprintf("10.0.3.%d/24", i)})
		if err != nil {
			return nil, err
		}
		fh.guests = append(fh.guests, g)
	}
	err = h.Client.View(ctx, func(tx *ovsdb.Tx) error {
		for _, g := range fh.guests {
			i, err := iface.Get(tx, g.Vif)
			if err != nil {
				return err
			}
			if i.Ofport == nil || *i.Ofport <= 0 {
				return fmt.Errorf("%s has no OpenFlow port: %w", g.Vif, ovsdb.ErrNotFound)
			}
			fh.ports[g.Name] = *i.Ofport
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if fh.of, err = h.OpenFlow(ctx, "br-in"); err != nil {
		return nil, err
	}
	return fh, nil
}

// program replaces br-in's flows with these (ovs-ofctl del-flows, then
// add-flows).
func (fh *flowHost) program(ctx context.Context, flows ...string) error {
	parsed := make([]*openflow.Flow, len(flows))
	for i, s := range flows {
		f, err := openflow.ParseFlow(s)
		if err != nil {
			return err
		}
		parsed[i] = f
	}
	if err := fh.of.DelFlows(ctx, nil, false); err != nil {
		return err
	}
	if err := fh.of.AddFlows(ctx, parsed...); err != nil {
		return err
	}
	// The datapath caches flows: wait until the revalidators have
	// applied the new table, or a probe may ride an old cached flow.
	return appctl.WaitRevalidated(ctx, fh.host.OVS.VSwitchdCtl())
}

// vlanFlows forwards each port's packets to the other ports of its group.
func (fh *flowHost) vlanFlows(groups map[string]int) []string {
	var flows []string
	for _, g := range fh.guests {
		var outs []string
		for _, o := range fh.guests {
			if o != g && groups[o.Name] == groups[g.Name] {
				outs = append(outs, fmt.Sprintf("output:%d", fh.ports[o.Name]))
			}
		}
		acts := "drop"
		if len(outs) > 0 {
			acts = strings.Join(outs, ",")
		}
		flows = append(flows, fmt.Sprintf("priority=100,in_port=%d,actions=%s", fh.ports[g.Name], acts))
	}
	return flows
}

func runLab2Flows(ctx context.Context, w *sim.World, r *sim.Report) error {
	fh, err := buildFlowHost(ctx, w, 3)
	if err != nil {
		return err
	}
	vm1, vm3 := fh.guests[0], fh.guests[2]
	// Secure mode without flows: nothing passes.
	r.Reach(ctx, vm1, "vm2", "10.0.3.2", false)
	// Everybody in one "VLAN" (lab 2 before the tags).
	if err := fh.program(ctx, fh.vlanFlows(map[string]int{"vm1": 0, "vm2": 0, "vm3": 0})...); err != nil {
		return err
	}
	r.Reach(ctx, vm1, "vm2", "10.0.3.2", true)
	// vm1 in 10, vm2 in 11, vm3 in 10 (lab 2's tags and its second bridge).
	if err := fh.program(ctx, fh.vlanFlows(map[string]int{"vm1": 10, "vm2": 11, "vm3": 10})...); err != nil {
		return err
	}
	r.Reach(ctx, vm1, "vm2", "10.0.3.2", false)
	r.Reach(ctx, vm3, "vm1", "10.0.3.1", true)
	r.Reach(ctx, vm3, "vm2", "10.0.3.2", false)
	// The flows from vm1's and vm3's ports counted their packets. (vm2's
	// may count a stray IPv6 solicitation of its own: not checked.)
	if err := fh.checkCounters(ctx, r, map[string]bool{"vm3": true, "vm1": true}); err != nil {
		return err
	}
	// vm1 leaves 10 (lab 2's cleanup): it no longer reaches vm3.
	if err := fh.program(ctx, fh.vlanFlows(map[string]int{"vm1": 0, "vm2": 11, "vm3": 10})...); err != nil {
		return err
	}
	r.Reach(ctx, vm1, "vm3", "10.0.3.3", false)
	return nil
}

// checkCounters records, from dump-flows, whether each guest's flow
// counted packets.
func (fh *flowHost) checkCounters(ctx context.Context, r *sim.Report, moved map[string]bool) error {
	flows, err := fh.of.DumpFlows(ctx, nil)
	if err != nil {
		return err
	}
	for _, g := range fh.guests {
		want, ok := moved[g.Name]
		if !ok {
			continue
		}
		var packets uint64
		prefix := fmt.Sprintf("priority=100,in_port=%d ", fh.ports[g.Name])
		for _, f := range flows {
			if strings.HasPrefix(f.String(), prefix) {
				packets += f.Packets
			}
		}
		exp, obs := "no packets", "no packets"
		if want {
			exp = "packets counted"
		}
		if packets > 0 {
			obs = fmt.Sprintf("packets counted (%d)", packets)
		}
		r.Add(sim.Check{From: g.Name, To: "br-in", What: "dump-flows in_port=" + fmt.Sprint(fh.ports[g.Name]), Expected: exp, Observed: obs, Pass: (packets > 0) == want})
	}
	return nil
}

func runFirewallFlows(ctx context.Context, w *sim.World, r *sim.Report) error {
	fh, err := buildFlowHost(ctx, w, 2)
	if err != nil {
		return err
	}
	vm1, vm2 := fh.guests[0], fh.guests[1]
	p1 := fh.ports["vm1"]
	// Table 0: ARP switched normally; IP sent through conntrack into
	// table 1. Table 1: new connections only from vm1 (committed),
	// replies and related packets of known ones, nothing else.
	err = fh.program(ctx,
		"table=0,priority=100,arp,actions=NORMAL",
		"table=0,priority=90,ip,actions=ct(table=1)",
		fmt.Sprintf("table=1,priority=100,ip,ct_state=+trk+new,in_port=%d,actions=ct(commit),NORMAL", p1),
		"table=1,priority=100,ip,ct_state=+trk+est,actions=NORMAL",
		"table=1,priority=100,ip,ct_state=+trk+rel,actions=NORMAL",
		"table=1,priority=1,ip,actions=drop",
	)
	if err != nil {
		return err
	}
	r.Reach(ctx, vm1, "vm2", "10.0.3.2", true)
	r.Reach(ctx, vm2, "vm1", "10.0.3.1", false)
	tcp := func(from, to *sim.Guest, addr string, want bool) error {
		ln, err := to.Node.NS.ListenTCP(addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				_, _ = io.WriteString(c, "hello\n")
				c.Close()
			}
		}()
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		obs := "no connection"
		pass := !want
		c, err := from.Node.NS.DialTCP(dctx, addr)
		if err == nil {
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			line := make([]byte, 6)
			_, rerr := io.ReadFull(c, line)
			c.Close()
			if rerr == nil && string(line) == "hello\n" {
				obs, pass = "connected, reply received", want
			} else {
				obs = "connected, no reply"
			}
		} else if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "timeout") {
			obs = "error: " + err.Error()
		}
		exp := "no connection"
		if want {
			exp = "connected, reply received"
		}
		r.Add(sim.Check{From: from.Name, To: to.Name + " " + addr, What: "tcp connect", Expected: exp, Observed: obs, Pass: pass})
		return nil
	}
	if err := tcp(vm1, vm2, "10.0.3.2:8080", true); err != nil {
		return err
	}
	if err := tcp(vm2, vm1, "10.0.3.1:8080", false); err != nil {
		return err
	}
	return nil
}
