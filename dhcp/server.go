package dhcp

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/server4"
)

// Config is an embedded server's configuration: dnsmasq's options, typed.
type Config struct {
	// Server is the server's own address and prefix on the served
	// interface ("10.0.0.1/24"): the server identifier and the subnet.
	Server netip.Prefix
	// RangeStart and RangeEnd bound the dynamic pool (dnsmasq -F
	// START,END,LEASE).
	RangeStart, RangeEnd netip.Addr
	// LeaseTime is the lease duration (default one hour).
	LeaseTime time.Duration
	// Router and DNS are handed out when set.
	Router netip.Addr
	DNS    []netip.Addr
	// Reservations map a MAC ("52:54:00:00:00:04") to a fixed address.
	Reservations map[string]netip.Addr
	// LeaseFile keeps the leases across restarts; "" keeps them in memory.
	LeaseFile string
	// OfferHold is how long an offered address stays set aside for the
	// client it was offered to (default DefaultOfferHold). A flood of
	// DISCOVERs from made-up clients holds at most the range for this long.
	OfferHold time.Duration
	// Logger receives what the server does (nil: silent).
	Logger *slog.Logger
	// Now is the clock (nil: time.Now); tests move it.
	Now func() time.Time
}

// DefaultOfferHold is Config.OfferHold's default: long enough for a
// client to answer an offer, short enough that a flood of DISCOVERs does
// not hold the range for long.
const DefaultOfferHold = 10 * time.Second

// declineHold is how long an address a client declined (it found it in
// use) is not handed out.
const declineHold = 10 * time.Minute

// Lease is an address bound to a client.
type Lease struct {
	MAC string `json:"mac"`
	// Client identifies the client: its client identifier (option 61) as
	// "id:HEX" when it sent one, else "mac:MAC". A client holds one lease.
	Client string     `json:"client,omitempty"`
	IP     netip.Addr `json:"ip"`
	Expiry time.Time  `json:"expiry"`
	// State is "offered", "bound" or "declined".
	State string `json:"state"`
}

// Lease states.
const (
	stateOffered  = "offered"
	stateBound    = "bound"
	stateDeclined = "declined"
)

// ErrLeaseFile: the lease file holds nothing that can be read as leases.
var ErrLeaseFile = errors.New("dhcp: unreadable lease file")

// Server is an embedded DHCPv4 server. Handle is its whole protocol logic,
// a function from a request to a reply; Serve runs it on a socket.
type Server struct {
	cfg    Config
	log    *slog.Logger
	mu     sync.Mutex
	leases map[netip.Addr]*Lease
}

// NewServer checks cfg and loads the lease file, if any.
func NewServer(cfg Config) (*Server, error) {
	if !cfg.Server.IsValid() || !cfg.Server.Addr().Is4() {
		return nil, fmt.Errorf("dhcp: server address %v: want an IPv4 address with prefix: %w", cfg.Server, fs.ErrInvalid)
	}
	subnet := cfg.Server.Masked()
	if !cfg.RangeStart.Is4() || !cfg.RangeEnd.Is4() || cfg.RangeEnd.Less(cfg.RangeStart) ||
		!subnet.Contains(cfg.RangeStart) || !subnet.Contains(cfg.RangeEnd) {
		return nil, fmt.Errorf("dhcp: range %v-%v: want IPv4 addresses in %v, start before end: %w", cfg.RangeStart, cfg.RangeEnd, subnet, fs.ErrInvalid)
	}
	for mac, ip := range cfg.Reservations {
		if _, err := net.ParseMAC(mac); err != nil || !subnet.Contains(ip) {
			return nil, fmt.Errorf("dhcp: reservation %s=%v: %w", mac, ip, fs.ErrInvalid)
		}
	}
	if cfg.LeaseTime <= 0 {
		cfg.LeaseTime = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OfferHold <= 0 {
		cfg.OfferHold = DefaultOfferHold
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, leases: map[netip.Addr]*Lease{}}
	if cfg.LeaseFile != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// load reads the lease file: every valid lease is kept, every other entry
// is logged and dropped; only a file of which nothing can be read is an
// error (ErrLeaseFile). A missing or empty file holds no leases.
func (s *Server) load() error {
	b, err := os.ReadFile(s.cfg.LeaseFile)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dhcp: lease file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("%w %s: not a JSON array of leases", ErrLeaseFile, s.cfg.LeaseFile)
	}
	for n := 0; dec.More(); n++ {
		var l *Lease
		if err := dec.Decode(&l); err != nil {
			// The rest of the file cannot be told apart: keep what came
			// before.
			s.log.Warn("dhcp: lease file is corrupt; the entries before it are kept", "file", s.cfg.LeaseFile, "entry", n, "err", err)
			break
		}
		if why := s.invalid(l); why != "" {
			s.log.Warn("dhcp: dropped a lease from the lease file", "file", s.cfg.LeaseFile, "entry", n, "why", why)
			continue
		}
		if l.Client == "" {
			l.Client = "mac:" + l.MAC
		}
		if old := s.leases[l.IP]; old != nil && !l.Expiry.After(old.Expiry) {
			s.log.Warn("dhcp: dropped a second lease of one address", "file", s.cfg.LeaseFile, "ip", l.IP)
			continue
		}
		s.leases[l.IP] = l
	}
	return nil
}

// invalid says why a lease read from the file cannot be served, or "".
func (s *Server) invalid(l *Lease) string {
	switch {
	case l == nil:
		return "null entry"
	case !l.IP.IsValid() || !l.IP.Is4():
		return fmt.Sprintf("address %v is not IPv4", l.IP)
	case !s.cfg.Server.Masked().Contains(l.IP):
		return fmt.Sprintf("address %v is outside the subnet %v", l.IP, s.cfg.Server.Masked())
	case l.IP == s.cfg.Server.Addr() || l.IP == s.cfg.Router:
		return fmt.Sprintf("address %v is the server's or the router's", l.IP)
	case l.State != stateOffered && l.State != stateBound && l.State != stateDeclined:
		return fmt.Sprintf("unknown state %q", l.State)
	}
	if l.State == stateDeclined {
		return ""
	}
	mac, err := net.ParseMAC(l.MAC)
	if err != nil || len(mac) != 6 {
		return fmt.Sprintf("MAC %q", l.MAC)
	}
	l.MAC = mac.String()
	if r, ok := s.reservation(l.MAC); ok {
		if r != l.IP {
			return fmt.Sprintf("%s has the reservation %v, not %v", l.MAC, r, l.IP)
		}
		return ""
	}
	if !inRange(l.IP, s.cfg.RangeStart, s.cfg.RangeEnd) {
		return fmt.Sprintf("address %v is outside the range %v-%v", l.IP, s.cfg.RangeStart, s.cfg.RangeEnd)
	}
	return ""
}

// Leases returns the current (unexpired) leases, sorted by address.
func (s *Server) Leases() []Lease {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	var out []Lease
	for _, l := range s.leases {
		if l.Expiry.After(now) {
			out = append(out, *l)
		}
	}
	slices.SortFunc(out, func(a, b Lease) int { return a.IP.Compare(b.IP) })
	return out
}

// save writes the lease file atomically (called with mu held).
func (s *Server) save() error {
	if s.cfg.LeaseFile == "" {
		return nil
	}
	ls := make([]*Lease, 0, len(s.leases))
	for _, l := range s.leases {
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(a, b *Lease) int { return a.IP.Compare(b.IP) })
	b, err := json.MarshalIndent(ls, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.cfg.LeaseFile), ".leases-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), s.cfg.LeaseFile)
}

func inRange(a, lo, hi netip.Addr) bool { return !a.Less(lo) && !hi.Less(a) }

// usable reports whether ip may go to the client now (called with mu
// held).
func (s *Server) usable(ip netip.Addr, c client, now time.Time) bool {
	if !s.cfg.Server.Masked().Contains(ip) || ip == s.cfg.Server.Addr() || ip == s.cfg.Router {
		return false
	}
	if r, ok := s.reservation(c.mac); ok {
		return r == ip
	}
	for m, r := range s.cfg.Reservations {
		if r == ip && !strings.EqualFold(m, c.mac) {
			return false
		}
	}
	if !inRange(ip, s.cfg.RangeStart, s.cfg.RangeEnd) {
		return false
	}
	l := s.leases[ip]
	return l == nil || !l.Expiry.After(now) || l.State != stateDeclined && l.Client == c.key
}

func (s *Server) reservation(mac string) (netip.Addr, bool) {
	for m, ip := range s.cfg.Reservations {
		if strings.EqualFold(m, mac) {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

// held returns the unexpired lease (bound or offered) the client holds,
// or nil (called with mu held).
func (s *Server) held(c client, now time.Time) *Lease {
	for _, l := range s.leases {
		if l.Client == c.key && l.State != stateDeclined && l.Expiry.After(now) {
			return l
		}
	}
	return nil
}

// pick chooses an address for a DISCOVER (called with mu held): the
// client's reservation, the address it holds, the one it asks for if
// free, or the first free one of the range.
func (s *Server) pick(c client, requested netip.Addr, now time.Time) (netip.Addr, bool) {
	if r, ok := s.reservation(c.mac); ok {
		return r, s.usable(r, c, now)
	}
	if l := s.held(c, now); l != nil && s.usable(l.IP, c, now) {
		return l.IP, true
	}
	if requested.IsValid() && s.usable(requested, c, now) {
		return requested, true
	}
	for ip := s.cfg.RangeStart; inRange(ip, s.cfg.RangeStart, s.cfg.RangeEnd); ip = ip.Next() {
		if s.usable(ip, c, now) {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

// client is who sent a request: its MAC, and the key its lease is kept
// under (its client identifier if it sent one, else its MAC).
type client struct{ mac, key string }

func clientOf(req *dhcpv4.DHCPv4) client {
	mac := req.ClientHWAddr.String()
	id := req.Options.Get(dhcpv4.OptionClientIdentifier)
	// An Ethernet client identifier that is the hardware address (what
	// udhcpc and dhclient send) names the same client as the MAC alone.
	if len(id) == 0 || len(id) == 7 && id[0] == 1 && bytes.Equal(id[1:], req.ClientHWAddr) {
		return client{mac, "mac:" + mac}
	}
	return client{mac, "id:" + hex.EncodeToString(id)}
}

func addr4(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip.To4())
	if !ok || a.IsUnspecified() {
		return netip.Addr{}
	}
	return a
}

// Reply is a response and where it goes.
type Reply struct {
	Msg *dhcpv4.DHCPv4
	// To is the destination: the client's address (renewals, INFORM), or
	// the broadcast address.
	To netip.Addr
}

// Handle runs the protocol for one request packet (RFC 2131): it returns
// the reply to send, or nil when the request gets none. Malformed
// packets are logged and dropped.
func (s *Server) Handle(packet []byte) *Reply {
	req, err := dhcpv4.FromBytes(packet)
	if err != nil {
		s.log.Warn("dhcp: dropped malformed packet", "len", len(packet), "err", err)
		return nil
	}
	if req.OpCode != dhcpv4.OpcodeBootRequest || len(req.ClientHWAddr) != 6 {
		s.log.Warn("dhcp: dropped packet that is not an Ethernet BOOTREQUEST", "op", req.OpCode)
		return nil
	}
	c := clientOf(req)
	mac := c.mac
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	switch mt := req.MessageType(); mt {
	case dhcpv4.MessageTypeDiscover:
		ip, ok := s.pick(c, addr4(req.RequestedIPAddress()), now)
		if !ok {
			s.log.Warn("dhcp: no address to offer: the range is exhausted", "mac", mac)
			return nil
		}
		// A bound lease stays bound until it expires or is released
		// (RFC 2131 4.3.1): the offer repeats it and changes nothing.
		if l := s.leases[ip]; l == nil || l.State != stateBound || l.Client != c.key || !l.Expiry.After(now) {
			s.leases[ip] = &Lease{MAC: mac, Client: c.key, IP: ip, Expiry: now.Add(s.cfg.OfferHold), State: stateOffered}
		}
		s.log.Info("dhcp: offer", "mac", mac, "ip", ip)
		return s.reply(req, dhcpv4.MessageTypeOffer, ip)
	case dhcpv4.MessageTypeRequest:
		if sid := addr4(req.ServerIdentifier()); sid.IsValid() && sid != s.cfg.Server.Addr() {
			// The client took another server's offer: free ours.
			for ip, l := range s.leases {
				if l.Client == c.key && l.State == stateOffered {
					delete(s.leases, ip)
				}
			}
			return nil
		}
		ip := addr4(req.RequestedIPAddress())
		if !ip.IsValid() {
			ip = addr4(req.ClientIPAddr)
		}
		if !ip.IsValid() {
			s.log.Warn("dhcp: dropped REQUEST without an address", "mac", mac)
			return nil
		}
		if !s.usable(ip, c, now) {
			s.log.Info("dhcp: nak", "mac", mac, "ip", ip)
			return s.nak(req)
		}
		// A client holds one lease: binding this address moves it.
		for other, l := range s.leases {
			if other != ip && l.Client == c.key && l.State != stateDeclined {
				delete(s.leases, other)
				s.log.Info("dhcp: lease moved", "mac", mac, "from", other, "to", ip)
			}
		}
		s.leases[ip] = &Lease{MAC: mac, Client: c.key, IP: ip, Expiry: now.Add(s.cfg.LeaseTime), State: stateBound}
		if err := s.save(); err != nil {
			s.log.Error("dhcp: saving leases", "err", err)
		}
		s.log.Info("dhcp: ack", "mac", mac, "ip", ip)
		return s.reply(req, dhcpv4.MessageTypeAck, ip)
	case dhcpv4.MessageTypeRelease:
		ip := addr4(req.ClientIPAddr)
		if l := s.leases[ip]; l != nil && l.Client == c.key {
			delete(s.leases, ip)
			if err := s.save(); err != nil {
				s.log.Error("dhcp: saving leases", "err", err)
			}
			s.log.Info("dhcp: release", "mac", mac, "ip", ip)
		}
		return nil
	case dhcpv4.MessageTypeDecline:
		ip := addr4(req.RequestedIPAddress())
		if l := s.leases[ip]; l != nil && l.Client == c.key {
			s.leases[ip] = &Lease{MAC: "", IP: ip, Expiry: now.Add(declineHold), State: stateDeclined}
			if err := s.save(); err != nil {
				s.log.Error("dhcp: saving leases", "err", err)
			}
			s.log.Warn("dhcp: client declined its address (in use?)", "mac", mac, "ip", ip)
		}
		return nil
	case dhcpv4.MessageTypeInform:
		// Configuration only: no address, no lease time (RFC 2131 3.4).
		return s.reply(req, dhcpv4.MessageTypeAck, netip.Addr{})
	default:
		s.log.Warn("dhcp: dropped message", "type", mt, "mac", mac)
		return nil
	}
}

func (s *Server) reply(req *dhcpv4.DHCPv4, mt dhcpv4.MessageType, ip netip.Addr) *Reply {
	mods := []dhcpv4.Modifier{
		dhcpv4.WithMessageType(mt),
		dhcpv4.WithServerIP(net.IP(s.cfg.Server.Addr().AsSlice())),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IP(s.cfg.Server.Addr().AsSlice()))),
		dhcpv4.WithNetmask(net.CIDRMask(s.cfg.Server.Bits(), 32)),
	}
	if ip.IsValid() {
		mods = append(mods, dhcpv4.WithYourIP(net.IP(ip.AsSlice())), dhcpv4.WithLeaseTime(uint32(s.cfg.LeaseTime/time.Second)))
	}
	if s.cfg.Router.IsValid() {
		mods = append(mods, dhcpv4.WithRouter(net.IP(s.cfg.Router.AsSlice())))
	}
	if len(s.cfg.DNS) > 0 {
		var dns []net.IP
		for _, d := range s.cfg.DNS {
			dns = append(dns, net.IP(d.AsSlice()))
		}
		mods = append(mods, dhcpv4.WithDNS(dns...))
	}
	msg, err := dhcpv4.NewReplyFromRequest(req, mods...)
	if err != nil {
		s.log.Error("dhcp: building reply", "err", err)
		return nil
	}
	to := netip.AddrFrom4([4]byte{255, 255, 255, 255})
	if c := addr4(req.ClientIPAddr); c.IsValid() {
		to = c
	}
	return &Reply{Msg: msg, To: to}
}

func (s *Server) nak(req *dhcpv4.DHCPv4) *Reply {
	msg, err := dhcpv4.NewReplyFromRequest(req, dhcpv4.WithMessageType(dhcpv4.MessageTypeNak),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IP(s.cfg.Server.Addr().AsSlice()))))
	if err != nil {
		return nil
	}
	return &Reply{Msg: msg, To: netip.AddrFrom4([4]byte{255, 255, 255, 255})}
}

// Listen opens the server's socket on an interface: UDP port 67, bound to
// the device, able to broadcast. Call it inside the interface's namespace
// (netns.NS.Do); the socket stays there.
func Listen(iface string) (net.PacketConn, error) {
	c, err := server4.NewIPv4UDPConn(iface, &net.UDPAddr{Port: dhcpv4.ServerPort})
	if err != nil {
		return nil, fmt.Errorf("dhcp: listen on %s: %w", iface, err)
	}
	return c, nil
}

// Serve answers requests on conn until ctx ends.
func (s *Server) Serve(ctx context.Context, conn net.PacketConn) error {
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 4096)
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("dhcp: read: %w", err)
		}
		r := s.Handle(buf[:n])
		if r == nil {
			continue
		}
		dst := &net.UDPAddr{IP: net.IP(r.To.AsSlice()), Port: dhcpv4.ClientPort}
		if _, err := conn.WriteTo(r.Msg.ToBytes(), dst); err != nil {
			s.log.Warn("dhcp: send", "to", dst, "err", err)
		}
	}
}
