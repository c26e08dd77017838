package bridge

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DOT returns the switch as a Graphviz graph (`dot -Tsvg` draws it): a
// cluster per bridge, a node per port with its VLAN tag or trunks and its
// interfaces' types, dashed edges between patch peers and from each tunnel
// to its remote IP.
// Equivalent to: ovskit --format=dot show
func (sw *Switch) DOT() string {
	var b strings.Builder
	b.WriteString("graph ovs {\n")
	b.WriteString("  graph [rankdir=LR, fontname=Helvetica];\n  node [shape=box, fontname=Helvetica, fontsize=10];\n  edge [fontname=Helvetica, fontsize=9];\n")
	for _, t := range sw.WriteDOT(&b, "", "  ") {
		remote := DOTQuote("remote " + t.RemoteIP)
		fmt.Fprintf(&b, "  %s [shape=ellipse, label=%s];\n", remote, DOTQuote(t.RemoteIP))
		fmt.Fprintf(&b, "  %s -- %s [style=dashed, label=%s];\n", t.Node, remote, DOTQuote(t.Type))
	}
	b.WriteString("}\n")
	return b.String()
}

// DOTTunnel is a tunnel port WriteDOT drew: its node, its type and where
// it leads.
type DOTTunnel struct {
	Node, Type, RemoteIP string
}

// tunnelTypes are the interface types that carry a remote_ip.
var tunnelTypes = []string{"gre", "vxlan", "geneve", "erspan", "ip6gre", "ip6erspan", "gtpu", "bareudp", "stt", "lisp", "srv6"}

// DOTPort returns the node ID WriteDOT gives a port of a bridge, for a
// graph of several switches to draw edges to it.
func DOTPort(id, bridge, port string) string { return DOTQuote(id + "/" + bridge + "/" + port) }

// WriteDOT writes the switch's bridges, as clusters of port nodes, and
// the edges between patch peers into a graph being built; node IDs start
// with id, so that a graph can hold several switches. It returns the
// tunnels, for the caller to connect.
func (sw *Switch) WriteDOT(b *strings.Builder, id, indent string) []DOTTunnel {
	var tunnels []DOTTunnel
	type patch struct{ bridge, port, peer string }
	var patches []patch
	owner := map[string]string{} // interface → bridge/port node
	for _, br := range sw.Bridges {
		fmt.Fprintf(b, "%ssubgraph %s {\n", indent, DOTQuote("cluster_"+id+"/"+br.Name))
		label := []string{"bridge " + br.Name}
		if br.DatapathType != "" {
			label[0] += " (" + br.DatapathType + ")"
		}
		if br.FailMode != "" {
			label = append(label, "fail_mode "+br.FailMode)
		}
		for _, c := range br.Controllers {
			label = append(label, "controller "+c.Target)
		}
		fmt.Fprintf(b, "%s  label=%s;\n", indent, dotLabel(label...))
		for _, p := range br.Ports {
			node := DOTPort(id, br.Name, p.Name)
			lines := []string{p.Name}
			if p.Tag != nil {
				lines = append(lines, "tag "+strconv.Itoa(*p.Tag))
			}
			if len(p.Trunks) > 0 {
				ts := make([]string, len(p.Trunks))
				for i, t := range p.Trunks {
					ts[i] = strconv.Itoa(t)
				}
				lines = append(lines, "trunks "+strings.Join(ts, ","))
			}
			shape := "box"
			for _, i := range p.Interfaces {
				owner[i.Name] = node
				switch {
				case i.Name != p.Name && i.Type != "":
					lines = append(lines, i.Name+" ("+i.Type+")")
				case i.Name != p.Name:
					lines = append(lines, i.Name)
				case i.Type != "":
					lines = append(lines, i.Type)
				}
				switch {
				case i.Type == "internal":
					shape = "box, style=rounded"
				case i.Type == "patch":
					shape = "cds"
					patches = append(patches, patch{br.Name, p.Name, i.Options["peer"]})
				case slices.Contains(tunnelTypes, i.Type):
					shape = "hexagon"
					if r := i.Options["remote_ip"]; r != "" {
						lines = append(lines, "remote_ip "+r)
						tunnels = append(tunnels, DOTTunnel{Node: node, Type: i.Type, RemoteIP: r})
					}
				}
			}
			fmt.Fprintf(b, "%s  %s [label=%s, shape=%s];\n", indent, node, dotLabel(lines...), shape)
		}
		fmt.Fprintf(b, "%s}\n", indent)
	}
	// One edge per patch pair, drawn from the end whose name sorts first.
	for _, p := range patches {
		peer, ok := owner[p.peer]
		self := DOTPort(id, p.bridge, p.port)
		if ok && self < peer {
			fmt.Fprintf(b, "%s%s -- %s [style=dashed, label=patch];\n", indent, self, peer)
		}
	}
	return tunnels
}

// DOTQuote quotes s as a DOT ID.
func DOTQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// dotLabel quotes lines as one DOT label, a line each.
func dotLabel(lines ...string) string {
	q := make([]string, len(lines))
	for i, l := range lines {
		quoted := DOTQuote(l)
		q[i] = quoted[1 : len(quoted)-1]
	}
	return `"` + strings.Join(q, `\n`) + `"`
}
