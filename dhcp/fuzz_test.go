package dhcp

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

func seedPackets(t testing.TB) [][]byte {
	mac, _ := net.ParseMAC("52:54:00:00:00:04")
	disc, err := dhcpv4.NewDiscovery(mac)
	if err != nil {
		t.Fatal(err)
	}
	req, err := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
		dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 200))),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(10, 0, 0, 1))))
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeRelease), dhcpv4.WithClientIP(net.IPv4(10, 0, 0, 200)))
	inf, _ := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeInform), dhcpv4.WithClientIP(net.IPv4(10, 0, 0, 9)))
	return [][]byte{disc.ToBytes(), req.ToBytes(), rel.ToBytes(), inf.ToBytes(), {}, {1, 2, 3}}
}

func fuzzServer(t testing.TB) *Server {
	s, err := NewServer(Config{Server: netip.MustParsePrefix("10.0.0.1/24"), RangeStart: netip.MustParseAddr("10.0.0.200"),
		RangeEnd: netip.MustParseAddr("10.0.0.202"), Router: netip.MustParseAddr("10.0.0.1"), LeaseTime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHandle walks the protocol without sockets: offer, ack, NAK outside
// the range, release, inform.
func TestHandle(t *testing.T) {
	s := fuzzServer(t)
	p := seedPackets(t)
	offer := s.Handle(p[0])
	if offer == nil || offer.Msg.MessageType() != dhcpv4.MessageTypeOffer || offer.Msg.YourIPAddr.String() != "10.0.0.200" {
		t.Fatalf("offer = %v", offer)
	}
	ack := s.Handle(p[1])
	if ack == nil || ack.Msg.MessageType() != dhcpv4.MessageTypeAck || ack.Msg.IPAddressLeaseTime(0) != time.Hour {
		t.Fatalf("ack = %v", ack)
	}
	mac, _ := net.ParseMAC("52:54:00:00:00:05")
	outside, _ := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
		dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 50))))
	if r := s.Handle(outside.ToBytes()); r == nil || r.Msg.MessageType() != dhcpv4.MessageTypeNak {
		t.Fatalf("request outside the range: %v", r)
	}
	taken, _ := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
		dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 200))))
	if r := s.Handle(taken.ToBytes()); r == nil || r.Msg.MessageType() != dhcpv4.MessageTypeNak {
		t.Fatalf("request for another client's address: %v", r)
	}
	if r := s.Handle(p[3]); r == nil || r.Msg.MessageType() != dhcpv4.MessageTypeAck || r.Msg.YourIPAddr.To4() != nil && !r.Msg.YourIPAddr.IsUnspecified() || r.To.String() != "10.0.0.9" {
		t.Fatalf("inform = %v", r)
	}
	if r := s.Handle(p[2]); r != nil || len(s.Leases()) != 0 {
		t.Fatalf("release: reply %v, leases %v", r, s.Leases())
	}
	if s.Handle(p[4]) != nil || s.Handle(p[5]) != nil {
		t.Fatal("malformed packets answered")
	}
}

// TestReservationAndDecline: a reserved MAC always gets its address, and
// an address a client declined is not offered again for a while.
func TestReservationAndDecline(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s, err := NewServer(Config{Server: netip.MustParsePrefix("10.0.0.1/24"), RangeStart: netip.MustParseAddr("10.0.0.200"),
		RangeEnd: netip.MustParseAddr("10.0.0.201"), Reservations: map[string]netip.Addr{"52:54:00:00:00:07": netip.MustParseAddr("10.0.0.7")},
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(mac string, mt dhcpv4.MessageType, mods ...dhcpv4.Modifier) []byte {
		hw, _ := net.ParseMAC(mac)
		m, err := dhcpv4.New(append([]dhcpv4.Modifier{dhcpv4.WithHwAddr(hw), dhcpv4.WithMessageType(mt)}, mods...)...)
		if err != nil {
			t.Fatal(err)
		}
		return m.ToBytes()
	}
	if r := s.Handle(msg("52:54:00:00:00:07", dhcpv4.MessageTypeDiscover)); r == nil || r.Msg.YourIPAddr.String() != "10.0.0.7" {
		t.Fatalf("reserved client offered %v", r)
	}
	if r := s.Handle(msg("52:54:00:00:00:08", dhcpv4.MessageTypeRequest, dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 7))))); r == nil || r.Msg.MessageType() != dhcpv4.MessageTypeNak {
		t.Fatalf("another client took the reserved address: %v", r)
	}
	r := s.Handle(msg("52:54:00:00:00:09", dhcpv4.MessageTypeDiscover))
	if r == nil || r.Msg.YourIPAddr.String() != "10.0.0.200" {
		t.Fatalf("offer %v", r)
	}
	s.Handle(msg("52:54:00:00:00:09", dhcpv4.MessageTypeRequest, dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 200)))))
	s.Handle(msg("52:54:00:00:00:09", dhcpv4.MessageTypeDecline, dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IPv4(10, 0, 0, 200)))))
	if r := s.Handle(msg("52:54:00:00:00:09", dhcpv4.MessageTypeDiscover)); r == nil || r.Msg.YourIPAddr.String() != "10.0.0.201" {
		t.Fatalf("after DECLINE the client was offered %v, want 10.0.0.201", r)
	}
	now = now.Add(declineHold + time.Second)
	if r := s.Handle(msg("52:54:00:00:00:0a", dhcpv4.MessageTypeDiscover)); r == nil || r.Msg.YourIPAddr.String() != "10.0.0.200" {
		t.Fatalf("declined address not back after the hold: %v", r)
	}
}

// FuzzHandle: no packet crashes the server or breaks its invariant that
// an address is bound to one client at most.
func FuzzHandle(f *testing.F) {
	for _, p := range seedPackets(f) {
		f.Add(p)
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, packet []byte) {
		r := s.Handle(packet)
		if r != nil && r.Msg.MessageType() == dhcpv4.MessageTypeAck {
			if ip := r.Msg.YourIPAddr; ip != nil && !ip.IsUnspecified() {
				a, _ := netip.AddrFromSlice(ip.To4())
				if a.Less(netip.MustParseAddr("10.0.0.200")) || netip.MustParseAddr("10.0.0.202").Less(a) {
					t.Fatalf("acked %v outside the range", a)
				}
			}
		}
		seen := map[netip.Addr]bool{}
		for _, l := range s.Leases() {
			if seen[l.IP] {
				t.Fatalf("address %v leased twice", l.IP)
			}
			seen[l.IP] = true
		}
	})
}
