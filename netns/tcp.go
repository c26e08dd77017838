package netns

import (
	"context"
	"net"
)

// ListenTCP listens on a TCP address inside the namespace; the listener
// stays in the namespace.
func (ns *NS) ListenTCP(addr string) (net.Listener, error) {
	var ln net.Listener
	err := ns.Do(func() error {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err
	})
	if err != nil {
		return nil, wrap("listen on "+addr+" in "+ns.Name, err)
	}
	return ln, nil
}

// DialTCP opens a TCP connection from inside the namespace, bounded by
// ctx.
func (ns *NS) DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	var c net.Conn
	err := ns.Do(func() error {
		var d net.Dialer
		var err error
		c, err = d.DialContext(ctx, "tcp", addr)
		return err
	})
	if err != nil {
		return nil, wrap("connect to "+addr+" from "+ns.Name, err)
	}
	return c, nil
}
