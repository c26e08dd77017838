package dhcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// clock is a settable Config.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func testConfig(c *clock) Config {
	return Config{Server: netip.MustParsePrefix("10.0.0.1/24"), RangeStart: netip.MustParseAddr("10.0.0.200"),
		RangeEnd: netip.MustParseAddr("10.0.0.230"), Router: netip.MustParseAddr("10.0.0.1"), LeaseTime: time.Hour,
		Reservations: map[string]netip.Addr{"52:54:00:00:00:99": netip.MustParseAddr("10.0.0.50")}, Now: c.now}
}

func discover(t *testing.T, s *Server, mac net.HardwareAddr) *Reply {
	t.Helper()
	d, err := dhcpv4.NewDiscovery(mac)
	if err != nil {
		t.Fatal(err)
	}
	return s.Handle(d.ToBytes())
}

func request(t *testing.T, s *Server, mac net.HardwareAddr, ip string) *Reply {
	t.Helper()
	r, err := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
		dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.ParseIP(ip))),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(10, 0, 0, 1))))
	if err != nil {
		t.Fatal(err)
	}
	return s.Handle(r.ToBytes())
}

func macN(i int) net.HardwareAddr {
	return net.HardwareAddr{0x52, 0x54, 0x01, byte(i >> 16), byte(i >> 8), byte(i)}
}

// TestLeaseFile: what can be served is loaded, every other entry dropped
// (never offered), and only a file of which nothing can be read fails.
func TestLeaseFile(t *testing.T) {
	future := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &clock{time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)}
	entry := func(mac, ip, state string) string {
		return fmt.Sprintf(`{"mac":%q,"ip":%q,"expiry":%q,"state":%q}`, mac, ip, future.Format(time.RFC3339), state)
	}
	good := entry("52:54:00:00:00:01", "10.0.0.201", "bound")
	tests := []struct {
		name    string
		file    string
		want    []string // addresses of the loaded leases
		wantErr error
	}{
		{"null entry", `[null]`, nil, nil},
		{"null among good", `[null,` + good + `]`, []string{"10.0.0.201"}, nil},
		{"out of range", `[` + entry("52:54:00:00:00:02", "10.0.0.100", "bound") + `,` + good + `]`, []string{"10.0.0.201"}, nil},
		{"other subnet", `[` + entry("52:54:00:00:00:02", "192.168.9.9", "bound") + `]`, nil, nil},
		{"empty address", `[{"mac":"52:54:00:00:00:02","ip":"","expiry":"2030-01-01T00:00:00Z","state":"bound"}]`, nil, nil},
		{"IPv6", `[` + entry("52:54:00:00:00:02", "::1", "bound") + `]`, nil, nil},
		{"the server's address", `[` + entry("52:54:00:00:00:02", "10.0.0.1", "bound") + `]`, nil, nil},
		{"bad MAC", `[` + entry("nonsense", "10.0.0.202", "bound") + `]`, nil, nil},
		{"unknown state", `[` + entry("52:54:00:00:00:02", "10.0.0.202", "borrowed") + `]`, nil, nil},
		{"another's reservation", `[` + entry("52:54:00:00:00:02", "10.0.0.50", "bound") + `]`, nil, nil},
		{"the owner's reservation", `[` + entry("52:54:00:00:00:99", "10.0.0.50", "bound") + `]`, []string{"10.0.0.50"}, nil},
		{"truncated after a good entry", `[` + good + `,{"mac":"52:54`, []string{"10.0.0.201"}, nil},
		{"empty file", ``, nil, nil},
		{"not JSON", `leases: none`, nil, ErrLeaseFile},
		{"an object", `{"ip":"10.0.0.201"}`, nil, ErrLeaseFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "leases.json")
			if err := os.WriteFile(file, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := testConfig(c)
			cfg.LeaseFile = file
			s, err := NewServer(cfg)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("NewServer = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range s.Leases() {
				got = append(got, l.IP.String())
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("leases %v, want %v", got, tt.want)
			}
			// Whatever was in the file, every offer is in the range.
			for i := range 40 {
				r := discover(t, s, macN(i))
				if r == nil {
					break
				}
				if ip, _ := netip.AddrFromSlice(r.Msg.YourIPAddr.To4()); !inRange(ip, cfg.RangeStart, cfg.RangeEnd) {
					t.Fatalf("offered %v, outside the range", ip)
				}
			}
			mac, _ := net.ParseMAC("52:54:00:00:00:02")
			if r := discover(t, s, mac); r != nil {
				if ip, _ := netip.AddrFromSlice(r.Msg.YourIPAddr.To4()); !inRange(ip, cfg.RangeStart, cfg.RangeEnd) {
					t.Fatalf("the owner of a dropped lease was offered %v", ip)
				}
			}
		})
	}
}

// TestOfferFlood: 3,000 DISCOVERs from distinct MACs hold every address of
// the range for the offer hold, no longer; the hold is configurable.
func TestOfferFlood(t *testing.T) {
	for _, hold := range []time.Duration{0, 2 * time.Second} {
		t.Run(fmt.Sprint("hold=", hold), func(t *testing.T) {
			c := &clock{time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)}
			cfg := testConfig(c)
			cfg.OfferHold = hold
			s, err := NewServer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			want := hold
			if want == 0 {
				want = DefaultOfferHold
			}
			offers := 0
			for i := range 3000 {
				if discover(t, s, macN(i)) != nil {
					offers++
				}
			}
			if offers != 31 {
				t.Fatalf("%d offers for a range of 31", offers)
			}
			c.t = c.t.Add(want - time.Millisecond)
			if discover(t, s, macN(5000)) != nil {
				t.Fatal("an offer before the hold ended")
			}
			c.t = c.t.Add(2 * time.Millisecond)
			if discover(t, s, macN(5001)) == nil {
				t.Fatal("no offer after the hold ended")
			}
		})
	}
}

// TestBoundLeaseKeptOnDiscover: a DISCOVER from a client holding a bound
// lease repeats the offer and leaves the lease bound; two minutes later
// another client does not get that address.
func TestBoundLeaseKeptOnDiscover(t *testing.T) {
	c := &clock{time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := testConfig(c)
	cfg.RangeEnd = cfg.RangeStart // one address
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, b := macN(1), macN(2)
	if r := discover(t, s, a); r == nil {
		t.Fatal("no offer")
	}
	if r := request(t, s, a, "10.0.0.200"); r == nil || r.Msg.MessageType() != dhcpv4.MessageTypeAck {
		t.Fatalf("request: %v", r)
	}
	if r := discover(t, s, a); r == nil || r.Msg.YourIPAddr.String() != "10.0.0.200" {
		t.Fatalf("second discover: %v", r)
	}
	c.t = c.t.Add(2 * time.Minute)
	if r := discover(t, s, b); r != nil {
		t.Fatalf("another client was offered %v, bound to %v", r.Msg.YourIPAddr, a)
	}
	if r := request(t, s, b, "10.0.0.200"); r == nil || r.Msg.MessageType() != dhcpv4.MessageTypeNak {
		t.Fatalf("another client's request for a bound address: %v", r)
	}
	if ls := s.Leases(); len(ls) != 1 || ls[0].State != stateBound || ls[0].MAC != a.String() {
		t.Fatalf("leases %+v", ls)
	}
}

// TestOneLeasePerClient: a client that requests address after address
// holds one lease, the last; the others are free again.
func TestOneLeasePerClient(t *testing.T) {
	c := &clock{time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := NewServer(testConfig(c))
	if err != nil {
		t.Fatal(err)
	}
	greedy := macN(7)
	for i := 200; i <= 230; i++ {
		if r := request(t, s, greedy, fmt.Sprint("10.0.0.", i)); r == nil || r.Msg.MessageType() != dhcpv4.MessageTypeAck {
			t.Fatalf("request 10.0.0.%d: %v", i, r)
		}
	}
	ls := s.Leases()
	if len(ls) != 1 || ls[0].IP.String() != "10.0.0.230" {
		t.Fatalf("leases %+v, want one: 10.0.0.230", ls)
	}
	if r := discover(t, s, macN(8)); r == nil || r.Msg.YourIPAddr.String() != "10.0.0.200" {
		t.Fatalf("another client: %v", r)
	}
	// A client identifier, not the MAC, names the client when sent.
	id := func(mac net.HardwareAddr, cid string, ip string) *Reply {
		r, _ := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.ParseIP(ip))),
			dhcpv4.WithOption(dhcpv4.OptClientIdentifier([]byte(cid))))
		return s.Handle(r.ToBytes())
	}
	id(macN(9), "vm-a", "10.0.0.210")
	id(macN(10), "vm-a", "10.0.0.211") // the same client on a new NIC
	n := 0
	for _, l := range s.Leases() {
		if l.IP.String() == "10.0.0.210" || l.IP.String() == "10.0.0.211" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("client vm-a holds %d leases", n)
	}
}

// TestLeaseNotObtained: a lease that no Client obtained (as sim builds for
// a VM's udhcpc) is refused by Renew and Release with ErrNotObtained,
// where it used to panic.
func TestLeaseNotObtained(t *testing.T) {
	c := new(Client)
	hand := &ClientLease{Interface: "eth0", Addr: netip.MustParsePrefix("10.0.0.200/24")}
	for _, l := range []*ClientLease{nil, hand} {
		if err := c.Release(l); !errors.Is(err, ErrNotObtained) {
			t.Errorf("Release(%v) = %v, want ErrNotObtained", l, err)
		}
		if _, err := c.Renew(context.Background(), l); !errors.Is(err, ErrNotObtained) {
			t.Errorf("Renew(%v) = %v, want ErrNotObtained", l, err)
		}
	}
}
