package netns

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

// Ping sends count ICMP echo requests from inside the namespace to dst,
// one every interval, and returns how many were answered before ctx ends
// or a second after the last request.
// Equivalent to: ip netns exec NAME ping -c COUNT -i INTERVAL DST
func (ns *NS) Ping(ctx context.Context, dst string, count int, interval time.Duration) (int, error) {
	to, err := netip.ParseAddr(dst)
	if err != nil || !to.Is4() {
		return 0, fmt.Errorf("ping %q: want an IPv4 address: %w", dst, fs.ErrInvalid)
	}
	var conn *icmp.PacketConn
	if err := ns.Do(func() error {
		var err error
		conn, err = icmp.ListenPacket("ip4:icmp", "0.0.0.0")
		return err
	}); err != nil {
		return 0, wrap("icmp socket in "+ns.Name, err)
	}
	defer conn.Close()
	id := rand.IntN(0xffff)
	answered := map[int]bool{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if a, ok := from.(*net.IPAddr); !ok || !a.IP.Equal(net.IP(to.AsSlice())) {
				continue
			}
			m, err := icmp.ParseMessage(1, buf[:n])
			if err != nil || m.Type != ipv4.ICMPTypeEchoReply {
				continue
			}
			if e, ok := m.Body.(*icmp.Echo); ok && e.ID == id {
				answered[e.Seq] = true
				if len(answered) == count {
					return
				}
			}
		}
	}()
	deadline := time.Now().Add(time.Duration(count)*interval + time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetReadDeadline(deadline)
	for seq := 0; seq < count; seq++ {
		msg := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: seq, Data: []byte("ovskit")}}
		b, _ := msg.Marshal(nil)
		if _, err := conn.WriteTo(b, &net.IPAddr{IP: net.IP(to.AsSlice())}); err != nil {
			// No route, say: the probe failed, which a reachability
			// check reports as not answered.
			break
		}
		select {
		case <-ctx.Done():
			conn.Close()
			<-done
			return len(answered), ctx.Err()
		case <-done:
		case <-time.After(interval):
		}
	}
	<-done
	return len(answered), nil
}
