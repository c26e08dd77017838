package ovsdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vswitchdb"
)

// TestErrorMessages: what each error type says.
func TestErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&vswitchdb.InterfaceError{Name: "nosuch"}, `committed, but interface "nosuch" failed (no ofport; see ovs-vswitchd's log)`},
		{&vswitchdb.InterfaceError{Name: "nosuch", Cause: "could not open network device nosuch (No such device)"},
			`committed, but interface "nosuch" failed: could not open network device nosuch (No such device)`},
		{&ovsdb.OpError{Index: 1, Op: &ovsdb.Operation{Op: "insert", Table: "Port"}, Err: "constraint violation", Details: "duplicate"},
			"insert on table Port: constraint violation: duplicate"},
		{&ovsdb.OpError{Index: 2, Err: "referential integrity violation"}, "commit: referential integrity violation"},
		{&ovsdb.RPCError{Method: "monitor", Err: "unknown database"}, "monitor: unknown database"},
		{&ovsdb.OutcomeUnknownError{Marker: "ovskit txn X", Err: context.DeadlineExceeded}, "transaction ovskit txn X sent, outcome unknown: context deadline exceeded"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
	if !errors.Is(&vswitchdb.InterfaceError{Name: "x"}, ovsdb.ErrCommitted) {
		t.Error("an InterfaceError is not ErrCommitted")
	}
}

// TestServerRefusalIsRPCError: a request the server answers with an error
// (here get_schema of a database it does not have) fails with *RPCError
// naming the method and the server's error.
func TestServerRefusalIsRPCError(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithoutClient())
	_, err := ovsdb.Dial(testCtx(t, 10*time.Second), s.Endpoint, ovsdb.WithDatabase(nbdb.Database()))
	var re *ovsdb.RPCError
	if !errors.As(err, &re) || re.Method != "get_schema" || re.Err != "unknown database: get_schema request specifies unknown database OVN_Northbound" {
		t.Fatalf("dial a database the server lacks: %v, want an *RPCError saying unknown database", err)
	}
}
