package netns_test

import (
	"encoding/hex"
	"net/netip"
	"reflect"
	"testing"

	"github.com/ovskit/ovskit/netns"
)

func TestParseFrame(t *testing.T) {
	eth := "525400000002" + "525400000001"
	ipv4 := func(proto string, payload string) string {
		// version 4, IHL 5, total length, id, flags, ttl 64, proto, checksum,
		// 10.0.0.1 > 10.0.0.2
		return "45000000" + "00000000" + "40" + proto + "0000" + "0a000001" + "0a000002" + payload
	}
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	for _, tc := range []struct {
		name  string
		frame string
		want  netns.Packet
		ok    bool
	}{
		{"icmp echo", eth + "0800" + ipv4("01", "0800f7ff00000000"), netns.Packet{Src: a, Dst: b, Proto: netns.ProtoICMP, ICMPType: 8}, true},
		{"gre", eth + "0800" + ipv4("2f", "00006558"), netns.Packet{Src: a, Dst: b, Proto: netns.ProtoGRE}, true},
		{"vxlan udp", eth + "0800" + ipv4("11", "c00012b500000000"), netns.Packet{Src: a, Dst: b, Proto: netns.ProtoUDP, DstPort: 4789}, true},
		{"tagged", eth + "8100000a" + "0800" + ipv4("11", "004400430000"), netns.Packet{Src: a, Dst: b, Proto: netns.ProtoUDP, DstPort: 67, VLAN: 10}, true},
		// Geneve, two options: OVN's class 0x0102 (4 bytes of data), then
		// class 0xffff without data.
		{"geneve", eth + "0800" + ipv4("11", "c00017c100000000"+"03006558"+"00000100"+"01020001"+"00010002"+"ffff0000"),
			netns.Packet{Src: a, Dst: b, Proto: netns.ProtoUDP, DstPort: 6081, GeneveClasses: []uint16{0x0102, 0xffff}}, true},
		{"geneve without options", eth + "0800" + ipv4("11", "c00017c100000000"+"00006558"+"00000100"),
			netns.Packet{Src: a, Dst: b, Proto: netns.ProtoUDP, DstPort: 6081}, true},
		{"ip header only", eth + "0800" + ipv4("06", ""), netns.Packet{Src: a, Dst: b, Proto: netns.ProtoTCP}, true},
		{"arp", eth + "0806" + "0001080006040001", netns.Packet{}, false},
		{"ipv6", eth + "86dd" + "6000000000000000", netns.Packet{}, false},
		{"short", "5254", netns.Packet{}, false},
		{"truncated ip", eth + "0800" + "4500", netns.Packet{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := hex.DecodeString(tc.frame)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := netns.ParseFrame(f)
			if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseFrame = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestSniff sees a ping cross a veth both ways, and stops on Close.
func TestSniff(t *testing.T) {
	w := world(t, "a", "b")
	a, b := w["a"], w["b"]
	must(t, a.AddVeth(netns.Veth{Name: "eth0", Peer: "eth0", PeerNS: b}))
	must(t, a.AddAddr("eth0", "10.0.5.1/24"))
	must(t, b.AddAddr("eth0", "10.0.5.2/24"))
	if _, err := a.Sniff("nosuch"); err == nil {
		t.Error("sniffing a missing link succeeded")
	}
	s, err := a.Sniff("eth0")
	must(t, err)
	if got := ping(t, a, "10.0.5.2"); got != 3 {
		t.Fatalf("%d of 3 answered", got)
	}
	must(t, s.Close())
	must(t, s.Close())
	var out, in int
	for _, p := range s.Packets() {
		if p.Proto != netns.ProtoICMP {
			continue
		}
		switch {
		case p.Outgoing && p.ICMPType == 8 && p.Src.String() == "10.0.5.1":
			out++
		case !p.Outgoing && p.ICMPType == 0 && p.Src.String() == "10.0.5.2":
			in++
		}
	}
	if out != 3 || in != 3 {
		t.Errorf("saw %d requests out and %d replies in, want 3 and 3: %+v", out, in, s.Packets())
	}
	n := len(s.Packets())
	ping(t, a, "10.0.5.2")
	if len(s.Packets()) != n {
		t.Error("a closed sniffer still records")
	}
}
