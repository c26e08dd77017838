package vswitchdb_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// A client of Open_vSwitch is given this package's models and policy; a
// transaction that writes then waits for ovs-vswitchd and reports the
// interfaces it created.
func ExampleReportOf() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, "unix:/var/run/openvswitch/db.sock", ovsdb.WithDatabase(vswitchdb.Database()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	res, err := c.Transact(ctx, bridge.Add("br0", bridge.MayExist()), port.Add("br0", "tap0"))
	var ie *vswitchdb.InterfaceError
	if errors.As(err, &ie) {
		// Committed, but ovs-vswitchd could not set the interface up.
		fmt.Println(ie.Name, ie.Cause)
	} else if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range vswitchdb.ReportOf(res).Interfaces {
		fmt.Println(st.Name, st.Ofport)
	}
}
