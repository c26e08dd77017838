package ovsdb

import (
	"errors"
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

func (e *sentinel) Is(target error) bool {
	return e.also != nil && (target == e.also || errors.Is(e.also, target))
}

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: a row, record or column value that was looked up does not
	// exist. It also matches fs.ErrNotExist.
	ErrNotFound error = &sentinel{"not found", fs.ErrNotExist}
	// ErrExists: the row to create exists already (a duplicate name, or a
	// violated index). It also matches fs.ErrExist.
	ErrExists error = &sentinel{"already exists", fs.ErrExist}
	// ErrConflict: the transaction kept conflicting with concurrent writers
	// until its context ended (or its WithMaxRetries ran out).
	ErrConflict error = &sentinel{"conflict with a concurrent transaction; retries exhausted", nil}
	// ErrNotConnected: the client has no connection to the server (it is
	// reconnecting), or the connection dropped. Alone, it means the request
	// was never sent; a request in flight when the connection dropped
	// fails with an *OutcomeUnknownError that wraps it.
	ErrNotConnected error = &sentinel{"not connected to ovsdb-server", nil}
	// ErrOutcomeUnknown: a transaction was sent, but its answer was lost
	// (the context ended or the connection dropped while it was in
	// flight): it may or may not have committed. Errors that match it are
	// *OutcomeUnknownError.
	ErrOutcomeUnknown error = &sentinel{"transaction sent, outcome unknown", nil}
	// ErrCommitted: the transaction committed, but what Do waits for after
	// the commit (the client's cache to show it, ovs-vswitchd to apply it)
	// was cut short or failed; the Result is returned with the error.
	// A policy's errors after a commit match it too (vswitchdb's
	// *InterfaceError, say).
	ErrCommitted error = &sentinel{"transaction committed", nil}
	// ErrMessageTooLarge: the server sent a message (or, in a monitor's
	// reply, a row) larger than the client's limit (WithMaxMessageSize);
	// the connection is dropped.
	ErrMessageTooLarge error = &sentinel{"message too large", nil}
	// ErrInvalid: a command was given bad input; nothing was written.
	ErrInvalid error = &sentinel{"invalid argument", fs.ErrInvalid}
	// ErrUnknownTable and ErrUnknownColumn: a name that is not in the
	// schema. Both are bad input: they match ErrInvalid too.
	ErrUnknownTable  error = &sentinel{"unknown table", ErrInvalid}
	ErrUnknownColumn error = &sentinel{"unknown column", ErrInvalid}
	// ErrNotMonitored: a read of a table or column the client does not
	// monitor (WithMonitor). It is bad input: it matches ErrInvalid too.
	ErrNotMonitored error = &sentinel{"not monitored by this client", ErrInvalid}
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
	// e.g. "constraint violation"; Syntax, for a "syntax error", the JSON
	// the server could not read.
	Err, Details, Syntax string
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
// ("constraint violation" naming duplicate rows) is ErrExists (and
// fs.ErrExist), "not found" is ErrNotFound (and fs.ErrNotExist), and a wait
// operation that "timed out" (a condition a concurrent writer changed) is
// ErrConflict.
func (e *OpError) Is(target error) bool {
	var s error
	switch {
	case e.Err == "constraint violation" && strings.Contains(e.Details, "index"):
		s = ErrExists
	case e.Err == "not found":
		s = ErrNotFound
	case e.Err == "timed out" && e.Op != nil && e.Op.Op == "wait":
		s = ErrConflict
	default:
		return false
	}
	return target == s || errors.Is(s, target)
}

// RPCError is an error answer to a JSON-RPC request other than transact.
type RPCError struct {
	Method string
	Err    string
}

func (e *RPCError) Error() string { return fmt.Sprintf("%s: %s", e.Method, e.Err) }

// OutcomeUnknownError is a transaction that was sent but whose answer was
// lost: it may or may not have committed. It matches ErrOutcomeUnknown and
// unwraps to the cause (the context's error, or ErrNotConnected).
//
// To find out, read what the transaction would have written once the
// client has caught up with the server (a Do that looks the rows up and
// verifies them), or look for Marker in the database's log: every
// transaction carries it as a comment, which ovsdb-server records with
// the commit (`ovsdb-tool show-log -m DB`).
type OutcomeUnknownError struct {
	// Marker is the transaction's unique comment, "ovskit txn ...".
	Marker string
	// Operations are the operations that were sent.
	Operations []Operation
	// Err is why the answer was lost.
	Err error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("transaction %s sent, outcome unknown: %v", e.Marker, e.Err)
}

// Is reports whether target is ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// UnsupportedError is a write that the server's schema cannot take: a
// non-default value for a table or column that the models have and the
// server's (older) schema lacks, or a value of an enumerated column that
// the models allow and the server's schema does not. It is returned before
// anything is sent, and matches errors.ErrUnsupported.
type UnsupportedError struct {
	Table  string
	Column string // "" for the whole table
	// Value is the enumerated value the server does not allow ("" when
	// the column itself is missing).
	Value string
	// Server is the server's schema: its name and version.
	Server string
}

func (e *UnsupportedError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("the server's schema (%s) does not allow %s.%s to be %q: %v", e.Server, e.Table, e.Column, e.Value, errors.ErrUnsupported)
	}
	if e.Column == "" {
		return fmt.Sprintf("the server's schema (%s) has no table %s: %v", e.Server, e.Table, errors.ErrUnsupported)
	}
	return fmt.Sprintf("the server's schema (%s) has no column %s.%s: %v", e.Server, e.Table, e.Column, errors.ErrUnsupported)
}

// Is matches errors.ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool { return target == errors.ErrUnsupported }
