package openflow

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"
)

// hello is a hello message of version v with a version bitmap (none if
// bitmap is 0).
func hello(v Version, bitmap uint32) []byte {
	if bitmap == 0 {
		return []byte{byte(v), typeHello, 0, 8, 0, 0, 0, 0}
	}
	b := []byte{byte(v), typeHello, 0, 16, 0, 0, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[12:], bitmap)
	return b
}

func TestNegotiate(t *testing.T) {
	all := versionsSpoken
	for _, c := range []struct {
		name    string
		offered []Version
		peer    Version
		bitmap  uint32
		want    Version // 0: ErrVersion
	}{
		{"bitmap 1.0-1.5", all, OpenFlow15, 0x7e, OpenFlow15},
		{"bitmap 1.0-1.4", all, OpenFlow14, 0x3e, OpenFlow14},
		{"bitmap 1.3 only", all, OpenFlow13, 1 << 4, OpenFlow13},
		{"bitmap 1.0 and 1.3", all, OpenFlow13, 1<<1 | 1<<4, OpenFlow13},
		{"bitmap 1.0-1.2", all, 0x03, 0x0e, OpenFlow10},
		{"bitmap 1.1-1.2", all, 0x03, 0x0c, 0},
		{"bitmap 1.0-1.2 offered default", versionsDefault, 0x03, 0x0e, 0},
		{"bitmap 1.5, offered 1.3", []Version{OpenFlow13}, OpenFlow15, 1 << 6, 0},
		{"bitmap 1.3-1.5, offered 1.3 and 1.4", []Version{OpenFlow13, OpenFlow14}, OpenFlow15, 0x70, OpenFlow14},
		{"no bitmap, peer 1.5", all, OpenFlow15, 0, OpenFlow15},
		{"no bitmap, peer 1.4", all, OpenFlow14, 0, OpenFlow14},
		{"no bitmap, peer 1.6", all, 0x07, 0, OpenFlow15},
		{"no bitmap, peer 1.0", all, 0x01, 0, OpenFlow10},
		{"no bitmap, peer 1.0 offered default", versionsDefault, 0x01, 0, 0},
		{"no bitmap, peer 1.2", all, 0x03, 0, 0},
		{"no bitmap, peer 1.5, offered 1.3", []Version{OpenFlow13}, OpenFlow15, 0, OpenFlow13},
		{"no bitmap, peer 1.4, offered 1.3 and 1.5", []Version{OpenFlow13, OpenFlow15}, OpenFlow14, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := hello(c.peer, c.bitmap)
			got, err := negotiate(c.offered, c.peer, m[8:])
			if c.want == 0 {
				if !errors.Is(err, ErrVersion) {
					t.Fatalf("negotiate = %v, %v; want ErrVersion", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("negotiate = %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestParseVersions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []Version
	}{
		{"OpenFlow13", []Version{OpenFlow13}},
		{"OpenFlow15,OpenFlow13", []Version{OpenFlow13, OpenFlow15}},
		{"OpenFlow14, OpenFlow14", []Version{OpenFlow14}},
		{"OpenFlow10", []Version{OpenFlow10}},
		{"openflow10,OPENFLOW13", []Version{OpenFlow10, OpenFlow13}},
		{"OpenFlow11", nil},
		{"OpenFlow13,OpenFlow12", nil},
		{"", nil},
		{"of13", nil},
	} {
		got, err := ParseVersions(c.in)
		if c.want == nil {
			if !errors.Is(err, ErrVersion) {
				t.Errorf("ParseVersions(%q) = %v, %v; want ErrVersion", c.in, got, err)
			}
			continue
		}
		if err != nil || len(got) != len(c.want) || got[0] != c.want[0] || got[len(got)-1] != c.want[len(c.want)-1] {
			t.Errorf("ParseVersions(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if OpenFlow15.String() != "OpenFlow15" || Version(0).String() != "OpenFlow(0x0)" {
		t.Errorf("names: %s, %s", OpenFlow15, Version(0))
	}
}

// fakeSwitch accepts one connection, reads the client's hello, answers
// with its own and returns what the client offered.
func fakeSwitch(t *testing.T, answer []byte) (addr string, offered <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(ch)
			return
		}
		defer c.Close()
		m, ver, err := readMessage(c)
		if err != nil {
			close(ch)
			return
		}
		ch <- append([]byte{ver}, m.body...)
		_, _ = c.Write(answer)
		// Hold the connection until the client closes it.
		_, _ = c.Read(make([]byte, 1))
	}()
	return "tcp:" + ln.Addr().String(), ch
}

// TestDialVersions: the hello offers the versions asked for (the highest
// in its header, all in its bitmap); the switch's answer picks one; a
// switch with none in common is refused with ErrVersion.
func TestDialVersions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range []struct {
		name     string
		opts     []DialOption
		answer   []byte
		bitmap   uint32
		want     Version
		offerHdr Version
	}{
		{"default, switch of 1.0-1.5", nil, hello(OpenFlow15, 0x7e), 0x70, OpenFlow15, OpenFlow15},
		{"1.3 asked, switch of 1.0-1.5", []DialOption{WithVersions(OpenFlow13)}, hello(OpenFlow15, 0x7e), 0x10, OpenFlow13, OpenFlow13},
		{"default, switch of 1.3 without bitmap", nil, hello(OpenFlow13, 0), 0x70, OpenFlow13, OpenFlow15},
		{"default, switch of 1.0 only", nil, hello(0x01, 0), 0x70, 0, OpenFlow15},
		{"1.0 asked, switch of 1.0-1.5", []DialOption{WithVersions(OpenFlow10)}, hello(OpenFlow15, 0x7e), 0x02, OpenFlow10, OpenFlow10},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr, offered := fakeSwitch(t, c.answer)
			conn, err := Dial(ctx, addr, c.opts...)
			got := <-offered
			if len(got) < 9 || Version(got[0]) != c.offerHdr || binary.BigEndian.Uint32(got[5:]) != c.bitmap {
				t.Errorf("the hello offered %x; want version %v, bitmap %#x", got, c.offerHdr, c.bitmap)
			}
			if c.want == 0 {
				if !errors.Is(err, ErrVersion) {
					t.Fatalf("Dial = %v; want ErrVersion", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if conn.Version() != c.want {
				t.Errorf("negotiated %v, want %v", conn.Version(), c.want)
			}
		})
	}
	for _, opts := range [][]DialOption{{WithVersions()}, {WithVersions(0x02)}} {
		if _, err := Dial(ctx, "tcp:127.0.0.1:1", opts...); !errors.Is(err, ErrVersion) {
			t.Errorf("Dial with %d versions: %v; want ErrVersion before dialling", len(opts), err)
		}
	}
}

// TestBundleAt10: OpenFlow 1.0 has no bundles; AddFlowsAtomic says so
// before sending anything.
func TestBundleAt10(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, _ := fakeSwitch(t, hello(OpenFlow10, 0))
	c, err := Dial(ctx, addr, WithVersions(OpenFlow10))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := ParseFlow("actions=drop")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddFlowsAtomic(ctx, f); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("AddFlowsAtomic at 1.0: %v; want ErrUnsupported", err)
	}
}
