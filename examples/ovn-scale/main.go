// Command ovn-scale builds an OVN deployment of many chassis on this
// machine (a 3-member Northbound cluster, Southbound, ovn-northd; each
// chassis a namespace with ovsdb-server, ovs-vswitchd and ovn-controller),
// plugs guests on one logical switch, pings a sample of cross-chassis
// pairs, and reports the time until every chassis is registered and every
// port is up, the memory and idle CPU of a chassis and the time of the
// teardown. Root is required; nothing is left behind.
//
//	sudo go run ./examples/ovn-scale [-chassis 16] [-guests 2] [-pairs 16]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ovskit/ovskit/examples/labs"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ovn-scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg labs.ScaleConfig
	fs.IntVar(&cfg.Chassis, "chassis", 16, "number of chassis")
	fs.IntVar(&cfg.Guests, "guests", 2, "guests per chassis")
	fs.IntVar(&cfg.Pairs, "pairs", 16, "cross-chassis pairs of guests that ping")
	fs.StringVar(&cfg.Prefix, "prefix", "ovskit-scale-", "prefix of every namespace name")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := labs.Scale(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "ovn-scale: %v\n", err)
		return 1
	}
	if _, err := res.WriteTo(stdout); err != nil {
		return 1
	}
	if res.Reached != res.Pairs {
		fmt.Fprintf(stderr, "ovn-scale: %d of %d pairs did not reach each other\n", res.Pairs-res.Reached, res.Pairs)
		return 1
	}
	return 0
}
