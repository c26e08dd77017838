package qemu

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// fakeGuest answers the command port as the guest's init does, through
// reply, which sees each line the host sent.
func fakeGuest(t *testing.T, reply func(line string) string) *VM {
	t.Helper()
	host, guest := net.Pipe()
	v := &VM{cfg: Config{Name: "vm9"}, log: slog.New(slog.DiscardHandler), conn: host,
		exited: make(chan struct{}), ready: make(chan struct{}), lost: make(chan struct{}), wait: map[int]chan Result{},
		started: time.Now()}
	go v.readLoop()
	go func() {
		_, _ = fmt.Fprintln(guest, "ovskit-ready 1.23")
		sc := bufio.NewScanner(guest)
		for sc.Scan() {
			if out := reply(sc.Text()); out != "" {
				_, _ = fmt.Fprintln(guest, out)
			}
		}
	}()
	t.Cleanup(func() { host.Close(); guest.Close() })
	return v
}

// run decodes a command line "ID BASE64 ID" and answers it with the
// output and status the script maps to.
func answer(line string, outputs map[string]Result) string {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != f[2] {
		return "ovskit-garbled"
	}
	script, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return "ovskit-garbled"
	}
	r := outputs[string(script)]
	return fmt.Sprintf("ovskit-result %s %d %s", f[0], r.Status, base64.StdEncoding.EncodeToString([]byte(r.Output)))
}

func TestExec(t *testing.T) {
	outputs := map[string]Result{
		"hostname; exit 3":               {3, "vm9\n"},
		"ping -c 3 -i 0.2 -W 1 10.0.3.2": {0, "PING 10.0.3.2 (10.0.3.2): 56 data bytes\n64 bytes from 10.0.3.2: seq=0 ttl=64 time=2.1 ms\n\n--- 10.0.3.2 ping statistics ---\n3 packets transmitted, 2 packets received, 33% packet loss\n"},
		"ping -c 3 -i 0.2 -W 1 10.0.3.9": {1, "PING 10.0.3.9 (10.0.3.9): 56 data bytes\n\n--- 10.0.3.9 ping statistics ---\n3 packets transmitted, 0 packets received, 100% packet loss\n"},
		"ip route show default":          {0, "default via 10.0.0.1 dev eth0\n"},
		"ip -4 -o addr show dev eth0":    {0, "2: eth0    inet 10.0.0.200/24 scope global eth0\\       valid_lft forever preferred_lft forever\n"},
		"udhcpc -i eth0 -n -q -t 10 -T 1 -s /usr/share/udhcpc/default.script": {0, "udhcpc: started, v1.35.0\nlease ip=10.0.0.200 mask=24 router=10.0.0.1 serverid=10.0.0.1 lease=86400 dns=198.51.100.53,203.0.113.53\n"},
	}
	v := fakeGuest(t, func(line string) string { return answer(line, outputs) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := v.Exec(ctx, "hostname; exit 3")
	if err != nil || r.Status != 3 || r.Output != "vm9\n" {
		t.Errorf("Exec = %+v, %v", r, err)
	}
	if v.BootTime() <= 0 {
		t.Error("BootTime not set after ready")
	}
	for _, tt := range []struct {
		dst  string
		want bool
	}{{"10.0.3.2", true}, {"10.0.3.9", false}} {
		if got, err := v.Ping(ctx, tt.dst); err != nil || got != tt.want {
			t.Errorf("Ping(%s) = %v, %v; want %v", tt.dst, got, err, tt.want)
		}
	}
	if _, err := v.Ping(ctx, "10.0.3.2; reboot"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Ping of a non-address: %v, want ErrInvalid", err)
	}
	if gw, err := v.DefaultGateway(ctx); err != nil || gw != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("DefaultGateway = %v, %v", gw, err)
	}
	if a, err := v.Addrs(ctx, "eth0"); err != nil || len(a) != 1 || a[0] != netip.MustParsePrefix("10.0.0.200/24") {
		t.Errorf("Addrs = %v, %v", a, err)
	}
	l, err := v.DHCP(ctx)
	want := Lease{Addr: netip.MustParsePrefix("10.0.0.200/24"), Router: netip.MustParseAddr("10.0.0.1"), Server: netip.MustParseAddr("10.0.0.1"),
		LeaseTime: 86400 * time.Second, DNS: []netip.Addr{netip.MustParseAddr("198.51.100.53"), netip.MustParseAddr("203.0.113.53")}}
	if err != nil || fmt.Sprint(l) != fmt.Sprint(want) {
		t.Errorf("DHCP = %+v, %v; want %+v", l, err, want)
	}
}

// TestExecGarbled: a command line damaged on the serial port is answered
// "garbled" by the guest, and the host sends it again.
func TestExecGarbled(t *testing.T) {
	damaged := 0
	v := fakeGuest(t, func(line string) string {
		if damaged < 2 {
			damaged++
			return answer(line[5:], nil) // the UART lost the start of the line
		}
		return answer(line, map[string]Result{"echo hi": {0, "hi\n"}})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := v.Exec(ctx, "echo hi")
	if err != nil || r.Output != "hi\n" {
		t.Errorf("Exec = %+v, %v; want hi", r, err)
	}
	if v.resent != 2 {
		t.Errorf("resent %d times, want 2", v.resent)
	}
}

// TestExecContext: a guest that never answers holds Exec only until its
// context ends.
func TestExecContext(t *testing.T) {
	v := fakeGuest(t, func(string) string { return "" })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := v.Exec(ctx, "sleep 100"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}

func TestParseLease(t *testing.T) {
	for _, tt := range []struct {
		name, out string
		ok        bool
	}{
		{"full", "lease ip=10.0.0.200 mask=24 router=10.0.0.1 serverid=10.0.0.1 lease=86400 dns=", true},
		{"no router", "lease ip=10.0.0.200 mask=24 router= serverid=10.0.0.1 lease=60 dns=", true},
		{"no line", "udhcpc: started\n", false},
		{"bad ip", "lease ip=10.0.0 mask=24 lease=60", false},
		{"bad mask", "lease ip=10.0.0.2 mask=x lease=60", false},
		{"mask too long", "lease ip=10.0.0.2 mask=33 lease=60", false},
		{"bad lease", "lease ip=10.0.0.2 mask=24 lease=", false},
		{"bad dns", "lease ip=10.0.0.2 mask=24 lease=1 dns=x", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseLease(tt.out)
			if (err == nil) != tt.ok {
				t.Errorf("parseLease(%q) = %v, want ok=%v", tt.out, err, tt.ok)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	img := &Image{Kernel: "/c/vmlinuz", Initrd: "/c/initrd.img"}
	good := Config{Name: "vm1", Dir: "/run/x", Image: img, MAC: "52:54:00:00:00:01", Tap: "vif0.0", IfUp: "/run/x/if-up", IfDown: "/run/x/if-down", Addr: "10.0.3.1/24"}
	args, err := Args(good)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Join(args, " ")
	for _, want := range []string{
		"-accel tcg -name vm1 -m 256 -smp 1",
		"-net nic,model=virtio,macaddr=52:54:00:00:00:01",
		"-net tap,ifname=vif0.0,script=/run/x/if-up,downscript=/run/x/if-down",
		"ovskit.addr=10.0.3.1/24",
	} {
		if !strings.Contains(line, want) {
			t.Errorf("args lack %q:\n%s", want, line)
		}
	}
	noScripts := good
	noScripts.IfUp, noScripts.IfDown = "", ""
	if args, _ := Args(noScripts); !strings.Contains(strings.Join(args, " "), "script=no,downscript=no") {
		t.Errorf("without scripts: %v", args)
	}
	for _, tt := range []struct {
		name string
		edit func(*Config)
	}{
		{"no name", func(c *Config) { c.Name = "" }},
		{"comma in tap", func(c *Config) { c.Tap = "vif0,script=/tmp/evil" }},
		{"space in address", func(c *Config) { c.Addr = "10.0.3.1/24 init=/bin/sh" }},
		{"bad MAC", func(c *Config) { c.MAC = "52:54:00" }},
		{"bad address", func(c *Config) { c.Addr = "10.0.3.1" }},
		{"long dir", func(c *Config) { c.Dir = "/" + strings.Repeat("d", 120) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			if _, err := Args(c); !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

// TestTutorialScripts: the scripts are the tutorial's, with the command
// in place of ovs-vsctl.
func TestTutorialScripts(t *testing.T) {
	up, down := TutorialScripts("br-in", "ovskit")
	for _, want := range []string{"bridge=br-in\n", "ip link set $1 up\n", "sleep 1\n", "ovskit add-port $bridge $1\n", "[ $? -eq 0 ] && exit 0 || exit 1\n"} {
		if !strings.Contains(up, want) {
			t.Errorf("if-up lacks %q:\n%s", want, up)
		}
	}
	for _, want := range []string{"ip link set $1 down\n", "ovskit del-port $bridge $1\n"} {
		if !strings.Contains(down, want) {
			t.Errorf("if-down lacks %q:\n%s", want, down)
		}
	}
}
