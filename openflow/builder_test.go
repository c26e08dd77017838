package openflow_test

import (
	"errors"
	"fmt"
	"log"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/ovskit/ovskit/openflow"
)

// TestNewMatch: a match built in Go is the match ParseFlow reads from the
// same fields, and what the parser refuses, NewMatch refuses with the
// same *SyntaxError before anything is sent.
func TestNewMatch(t *testing.T) {
	mac, _ := net.ParseMAC("52:54:00:00:00:01")
	tests := []struct {
		name   string
		fields []openflow.MatchField
		want   string // the match as ParseFlow prints it; "" when refused
		err    string
	}{
		{"in port and vlan", []openflow.MatchField{openflow.InPort(1), openflow.VLAN(10)}, "in_port=1,dl_vlan=10", ""},
		{"tcp to a prefix", []openflow.MatchField{openflow.Protocol(openflow.ProtoTCP), openflow.IPv4Dst(netip.MustParsePrefix("10.0.0.0/24")), openflow.TCPDst(80)}, "tcp,nw_dst=10.0.0.0/24,tp_dst=80", ""},
		{"ipv6 source", []openflow.MatchField{openflow.Protocol(openflow.ProtoIPv6), openflow.IPv6Src(netip.MustParsePrefix("2001:db8::/64"))}, "ipv6,ipv6_src=2001:db8::/64", ""},
		{"registers", []openflow.MatchField{openflow.Reg(0, 5, 0xff), openflow.Reg(15, 2, 0xffffffff), openflow.Metadata(3, ^uint64(0))}, "reg0=0x5/0xff,reg15=0x2,metadata=0x3", ""},
		{"ethernet", []openflow.MatchField{openflow.EthSrc(mac), openflow.EthType(0x88cc)}, "dl_src=52:54:00:00:00:01,dl_type=0x88cc", ""},
		{"conntrack", []openflow.MatchField{openflow.Protocol(openflow.ProtoIP), openflow.CTState(openflow.CTTracked|openflow.CTEstablished, openflow.CTNew), openflow.CTZone(5)}, "ct_state=-new+est+trk,ct_zone=5,ip", ""},
		{"icmp", []openflow.MatchField{openflow.Protocol(openflow.ProtoICMP), openflow.ICMPType(8), openflow.ICMPCode(0)}, "icmp,icmp_type=8,icmp_code=0", ""},
		{"arp", []openflow.MatchField{openflow.Protocol(openflow.ProtoARP), openflow.ARPOp(1), openflow.ARPTpa(netip.MustParsePrefix("10.0.0.1/32"))}, "arp,arp_tpa=10.0.0.1,arp_op=1", ""},
		{"any field", []openflow.MatchField{openflow.Field("tun_id", "0x5/0xff")}, "tun_id=0x5/0xff", ""},
		{"bad register", []openflow.MatchField{openflow.Reg(16, 1, 1)}, "", "reg16"},
		{"bad vlan", []openflow.MatchField{openflow.VLAN(4096)}, "", "dl_vlan"},
		{"bad field", []openflow.MatchField{openflow.Field("nosuch", "1")}, "", "nosuch"},
		{"bad value", []openflow.MatchField{openflow.Field("tun_flags", "0/0x6")}, "", "unknown tunnel flag"},
		{"ipv6 prefix for ipv4", []openflow.MatchField{openflow.IPv4Src(netip.MustParsePrefix("2001:db8::/64"))}, "", "not an IPv4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := openflow.NewMatch(tt.fields...)
			if tt.want == "" {
				var se *openflow.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("NewMatch: %v; want a *SyntaxError", err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Errorf("NewMatch: %v; want it to name %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.String(); got != tt.want {
				t.Errorf("NewMatch = %q, want %q", got, tt.want)
			}
			f, err := openflow.ParseFlow(tt.want + ",actions=drop")
			if err != nil {
				t.Fatal(err)
			}
			if f.Match.String() != m.String() || (&openflow.Flow{Match: m, Priority: openflow.DefaultPriority}).String() != f.String() {
				t.Errorf("ParseFlow of %q reads %q", tt.want, f.Match.String())
			}
		})
	}
}

// A flow built in Go, with the parser's validation, printed as the switch
// will report it.
func ExampleNewMatch() {
	m, err := openflow.NewMatch(
		openflow.InPort(1),
		openflow.Protocol(openflow.ProtoTCP),
		openflow.IPv4Dst(netip.MustParsePrefix("10.0.0.0/24")),
		openflow.TCPDst(443),
	)
	if err != nil {
		log.Fatal(err)
	}
	f := &openflow.Flow{Priority: 100, Match: m, Actions: []openflow.Action{openflow.Output{Port: 2}}}
	fmt.Println(f)
	_, err = openflow.NewMatch(openflow.VLAN(5000))
	fmt.Println(err)
	// Output:
	// priority=100,tcp,in_port=1,nw_dst=10.0.0.0/24,tp_dst=443 actions=output:2
	// 5000: invalid dl_vlan
}
