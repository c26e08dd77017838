package appctl_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// ovs-appctl -t ovs-vswitchd version, natively.
func ExampleCall() {
	ctx := context.Background()
	// A private ovs-vswitchd for the example (root); a program names the
	// switch's own: /var/run/openvswitch/ovs-vswitchd.PID.ctl.
	srv, err := ovstest.Start(ctx, ovstest.WithVSwitchd())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	out, err := appctl.Call(ctx, srv.VSwitchdCtl(), "version")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(out, "ovs-vswitchd (Open vSwitch) "))
	// Output: true
}

// A program's own control socket, answering ovs-appctl -t PATH greet NAME
// as Open vSwitch's daemons answer theirs.
func ExampleServer() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv := appctl.NewServer("greeter 1.0")
	srv.Handle("greet", "NAME", 1, 1, func(_ context.Context, args []string) (string, error) {
		return "hello, " + args[0], nil
	})
	path := filepath.Join(dir, "greeter.ctl")
	l, err := appctl.Listen(path)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()

	out, err := appctl.Call(ctx, path, "greet", "world")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(out)
	cancel()
	<-done
	// Output: hello, world
}
