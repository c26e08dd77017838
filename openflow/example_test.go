package openflow_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/openflow"
)

// A flow in ovs-ofctl's syntax, printed as the switch will report it
// (OpenFlow 1.3 has no strip_vlan: it is pop_vlan).
func ExampleParseFlow() {
	f, err := openflow.ParseFlow("table=0,priority=100,in_port=1,dl_vlan=10,actions=strip_vlan,output:2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f)
	_, err = openflow.ParseFlow("in_port=1,actions=frobnicate")
	fmt.Println(err)
	// Output:
	// priority=100,in_port=1,dl_vlan=10 actions=pop_vlan,output:2
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
