// Command ovskit runs ovs-vsctl command lines through the ovskit library:
// the same commands, options and "--" chaining, committed as one
// transaction, without the ovs-vsctl binary.
//
//	ovskit --db=unix:/var/run/openvswitch/db.sock add-br br0 -- set Bridge br0 datapath_type=netdev
//
// It prints what ovs-vsctl prints and exits as it does: 0 on success (an
// interface that ovs-vswitchd could not set up is a warning on stderr, as
// in ovs-vsctl), 1 on error, 2 for br-exists on a missing bridge.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/ovskit/ovskit/ovsdb"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func defaultDB() string {
	if dir := os.Getenv("OVS_RUNDIR"); dir != "" {
		return "unix:" + filepath.Join(dir, "db.sock")
	}
	return ovsdb.DefaultEndpoint
}

func run(args []string) int {
	inv, err := parse(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ovskit: %v\n", err)
		return 1
	}
	if inv.db == "" {
		inv.db = defaultDB()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if inv.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, inv.timeout)
		defer cancel()
	}
	client, err := ovsdb.Dial(ctx, inv.db)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ovskit: %s: database connection failed (%v)\n", inv.db, err)
		return 1
	}
	defer client.Close()
	return report(inv.execute(ctx, client, os.Stdout, os.Stderr), os.Stderr)
}

// report prints err as ovs-vsctl prints its errors and returns the exit
// status.
func report(err error, stderr io.Writer) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.code != 2 {
			fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "%s: %v\n", progName, err)
	return 1
}
