package openflow_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/openflow"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestRefusesWhatOvsOfctlRefuses: for each line, ovs-ofctl parse-flow (an
// offline command: nothing is sent) is the judge. A line it refuses,
// ParseFlow refuses with a *SyntaxError before anything could be sent (the
// switch would otherwise install a truncated value or a flow that drops
// the named actions); a line it accepts, ParseFlow accepts and prints as
// ovs-ofctl does.
func TestRefusesWhatOvsOfctlRefuses(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	for _, line := range []string{
		"actions=resubmit(65536)",
		"actions=resubmit:65536",
		"actions=resubmit(,256)",
		"actions=learn(NXM_NX_REG0[]=0x100000000)",
		"actions=learn(reg0=0x100000000)",
		"actions=learn(load:0x100000000->NXM_NX_REG0[])",
		"actions=drop,output:1",
		"actions=output:1,drop",
		"actions=drop,goto_table:1",
		"tun_flags[1..2]=0,actions=drop",
		"reg0[0..3=5,actions=drop",
		"tun_flags=0/0x6,actions=drop",
		"ct_state=0x100,actions=drop",
		"ct_state=0x1/0x101,actions=drop",
		"ct_state=0actions=",
		"actions=load:0x10->NXM_NX_REG0[0..3]",
		"actions=set_field:0x100->ip_dscp",
		"actions=mod_vlan_vid:4096",
		"actions=ct(zone=NXM_NX_REG0[0..7])",
		"actions=check_pkt_larger(1500)->NXM_NX_REG0[0..1]",
		"actions=write_actions(drop,output:1)",
		"actions=unknown_action(ffff)",
		"dl_vlan=1,actions=set_field:8->vlan_pcp",
		"ip,actions=set_field:64->ip_dscp",
		"ip,actions=set_field:4->nw_ecn",
		"ipv6,actions=set_field:0x100000->ipv6_label",
		"mpls,actions=set_field:0x100000->mpls_label",
		"mpls,actions=set_field:8->mpls_tc",
		"actions=load:0xf009->NXM_NX_CT_MARK[]",
		"actions=set_field:1->ct_mark",
		"actions=move:NXM_NX_REG0[]->NXM_NX_CT_MARK[]",
		"actions=clone(set_field:1->ct_label)",
		"ip,actions=ct(commit,exec(load:0x1->NXM_NX_REG0[]))",
		"ip,actions=ct(commit,exec(set_field:1->ct_label))",
		// Accepted.
		"actions=",
		"ct_state=0,actions=drop",
		"dl_vlan=1,actions=set_field:7->vlan_pcp",
		"ip,actions=set_field:63->ip_dscp",
		"ip,actions=set_field:3->nw_ecn",
		"ipv6,actions=set_field:0xfffff->ipv6_label",
		"ct_state=0x21,actions=drop",
		"tun_flags=0,actions=drop",
		"tun_flags=1/1,actions=drop",
		"actions=write_actions(drop)",
		"actions=drop",
		"actions=set_field:1->in_port",
		"actions=load:1->NXM_OF_IN_PORT[]",
		"actions=set_field:ANY->in_port",
		"actions=ct(commit,zone=NXM_NX_REG13[0..15])",
		"actions=check_pkt_larger(1500)->NXM_NX_REG0[0]",
		"actions=clear_actions,write_actions(output:1),goto_table:2",
		"actions=controller(userdata=00.01.02,pause,meter_id=3)",
		"actions=dec_ttl(1,2),dec_ttl()",
		"mpls,actions=dec_mpls_ttl,pop_mpls:0x0800",
		"actions=push_mpls:0x8847,ct_clear",
		"actions=load:0x1->OXM_OF_PKT_REG4[32..47],move:NXM_NX_XXREG0[0..31]->NXM_NX_TUN_METADATA0[0..31]",
		"actions=set_field:0xfe80000000000000000000fffe000001->xxreg1",
		// Match fields of the connection tracker's tuple (OVN's load
		// balancers), of recirculation and of IPv6 tunnels.
		"ct_state=+est+trk,ip,ct_nw_src=10.0.0.1,ct_nw_dst=10.0.0.0/8,actions=drop",
		"ct_state=+trk-inv,tcp,ct_nw_proto=6,ct_tp_src=1000,ct_tp_dst=0x50/0xfff0,actions=drop",
		"ct_state=+new+trk,ipv6,ct_ipv6_src=fe80::1,ct_ipv6_dst=fe80::/64,actions=drop",
		"ct_nw_src=10.0.0.1,actions=drop",
		"ct_state=+trk,ct_nw_src=10.0.0.1,actions=drop",
		"ct_state=+trk,ip,ct_tp_dst=80,actions=drop",
		"recirc_id=5,dp_hash=0x1/0xf,actions=drop",
		"tun_ipv6_src=2001:db8::1,tun_ipv6_dst=2001:db8::/64,actions=drop",
	} {
		t.Run(line, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow13", "parse-flow", line).CombinedOutput()
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				t.Fatal(err)
			}
			refused := err != nil
			f, perr := openflow.ParseFlow(line)
			var se *openflow.SyntaxError
			switch {
			case refused && perr == nil:
				t.Errorf("ovs-ofctl refuses it (%s); ParseFlow reads %s", out, f)
			case refused && !errors.As(perr, &se):
				t.Errorf("ParseFlow: %v; want a *SyntaxError", perr)
			case !refused && perr != nil:
				t.Errorf("ovs-ofctl accepts it (%s); ParseFlow: %v", out, perr)
			case !refused:
				// parse-flow prints the flow_mod: "... ADD MATCH actions=ACTIONS".
				// (A flow whose prerequisites the switch would refuse, it
				// cannot print: "***decode error: OFPBMC_BAD_PREREQ***".)
				_, want, _ := strings.Cut(strings.TrimSpace(string(out)), "): ADD ")
				if got := f.String(); got != want && !strings.Contains(string(out), "***decode error") {
					t.Errorf("ParseFlow reads it as %q; ovs-ofctl as %q", got, want)
				}
			}
		})
	}
}

// TestUnknownMatchField: a match field this package cannot name (an NSH
// field, a non-Ethernet packet type) does not fail the dump: the flow
// keeps it as unknown_field(HEX), which prints, parses back and is
// written back as it came.
func TestUnknownMatchField(t *testing.T) {
	_, sw := newOFSwitch(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, ver := range []openflow.Version{openflow.OpenFlow13, openflow.OpenFlow15} {
		t.Run(ver.String(), func(t *testing.T) {
			c, own := dialBoth(ctx, t, sw, ver)
			for _, br := range []string{sw.a, sw.b} {
				if out, err := ofctl(ctx, ver, "del-flows", br); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
			}
			for _, f := range []string{
				"priority=5,dl_type=0x894f,nsh_spi=0x5,actions=drop",
				"priority=6,packet_type=(1,0x800),actions=drop",
				"priority=7,in_port=1,actions=output:2",
			} {
				if out, err := ofctl(ctx, ver, "add-flow", sw.a, f); err != nil {
					t.Fatalf("add-flow %s: %v: %s", f, err, out)
				}
			}
			dumped, err := own.DumpFlows(ctx, nil)
			if err != nil {
				t.Fatalf("DumpFlows: %v", err)
			}
			unknown := 0
			for _, f := range dumped {
				if strings.Contains(f.String(), "unknown_field(") {
					unknown++
				}
				back, err := openflow.ParseFlow(f.String())
				if err != nil || back.String() != f.String() {
					t.Errorf("%s parses back as %v (%v)", f, back, err)
				}
			}
			if len(dumped) != 3 || unknown != 2 {
				t.Errorf("dumped %d flows, %d with unknown fields; want 3 and 2:\n%v", len(dumped), unknown, dumped)
			}
			if err := c.ReplaceFlows(ctx, dumped); err != nil {
				t.Fatalf("ReplaceFlows: %v", err)
			}
			if a, b := dumpSorted(ctx, t, ver, sw.a), dumpSorted(ctx, t, ver, sw.b); a != b {
				t.Errorf("the copy differs:\n--- a\n%s\n--- b\n%s", a, b)
			}
		})
	}
}

// TestRefusalWords: for these refusals ParseFlow's error says what
// ovs-ofctl's does, word for word (scripts and Open vSwitch's own tests
// read them): tests/ovs-ofctl.at's invalid masks, a TCP flag given twice;
// and a mask of all ones on a field that takes none is taken, as
// ovs-ofctl takes it.
func TestRefusalWords(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	for _, line := range []string{
		"tun_tos=1/1", "tun_ttl=1/1", "skb_priority=1/1", "eth_type=0x1234/0x1", "dl_vlan=9/0x1", "dl_vlan_pcp=6/0x1",
		"vlan_pcp=5/0x1", "mpls,mpls_label=5/0x1", "mpls,mpls_tc=1/0x1", "mpls,mpls_bos=1/0x1", "ip,nw_proto=1/1",
		"ipv6,nw_proto=1/1", "ip,nw_tos=0xf0/0xf0", "ipv6,nw_tos=0xf0/0xf0", "ip,ip_dscp=0x3c/0xf0", "ipv6,ip_dscp=0x3c/0xf0",
		"ip,nw_ecn=1/1", "ipv6,nw_ecn=1/1", "ip,nw_ttl=5/1", "ipv6,nw_ttl=5/1", "arp,arp_op=0/1", "icmp,icmp_type=1/1",
		"icmp,icmp_code=2/1", "icmp6,icmpv6_code=2/1", "tcp,tcp_flags=+ack-ack", "tcp,tcp_flags=+syn+ack-syn+fin",
		"tun_tos=1", "dl_vlan=9/0xfff",
		// Accepted: a mask of all ones.
		"eth_type=0x800/0xffff", "dl_vlan=9/0xffff", "ip,nw_tos=0xf0/0xff",
	} {
		t.Run(line, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			flow := line + ",actions=drop"
			out, err := exec.CommandContext(ctx, "ovs-ofctl", "parse-flow", flow).CombinedOutput()
			_, perr := openflow.ParseFlow(flow)
			switch {
			case err == nil && perr != nil:
				t.Errorf("ovs-ofctl accepts it; ParseFlow: %v", perr)
			case err != nil && perr == nil:
				t.Errorf("ovs-ofctl refuses it (%s); ParseFlow takes it", out)
			case err != nil && "ovs-ofctl: "+perr.Error() != strings.TrimSpace(string(out)):
				t.Errorf("ParseFlow says %q; ovs-ofctl %q", perr, strings.TrimSpace(string(out)))
			}
		})
	}
}
