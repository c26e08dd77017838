package netns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"
)

// IP protocol numbers a Packet may carry.
const (
	ProtoICMP = 1
	ProtoTCP  = 6
	ProtoUDP  = 17
	ProtoGRE  = 47
)

// Packet summarises one IPv4 packet a Sniffer saw.
type Packet struct {
	Src, Dst netip.Addr
	// Proto is the IP protocol (ProtoGRE, ...).
	Proto uint8
	// DstPort is the destination port of UDP and TCP.
	DstPort uint16
	// ICMPType is the type of an ICMP message (8 echo request, 0 reply).
	ICMPType uint8
	// VLAN is the 802.1Q tag the frame carried (0 if none).
	VLAN uint16
	// GeneveClasses are the option classes of a Geneve packet's header
	// (UDP 6081; OVN's is 0x0102), in order.
	GeneveClasses []uint16
	// Outgoing is true for frames the link sent, false for those it
	// received.
	Outgoing bool
}

// Sniffer records the IPv4 packets crossing one link, both ways, from a
// packet socket inside the namespace (as tcpdump -i LINK would).
type Sniffer struct {
	fd   int
	done chan struct{}

	mu      sync.Mutex
	packets []Packet
	stop    bool
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Sniff starts recording the IPv4 packets on link.
// Equivalent to: ip netns exec NAME tcpdump -i LINK ip
func (ns *NS) Sniff(link string) (*Sniffer, error) {
	l, err := ns.link(link)
	if err != nil {
		return nil, err
	}
	fd := -1
	err = ns.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
		if err != nil {
			return err
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: l.Attrs().Index}); err != nil {
			unix.Close(fd)
			return err
		}
		// Reads wake up regularly to notice Close.
		return unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 50_000})
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("sniff %s in %s", link, ns.Name), err)
	}
	s := &Sniffer{fd: fd, done: make(chan struct{})}
	go s.run(l.Attrs().Index)
	return s, nil
}

func (s *Sniffer) run(index int) {
	defer close(s.done)
	buf := make([]byte, 65536)
	for {
		s.mu.Lock()
		stop := s.stop
		s.mu.Unlock()
		// Once stopped, drain what the socket already holds, then end:
		// every frame that crossed the link before Close is recorded.
		flags := 0
		if stop {
			flags = unix.MSG_DONTWAIT
		}
		n, from, err := unix.Recvfrom(s.fd, buf, flags)
		if errors.Is(err, unix.EAGAIN) && stop {
			return
		}
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return
		}
		ll, ok := from.(*unix.SockaddrLinklayer)
		if !ok || ll.Ifindex != index {
			continue
		}
		if p, ok := ParseFrame(buf[:n]); ok {
			p.Outgoing = ll.Pkttype == unix.PACKET_OUTGOING
			s.mu.Lock()
			s.packets = append(s.packets, p)
			s.mu.Unlock()
		}
	}
}

// ParseFrame summarises an Ethernet frame carrying IPv4 (possibly with
// one 802.1Q tag); ok is false for anything else.
func ParseFrame(f []byte) (p Packet, ok bool) {
	if len(f) < 14 {
		return p, false
	}
	et, off := binary.BigEndian.Uint16(f[12:]), 14
	if et == 0x8100 && len(f) >= 18 {
		p.VLAN = binary.BigEndian.Uint16(f[14:]) & 0x0fff
		et, off = binary.BigEndian.Uint16(f[16:]), 18
	}
	if et != 0x0800 || len(f) < off+20 || f[off]>>4 != 4 {
		return p, false
	}
	ip := f[off:]
	ihl := int(ip[0]&0x0f) * 4
	p.Proto = ip[9]
	p.Src = netip.AddrFrom4([4]byte(ip[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(ip[16:20]))
	if ihl < 20 || len(ip) < ihl+4 {
		return p, true
	}
	switch p.Proto {
	case ProtoUDP, ProtoTCP:
		p.DstPort = binary.BigEndian.Uint16(ip[ihl+2:])
		if p.Proto == ProtoUDP && p.DstPort == 6081 && len(ip) >= ihl+16 {
			p.GeneveClasses = geneveClasses(ip[ihl+8:])
		}
	case ProtoICMP:
		p.ICMPType = ip[ihl]
	}
	return p, true
}

// geneveClasses reads the option classes of a Geneve header.
func geneveClasses(g []byte) []uint16 {
	optLen := int(g[0]&0x3f) * 4
	if len(g) < 8+optLen {
		return nil
	}
	var classes []uint16
	for o := g[8 : 8+optLen]; len(o) >= 4; {
		classes = append(classes, binary.BigEndian.Uint16(o))
		n := 4 + int(o[3]&0x1f)*4
		if n > len(o) {
			break
		}
		o = o[n:]
	}
	return classes
}

// Packets returns what was recorded so far.
func (s *Sniffer) Packets() []Packet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Packet(nil), s.packets...)
}

// Close stops recording, after the frames already received; Packets still
// returns what was seen.
func (s *Sniffer) Close() error {
	s.mu.Lock()
	already := s.stop
	s.stop = true
	s.mu.Unlock()
	if already {
		return nil
	}
	<-s.done
	return unix.Close(s.fd)
}
