package openflow_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/openflow"
)

// A flow in ovs-ofctl's syntax, printed as ovs-ofctl prints it (a switch
// of OpenFlow 1.3 reports strip_vlan as pop_vlan, which it is there).
func ExampleParseFlow() {
	f, err := openflow.ParseFlow("table=0,priority=100,in_port=1,dl_vlan=10,actions=strip_vlan,output:2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f)
	_, err = openflow.ParseFlow("in_port=1,actions=frobnicate")
	fmt.Println(err)
	// Output:
	// priority=100,in_port=1,dl_vlan=10 actions=strip_vlan,output:2
	// frobnicate: unknown action frobnicate
}

// Programming a bridge: its flows replaced atomically, then dumped.
func ExampleConn_ReplaceFlows() {
	ctx := context.Background()
	c, err := openflow.Dial(ctx, "br0") // $OVS_RUNDIR/br0.mgmt
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var flows []*openflow.Flow
	for _, s := range []string{
		"priority=100,arp,actions=NORMAL",
		"priority=90,ip,actions=ct(table=1)",
		"table=1,priority=100,ip,ct_state=+trk+est,actions=NORMAL",
	} {
		f, err := openflow.ParseFlow(s)
		if err != nil {
			log.Fatal(err)
		}
		flows = append(flows, f)
	}
	if err := c.ReplaceFlows(ctx, flows); err != nil {
		log.Fatal(err)
	}
	dumped, err := c.DumpFlows(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range dumped {
		fmt.Println(f.StatsString())
	}
}

// Groups in ovs-ofctl's syntax.
func ExampleParseGroup() {
	g, err := openflow.ParseGroup("group_id=2,type=select,bucket=weight:10,actions=output:1,bucket=output:2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g)
	// Output:
	// group_id=2,type=select,bucket=weight:10,actions=output:1,bucket=actions=output:2
}

// Ports by name, both ways, as ovs-ofctl --names has them. The names come
// from the switch (NewPortNames of Conn.DumpPortsDesc); a name that is
// not a letter followed by letters and digits is quoted.
func ExamplePortNames() {
	names := openflow.PortNames{1: "tap0", 2: "vm-2"}
	f, err := names.ParseFlow(`in_port=tap0,actions=output:"vm-2",local`)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f)
	fmt.Println(f.Format(names, false))
	// Output:
	// in_port=1 actions=output:2,LOCAL
	// in_port=tap0 actions=output:"vm-2",LOCAL
}

// A dump ordered as ovs-ofctl dump-flows --sort=tp_dst orders it: flows
// without the field last, ties by priority, highest first.
func ExampleSortFlows() {
	var flows []*openflow.Flow
	for _, s := range []string{"priority=9,actions=drop", "priority=5,tcp,tp_dst=80,actions=drop", "priority=7,tcp,tp_dst=22,actions=drop"} {
		f, err := openflow.ParseFlow(s)
		if err != nil {
			log.Fatal(err)
		}
		flows = append(flows, f)
	}
	if err := openflow.SortFlows(flows, openflow.SortKey{Field: "tp_dst"}); err != nil {
		log.Fatal(err)
	}
	for _, f := range flows {
		fmt.Println(f)
	}
	// Output:
	// priority=7,tcp,tp_dst=22 actions=drop
	// priority=5,tcp,tp_dst=80 actions=drop
	// priority=9 actions=drop
}

// Which flow formats can carry a flow: OpenFlow 1.0's own match has no
// registers; NXM (OpenFlow 1.0 with Nicira's extensions) and OXM have
// every field.
func ExampleFlow_Formats() {
	for _, s := range []string{"ip,nw_dst=10.0.0.0/8,actions=mod_nw_tos:8,normal", "reg0=5,actions=drop", "metadata=1,actions=drop"} {
		f, err := openflow.ParseFlow(s)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.Formats())
	}
	// Output:
	// any
	// NXM,OXM
	// NXM,OXM,OpenFlow11
}

// OpenFlow 1.0 as ovs-ofctl speaks it by default: flows go as Nicira's
// flow mods with NXM matches, so registers and tunnel fields work too.
func ExampleWithVersions_openFlow10() {
	ctx := context.Background()
	c, err := openflow.Dial(ctx, "br0", openflow.WithVersions(openflow.OpenFlow10))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := openflow.ParseFlow("reg0=5,tcp,tp_dst=80,actions=mod_vlan_vid:10,output:2")
	if err != nil {
		log.Fatal(err)
	}
	if err := c.AddFlows(ctx, f); err != nil {
		log.Fatal(err)
	}
}

// ct-flush's arguments: a zone, then the original direction's tuple.
func ExampleParseCTFlush() {
	f, err := openflow.ParseCTFlush("zone=5", "ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_nw_proto=17,ct_tp_src=1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Zone, f.Proto, f.Orig.Src, f.Orig.Dst, f.Orig.SrcPort)
	// Output:
	// 5 17 10.1.1.1 10.1.1.2 1
}

// A Geneve option mapped to tun_metadata0, then matched in a flow.
func ExampleConn_AddTLVMaps() {
	ctx := context.Background()
	c, err := openflow.Dial(ctx, "br-int")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	maps, err := openflow.ParseTLVMaps("{class=0x102,type=0x80,len=4}->tun_metadata0")
	if err != nil {
		log.Fatal(err)
	}
	if err := c.AddTLVMaps(ctx, maps...); err != nil {
		log.Fatal(err)
	}
	f, err := openflow.ParseFlow("tun_metadata0=0x1234/0xffff,actions=output:1")
	if err != nil {
		log.Fatal(err)
	}
	if err := c.AddFlows(ctx, f); err != nil {
		log.Fatal(err)
	}
}

// Watching what a bridge and its controllers say.
func ExampleDialSnoop() {
	ctx := context.Background()
	s, err := openflow.DialSnoop(ctx, "br0")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	for {
		m, err := s.Next(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m.Name())
	}
}
