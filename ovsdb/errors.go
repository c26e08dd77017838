package ovsdb

import (
	"fmt"
	"io/fs"
	"net"
	"strings"
)

// sentinel is an error value that can also match a standard error, so that
// errors.Is(err, fs.ErrNotExist) works for ErrNotFound.
type sentinel struct {
	msg  string
	also error
}

func (e *sentinel) Error() string { return e.msg }

func (e *sentinel) Is(target error) bool { return e.also != nil && target == e.also }

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: a row, record or column value that was looked up does not
	// exist. It also matches fs.ErrNotExist.
	ErrNotFound error = &sentinel{"not found", fs.ErrNotExist}
	// ErrExists: the row to create exists already (a duplicate name, or a
	// violated index). It also matches fs.ErrExist.
	ErrExists error = &sentinel{"already exists", fs.ErrExist}
	// ErrConflict: the transaction kept conflicting with concurrent writers
	// until its retries ran out.
	ErrConflict error = &sentinel{"conflict with a concurrent transaction; retries exhausted", nil}
	// ErrNotConnected: the client has no connection to the server (closed, or
	// reconnecting), or the connection dropped with a request in flight.
	ErrNotConnected error = &sentinel{"not connected to ovsdb-server", nil}
	// ErrInvalid: a command was given bad input; nothing was written.
	ErrInvalid error = &sentinel{"invalid argument", fs.ErrInvalid}
	// ErrUnknownTable and ErrUnknownColumn: a name that is not in the schema.
	ErrUnknownTable  error = &sentinel{"unknown table", nil}
	ErrUnknownColumn error = &sentinel{"unknown column", nil}
	// ErrSchema: the server's schema lacks a table or column of the models.
	ErrSchema error = &sentinel{"schema mismatch", nil}
	// ErrTryAgain: returned (wrapped) by a command, it abandons the
	// transaction without writing and runs it again once the database has
	// changed, until ctx ends: how a command waits for a condition
	// (ovs-vsctl's wait-until).
	ErrTryAgain error = &sentinel{"condition not met yet; try again after the next change", nil}
	// ErrClosed: the client was closed.
	ErrClosed error = &sentinel{"client closed", net.ErrClosed}
)

// OpError is an operation the server refused: the RFC 7047 "error" and
// "details" of its result, with the operation itself.
type OpError struct {
	// Index is the position of the operation in the transaction; it is
	// len(Operations) for an error the server raised at commit.
	Index int
	// Op is the refused operation (nil for a commit error).
	Op *Operation
	// Err and Details are the server's "error" and "details" strings,
	// e.g. "constraint violation".
	Err, Details string
}

func (e *OpError) Error() string {
	var b strings.Builder
	if e.Op != nil {
		fmt.Fprintf(&b, "%s on table %s", e.Op.Op, e.Op.Table)
	} else {
		b.WriteString("commit")
	}
	fmt.Fprintf(&b, ": %s", e.Err)
	if e.Details != "" {
		fmt.Fprintf(&b, ": %s", e.Details)
	}
	return b.String()
}

// Is maps the server's error strings to the sentinels: a violated index
// ("constraint violation" naming duplicate rows) is ErrExists, a failed
// wait or a referential-integrity loss caused by a concurrent writer is
// ErrConflict.
func (e *OpError) Is(target error) bool {
	switch target {
	case ErrExists:
		return e.Err == "constraint violation" && strings.Contains(e.Details, "index")
	case ErrNotFound:
		return e.Err == "not found"
	}
	return false
}

// InterfaceError says that a transaction committed, but ovs-vswitchd could
// not set up an interface it created (ovs-vsctl exits with status 65 in this
// case). The rows stay in the database.
type InterfaceError struct {
	Name  string // interface name
	UUID  string // interface row
	Cause string // the interface's "error" column, possibly empty
}

func (e *InterfaceError) Error() string {
	if e.Cause == "" {
		return fmt.Sprintf("committed, but interface %q failed (no ofport; see ovs-vswitchd's log)", e.Name)
	}
	return fmt.Sprintf("committed, but interface %q failed: %s", e.Name, e.Cause)
}

// RPCError is an error answer to a JSON-RPC request other than transact.
type RPCError struct {
	Method string
	Err    string
}

func (e *RPCError) Error() string { return fmt.Sprintf("%s: %s", e.Method, e.Err) }
