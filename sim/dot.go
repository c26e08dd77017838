package sim

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
)

// uplink is a host's wire to a segment (Host.Join).
type uplink struct {
	host *Host
	seg  *Underlay
	up   Uplink
}

// node returns the DOT node of the uplink's end in the host: the port of
// its OVS bridge, or the host's NIC.
func (l uplink) node() string {
	if l.up.Bridge != "" {
		return bridge.DOTPort(l.host.Name, l.up.Bridge, l.up.NIC)
	}
	return bridge.DOTQuote(l.host.Name + "/" + l.up.NIC)
}

// DOT returns the world as a Graphviz graph (`dot -Tsvg` draws it): a
// cluster per host holding its switch's bridges and ports
// (bridge.Switch.WriteDOT), a node per guest wired to its port, a node per
// segment wired to the hosts' uplinks with their addresses, each tunnel
// drawn to the host whose uplink holds its remote IP, and the helper
// namespaces (routers, upstream networks).
func (w *World) DOT(ctx context.Context) (string, error) {
	w.mu.Lock()
	hosts, guests := slices.Clone(w.hosts), slices.Clone(w.guests)
	segs, ups, nodes := slices.Clone(w.underlays), slices.Clone(w.uplinks), slices.Clone(w.nodes)
	w.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "graph %s {\n", bridge.DOTQuote(strings.TrimSuffix(w.Prefix, "-")))
	b.WriteString("  graph [rankdir=LR, fontname=Helvetica];\n  node [shape=box, fontname=Helvetica, fontsize=10];\n  edge [fontname=Helvetica, fontsize=9];\n")
	// Where each uplink address leads, for the tunnels.
	byAddr := map[string]string{}
	for _, l := range ups {
		if p, err := netip.ParsePrefix(l.up.Addr); err == nil {
			byAddr[p.Addr().String()] = l.node()
		}
	}
	var tunnels []bridge.DOTTunnel
	drawn := map[string]bool{}
	for _, h := range hosts {
		var sw *bridge.Switch
		if err := h.Client.View(ctx, func(tx *ovsdb.Tx) error {
			var err error
			sw, err = bridge.Show(tx)
			return err
		}); err != nil {
			return "", fmt.Errorf("host %s: %w", h.Name, err)
		}
		fmt.Fprintf(&b, "  subgraph %s {\n    label=%s; style=bold;\n", bridge.DOTQuote("cluster_host_"+h.Name), bridge.DOTQuote("host "+h.Name))
		tunnels = append(tunnels, sw.WriteDOT(&b, h.Name, "    ")...)
		for _, l := range ups {
			if l.host == h && l.up.Bridge == "" {
				fmt.Fprintf(&b, "    %s [label=%s, shape=box, style=dotted];\n", l.node(), bridge.DOTQuote(l.up.NIC))
			}
		}
		b.WriteString("  }\n")
		drawn[h.Name] = true
	}
	for _, s := range segs {
		fmt.Fprintf(&b, "  %s [label=%s, shape=ellipse, style=filled, fillcolor=lightgrey];\n", bridge.DOTQuote("segment "+s.Name), bridge.DOTQuote("segment "+s.Name))
		drawn[s.Name] = true
	}
	for _, l := range ups {
		fmt.Fprintf(&b, "  %s -- %s [label=%s];\n", l.node(), bridge.DOTQuote("segment "+l.seg.Name), bridge.DOTQuote(l.up.Addr))
	}
	for _, g := range guests {
		label := []string{"guest " + g.Name}
		if g.VM != nil {
			label[0] = "VM " + g.Name
		}
		if addrs, err := g.Addrs(ctx); err == nil {
			for _, a := range addrs {
				if !a.Addr().IsLinkLocalUnicast() {
					label = append(label, a.String())
				}
			}
		}
		id := bridge.DOTQuote("guest " + g.Name)
		fmt.Fprintf(&b, "  %s [label=%s, shape=component];\n", id, bridge.DOTQuote(strings.Join(label, "\n")))
		fmt.Fprintf(&b, "  %s -- %s [label=eth0];\n", id, bridge.DOTPort(g.Host.Name, g.Bridge, g.Vif))
		drawn[g.Name] = true
	}
	for _, t := range tunnels {
		if to, ok := byAddr[t.RemoteIP]; ok {
			fmt.Fprintf(&b, "  %s -- %s [style=dashed, color=blue, label=%s];\n", t.Node, to, bridge.DOTQuote(t.Type+" to "+t.RemoteIP))
			continue
		}
		remote := bridge.DOTQuote("remote " + t.RemoteIP)
		fmt.Fprintf(&b, "  %s [shape=ellipse, label=%s];\n  %s -- %s [style=dashed, label=%s];\n", remote, bridge.DOTQuote(t.RemoteIP), t.Node, remote, bridge.DOTQuote(t.Type))
	}
	for _, n := range nodes {
		if !drawn[n.Name] {
			fmt.Fprintf(&b, "  %s [label=%s, shape=octagon];\n", bridge.DOTQuote("namespace "+n.Name), bridge.DOTQuote("namespace "+n.Name))
		}
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// WriteDiagram draws the world into file: DOT for a .dot file, else the
// format of the file's extension (.svg, .png, .pdf) through graphviz's dot.
func (w *World) WriteDiagram(ctx context.Context, file string) error {
	dot, err := w.DOT(ctx)
	if err != nil {
		return err
	}
	ext := strings.TrimPrefix(filepath.Ext(file), ".")
	if ext == "dot" || ext == "gv" {
		return os.WriteFile(file, []byte(dot), 0o644)
	}
	if ext == "" {
		return fmt.Errorf("diagram %s: name a format by its extension (.svg, .png, .dot)", file)
	}
	cmd := exec.CommandContext(ctx, "dot", "-T"+ext, "-o", file)
	cmd.Stdin = strings.NewReader(dot)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("diagram %s: dot -T%s: %w: %s", file, ext, err, out)
	}
	return nil
}
