package openflow

import (
	"errors"
	"testing"
)

// The flow mods that add a flow, printed back as ovs-ofctl's parse-flows
// prints them (Open vSwitch 3.1's tests/ovs-ofctl.at, its outputs).
func TestAddMessage(t *testing.T) {
	for _, tc := range []struct {
		flow      string
		ver       Version
		format    FlowFormat
		tableID   bool
		verbosity int
		want      string
	}{
		{"tcp,tp_src=123,actions=flood", OpenFlow10, FormatOpenFlow10, false, 0,
			"OFPT_FLOW_MOD (xid=0x0): ADD tcp,tp_src=123 actions=FLOOD"},
		{"cookie=0x123456789abcdef hard_timeout=10 priority=60000 actions=controller", OpenFlow10, FormatOpenFlow10, false, 0,
			"OFPT_FLOW_MOD (xid=0x0): ADD priority=60000 cookie:0x123456789abcdef hard:10 actions=CONTROLLER:65535"},
		{"ip,actions=set_field:10.4.3.77->ip_src,mod_nw_ecn:2", OpenFlow10, FormatOpenFlow10, false, 0,
			"OFPT_FLOW_MOD (xid=0x0): ADD ip actions=mod_nw_src:10.4.3.77,load:0x2->NXM_NX_IP_ECN[]"},
		{"actions=note:41.42.43", OpenFlow10, FormatOpenFlow10, false, 0,
			"OFPT_FLOW_MOD (xid=0x0): ADD actions=note:41.42.43.00.00.00"},
		// The table in the command: 255 for a flow that names none.
		{"udp dl_vlan_pcp=7 idle_timeout=5 actions=strip_vlan output:0", OpenFlow10, FormatNXM, true, 0,
			"NXT_FLOW_MOD (xid=0x0): ADD table:255 udp,dl_vlan_pcp=7 idle:5 actions=strip_vlan,output:0"},
		{"table=1,actions=drop", OpenFlow10, FormatNXM, true, 0, "NXT_FLOW_MOD (xid=0x0): ADD table:1 actions=drop"},
		{"send_flow_rem,actions=output:1,output:NXM_NX_REG0,output:2", OpenFlow10, FormatNXM, true, 0,
			"NXT_FLOW_MOD (xid=0x0): ADD table:255 send_flow_rem actions=output:1,output:NXM_NX_REG0[],output:2"},
		{"mpls,mpls_label=1,actions=set_mpls_label(0x10)", OpenFlow10, FormatNXM, false, 0,
			"NXT_FLOW_MOD (xid=0x0): ADD mpls,mpls_label=1 actions=set_mpls_label(16)"},
		// -mmm: a Nicira match as its entries, in Open vSwitch's order.
		{"in_port=3 icmp6,ipv6_src=2001:db8:3c4d:1::1,icmp_type=134 actions=drop", OpenFlow10, FormatNXM, false, 3,
			"NXT_FLOW_MOD (xid=0x0): ADD NXM_OF_IN_PORT(0003), NXM_OF_ETH_TYPE(86dd), NXM_NX_IPV6_SRC(20010db83c4d00010000000000000001), NXM_OF_IP_PROTO(3a), NXM_NX_ICMPV6_TYPE(86) actions=drop"},
		{"arp,dl_src=00:0A:E4:25:6B:B0,arp_sha=00:0A:E4:25:6B:B0 actions=drop", OpenFlow10, FormatNXM, false, 3,
			"NXT_FLOW_MOD (xid=0x0): ADD NXM_OF_ETH_SRC(000ae4256bb0), NXM_OF_ETH_TYPE(0806), NXM_NX_ARP_SHA(000ae4256bb0) actions=drop"},
		{"cookie=0x123456789abcdef hard_timeout=10 priority=60000 actions=controller", OpenFlow10, FormatNXM, false, 3,
			"NXT_FLOW_MOD (xid=0x0): ADD <any> cookie:0x123456789abcdef hard:10 pri:60000 actions=CONTROLLER:65535"},
		{"in_port=LOCAL dl_vlan=9 dl_src=00:0A:E4:25:6B:B0 actions=mod_vlan_vid:7,mod_vlan_pcp:2", OpenFlow12, FormatOXM, true, 0,
			"OFPT_FLOW_MOD (OF1.2) (xid=0x0): ADD in_port=LOCAL,dl_vlan=9,dl_src=00:0a:e4:25:6b:b0 actions=set_field:4103->vlan_vid,set_field:2->vlan_pcp"},
		{"ip actions=mod_nw_src:10.1.1.2,mod_nw_ttl:1,mod_nw_tos:16,mod_nw_ecn:2", OpenFlow12, FormatOXM, true, 0,
			"OFPT_FLOW_MOD (OF1.2) (xid=0x0): ADD ip actions=set_field:10.1.1.2->ip_src,mod_nw_ttl:1,set_field:4->ip_dscp,set_field:2->nw_ecn"},
		{"udp dl_vlan_pcp=7 idle_timeout=5 actions=strip_vlan output:0", OpenFlow11, FormatOpenFlow11, true, 0,
			"OFPT_FLOW_MOD (OF1.1) (xid=0x0): ADD udp,dl_vlan_pcp=7 idle:5 actions=pop_vlan,output:0"},
		{"ip,actions=mod_nw_ttl:1,set_field:10.4.3.77->ip_src,mod_nw_ecn:2", OpenFlow11, FormatOpenFlow11, true, 0,
			"OFPT_FLOW_MOD (OF1.1) (xid=0x0): ADD ip actions=mod_nw_ttl:1,mod_nw_src:10.4.3.77,mod_nw_ecn:2"},
		{"metadata=0x1/0x1,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=write_metadata:0x5/0xff,goto_table:3", OpenFlow11, FormatOpenFlow11, true, 0,
			"OFPT_FLOW_MOD (OF1.1) (xid=0x0): ADD metadata=0x1/0x1,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=write_metadata:0x5/0xff,goto_table:3"},
		{"table=2,importance=7,actions=drop", OpenFlow14, FormatOXM, true, 0,
			"OFPT_FLOW_MOD (OF1.4) (xid=0x0): ADD table:2 importance:7 actions=drop"},
	} {
		f, err := ParseFlow(tc.flow)
		if err != nil {
			t.Fatalf("%s: %v", tc.flow, err)
		}
		m, err := f.AddMessage(tc.ver, tc.format, tc.tableID)
		if err != nil {
			t.Fatalf("%s: %v", tc.flow, err)
		}
		// The message goes through its bytes, as a file of them.
		if got := m.Format(tc.verbosity); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.flow, got, tc.want)
		}
	}
}

// A flow the format cannot carry, and a format the version does not have,
// are refused before any message is made.
func TestAddMessageRefused(t *testing.T) {
	f, err := ParseFlow("reg0=1,actions=drop")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.AddMessage(OpenFlow10, FormatOpenFlow10, false)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Usable != FormatNXM|FormatOXM || !errors.Is(err, ErrUnsupported) {
		t.Errorf("reg0 in OpenFlow 1.0's match: %v", err)
	}
	if _, err := f.AddMessage(OpenFlow13, FormatNXM, false); !errors.Is(err, ErrUnsupported) {
		t.Errorf("NXM at 1.3: %v", err)
	}
	if _, err := f.AddMessage(Version(9), FormatOXM, false); !errors.Is(err, ErrVersion) {
		t.Errorf("version 9: %v", err)
	}
}

// The flow formats of a match, field by field as Open vSwitch decides
// them (ovs-ofctl.at's "parse-flows choice of protocol").
func TestMatchFormats(t *testing.T) {
	const std = FormatOpenFlow10 | FormatNXM | FormatOXM | FormatOpenFlow11
	const ext = FormatNXM | FormatOXM
	const of11 = ext | FormatOpenFlow11
	for _, tc := range []struct {
		match string
		want  FlowFormat
	}{
		{"in_port=1", std}, {"metadata=1/1", of11}, {"reg0=0", ext}, {"xxreg3[126..127]=3", ext}, {"reg3[]=3", ext},
		{"dl_src=00:11:22:33:44:55", std}, {"dl_src=00:11:22:33:44:55/00:ff:ff:ff:ff:ff", of11},
		{"vlan_tci=0x1009", std}, {"vlan_tci=0x1009/0x1", ext}, {"vlan_vid=11", std}, {"vlan_vid=11/0x1", ext},
		{"dl_vlan_pcp=6", std}, {"mpls,mpls_label=5", of11}, {"mpls,mpls_bos=0", ext},
		{"ip,ip_src=192.168.0.0/24", std}, {"ip,ip_src=192.0.168.0/255.0.255.0", of11},
		{"ipv6,nw_proto=1", ext}, {"ipv6,nw_tos=0xf0", ext}, {"ip,nw_ecn=1", of11}, {"ipv6,nw_ecn=1", ext},
		{"ip,nw_ttl=5", ext}, {"arp,arp_tpa=1.2.3.4/0.0.0.1", of11}, {"arp,arp_sha=00:11:22:33:44:55", ext},
		{"tcp,tcp_src=0x1000/0x1000", ext}, {"tcp6,tcp_src=80", ext}, {"icmp6,icmpv6_type=1", ext},
		{"ct_state=+trk", ext}, {"tun_metadata0", ext},
	} {
		f, err := ParseFlow(tc.match + ",actions=drop")
		if err != nil {
			t.Errorf("%s: %v", tc.match, err)
			continue
		}
		if got := f.Formats(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.match, got, tc.want)
		}
	}
	if got := (FormatOpenFlow10 | FormatNXM | FormatOXM | FormatOpenFlow11).String(); got != "any" {
		t.Errorf("every format prints %q, want any", got)
	}
}

// Parsing reports the fields it dropped for want of their prerequisites,
// with the match as written.
func TestNormalization(t *testing.T) {
	for _, tc := range []struct {
		flow, pre, post string
	}{
		{"nw_src=1.2.3.4,actions=5", "nw_src=1.2.3.4", ""},
		{"ip,nw_proto=21,tp_src=443,actions=drop", "ip,nw_proto=21,tp_src=443", "ip,nw_proto=21"},
		{"arp,nw_tos=4,actions=drop", "arp,nw_tos=4", "arp"},
		{"tcp,tp_src=80,actions=drop", "", "tcp,tp_src=80"},
	} {
		f, err := ParseFlow(tc.flow)
		if err != nil {
			t.Fatalf("%s: %v", tc.flow, err)
		}
		pre, changed := f.Normalization()
		if pre != tc.pre || changed != (tc.pre != "") || f.Match.String() != tc.post {
			t.Errorf("%s: (%q, %v) then %q, want %q then %q", tc.flow, pre, changed, f.Match.String(), tc.pre, tc.post)
		}
	}
}
