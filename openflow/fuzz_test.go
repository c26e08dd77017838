package openflow

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// FuzzParseFlow: the parser never panics, and whatever it accepts prints
// as text that parses back to the same flow.
func FuzzParseFlow(f *testing.F) {
	for _, s := range []string{
		"table=0,priority=100,in_port=1,dl_vlan=10,actions=strip_vlan,output:2",
		"ip,nw_src=10.0.0.1/24,actions=drop", "tcp,tp_dst=0x10/0xfff0,actions=ct(commit,zone=5,table=2)",
		"arp,arp_op=1,arp_sha=52:54:00:00:00:01,actions=load:0x1->NXM_NX_REG0[0..3],resubmit(,2)",
		"ipv6,ipv6_src=2001:db8::/64,actions=set_field:10->reg1,goto_table:3",
		"ct_state=+trk-new,ip,actions=note:01.02,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
		"cookie=0x5,idle_timeout=30,send_flow_rem,metadata=0x1/0xff,actions=group:3,write_metadata:0x2/0xf",
		"actions=mod_vlan_vid:10,mod_nw_src:10.0.0.1,controller:64,normal",
		"tcp,actions=ct(commit,zone=3,nat(src=10.0.0.1-10.0.0.9:1000-2000,persistent,hash),exec(set_field:0x5->ct_mark))",
		"actions=set_queue:3 pop_queue exit mod_nw_ttl:9",
		"actions=learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],output:NXM_OF_IN_PORT[],reg1=5)",
		"actions=sample(probability=12345,collector_set_id=1,obs_domain_id=2,obs_point_id=3,sampling_port=4,egress)",
		"actions=bundle_load(symmetric_l4,60,hrw,ofport,reg0[0..15],members:[2,3]),multipath(eth_src,50,hrw,12,0,NXM_NX_REG1[0..3])",
		"actions=push:reg0[0..31],pop:NXM_NX_REG1[],output(port=LOCAL,max_len=100),controller(reason=invalid_ttl,id=5)",
		"tcp,actions=fin_timeout(idle_timeout=5),ct(commit,nat(src=[fe80::1]-[fe80::9]:1-9,random),alg=ftp)",
		"icmp6,icmp_type=136,nd_target=fec0::/96,nd_tll=00:0a:e4:25:6b:b1,ct_label=0x1/0xff,actions=drop",
		"mpls,mpls_label=5,mpls_tc=1,mpls_ttl=1,mpls_bos=0,actions=set_mpls_ttl(3),set_mpls_label(9)",
		"xxreg1=0x12/0xff,tun_flags=+oam,tun_gbp_id=5,ip,ip_frag=later,tp_src[3..5]=2,actions=load:0x1->ct_label[]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fl, err := ParseFlow(s)
		if err != nil {
			return
		}
		text := fl.String()
		back, err := ParseFlow(text)
		if err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", s, text, err)
		}
		if back.String() != text {
			t.Fatalf("%q prints as %q, which prints as %q", s, text, back.String())
		}
		// Its wire form, as a switch would report it, decodes to the same
		// flow.
		got, _, err := decodeFlowStats(statsEntry(fl))
		if err != nil {
			t.Fatalf("%q: its statistics do not decode: %v", text, err)
		}
		if got.String() != text {
			t.Fatalf("%q decodes from the wire as %q", text, got.String())
		}
	})
}

// FuzzDecodeFlowStats: malformed flow statistics from a switch are errors,
// never panics.
func FuzzDecodeFlowStats(f *testing.F) {
	for _, s := range []string{"in_port=1,actions=output:2", "tcp,tp_dst=80,actions=ct(commit),goto_table:2", "actions=note:01,load:1->NXM_NX_REG0[]"} {
		fl, err := ParseFlow(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(statsEntry(fl))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			_, n, err := decodeFlowStats(b)
			if err != nil {
				return
			}
			b = b[n:]
		}
	})
}

// statsEntry builds the flow stats entry a switch would send for fl.
func statsEntry(fl *Flow) []byte {
	b := make([]byte, 48)
	b[2] = fl.Table
	binary.BigEndian.PutUint16(b[12:], uint16(fl.Priority))
	binary.BigEndian.PutUint16(b[14:], fl.IdleTimeout)
	binary.BigEndian.PutUint16(b[16:], fl.HardTimeout)
	binary.BigEndian.PutUint16(b[18:], fl.flags())
	binary.BigEndian.PutUint64(b[24:], fl.Cookie)
	b = fl.Match.appendMatch(b)
	b = appendInstructions(b, fl.Actions)
	binary.BigEndian.PutUint16(b, uint16(len(b)))
	return b
}

// TestStatsRoundTrip: a flow encoded as a switch's statistics decodes to
// the same flow.
func TestStatsRoundTrip(t *testing.T) {
	for _, s := range []string{
		"priority=100,in_port=1,dl_vlan=10 actions=pop_vlan,output:2",
		"cookie=0x5, table=1, priority=5,arp,arp_tpa=10.0.0.1 actions=load:0x1->NXM_NX_REG0[],resubmit(,2)",
		"tcp,tp_dst=80 actions=drop",
		"ct_state=-new+trk,ip actions=ct(commit,zone=5),output:3",
		"reg3=0/0xff,tun_id=0x7,metadata=0x10/0xf0 actions=write_metadata:0x1/0xff,goto_table:2",
		"ipv6,ipv6_src=2001:db8::/64 actions=set_field:0xa->reg1,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
		"icmp,icmp_type=8,icmp_code=0 actions=CONTROLLER:65535,note:01.02.00.00.00.00",
		"actions=sample(probability=12345,collector_set_id=23456,obs_domain_id=34567,obs_point_id=45678,sampling_port=56789,egress)",
		"actions=bundle_load(symmetric_l4,60,hrw,ofport,NXM_NX_REG0[0..15],members:2,3),multipath(symmetric_l3,1024,iter_hash,5000,5050,NXM_NX_REG0[0..12])",
		"actions=push:NXM_NX_REG0[],pop:NXM_NX_REG0[],output(port=LOCAL,max_len=123),controller(reason=invalid_ttl,max_len=123,id=555)",
		"tcp actions=fin_timeout(idle_timeout=5,hard_timeout=15),ct(commit,nat(src=[fe80::20c:29ff:fe88:1]-[fe80::20c:29ff:fe88:a18b]:255-4096,random),alg=ftp)",
		"icmp6,icmp_type=136,nd_target=fec0:0:1234:f045:8fff:1111::/96,nd_tll=00:0a:e4:25:6b:b1 actions=drop",
		"mpls,mpls_label=5,mpls_tc=1,mpls_ttl=1,mpls_bos=0 actions=set_mpls_ttl(3),set_field:9->mpls_label",
		"ct_state=+trk,ct_label=0x1234567890abcdef12345678,ip actions=ct(commit,exec(load:0x1->NXM_NX_CT_LABEL[0..63],load:0->NXM_NX_CT_LABEL[64..127]))",
		"ip,tun_gbp_id=5,tun_gbp_flags=0x3,tun_flags=+oam,nw_frag=later actions=drop",
	} {
		fl, err := ParseFlow(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		got, n, err := decodeFlowStats(statsEntry(fl))
		if err != nil || n != len(statsEntry(fl)) {
			t.Fatalf("%q: %v", s, err)
		}
		if got.String() != s {
			t.Errorf("%q decodes as %q", s, got.String())
		}
	}
}

// TestSortFlows: sorting by a field puts flows without it last in both
// directions, keys apply in turn, and ties end by priority, highest
// first.
func TestSortFlows(t *testing.T) {
	parse := func(ss ...string) []*Flow {
		var out []*Flow
		for _, s := range ss {
			f, err := ParseFlow(s)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, f)
		}
		return out
	}
	names := func(fs []*Flow) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.String())
		}
		return out
	}
	in := []string{
		"priority=5,tcp,tp_dst=80 actions=drop",
		"priority=9 actions=drop",
		"priority=1,tcp,tp_dst=22 actions=drop",
		"priority=5,tcp,tp_dst=22 actions=output:1",
	}
	for _, tt := range []struct {
		keys []SortKey
		want []int
	}{
		{[]SortKey{{}}, []int{2, 0, 3, 1}},
		{[]SortKey{{Descending: true}}, []int{1, 0, 3, 2}},
		{[]SortKey{{Field: "tp_dst"}}, []int{3, 2, 0, 1}},
		{[]SortKey{{Field: "tp_dst", Descending: true}}, []int{0, 3, 2, 1}},
		{[]SortKey{{Field: "nw_dst"}}, []int{1, 0, 3, 2}},
		{[]SortKey{{Field: "tp_dst"}, {Field: "priority", Descending: true}}, []int{3, 2, 0, 1}},
	} {
		flows := parse(in...)
		if err := SortFlows(flows, tt.keys...); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, i := range tt.want {
			want = append(want, parse(in[i])[0].String())
		}
		if got := names(flows); !slices.Equal(got, want) {
			t.Errorf("%+v:\n got %q\nwant %q", tt.keys, got, want)
		}
	}
	if err := SortFlows(parse(in...), SortKey{Field: "nosuch"}); !errors.Is(err, ErrSyntax) {
		t.Errorf("unknown field: %v", err)
	}
}
