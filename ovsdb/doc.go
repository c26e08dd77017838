// Package ovsdb is ovskit's client of the Open_vSwitch database: connection,
// cache, typed models and transactions with the semantics of ovs-vsctl.
//
// # Connecting
//
// Dial connects to "unix:PATH", "tcp:HOST:PORT" or "ssl:HOST:PORT" (several,
// comma-separated, are tried in turn), checks that the server's schema has
// every table and column of the models, and loads the database into a cache
// kept current by a monitor (update2 diffs, so a large set costs only its
// change). When the connection drops, the client reconnects with backoff and
// rebuilds the cache from scratch; it never serves the old one meanwhile.
//
// # Models
//
// Every table of the schema has a generated type (Bridge, Port, Interface,
// OpenVSwitch, Controller, ...). A column that may be empty is a pointer
// (Port.Tag *int), a set is a slice, a map a map, and enumerated columns
// have typed constants (BridgeFailModeSecure). A reference column holds
// UUIDs; its generated resolver gives the rows it refers to, typed by the
// schema's refTable (Bridge.PortsRows, Port.QoSRow, Datapath.CTZonesRows).
// models_gen.go is generated from vswitch.ovsschema by `go generate`; a
// test fails when it is stale.
//
// # Transactions
//
// A transaction is a list of commands committed atomically, like ovs-vsctl's
// "--" chaining. Commands read one immutable snapshot of the database,
// taken when the transaction starts (a persistent trie per table: taking
// it copies nothing), through a Tx (Get, Lookup, LookupUUID, FindByKey,
// List), see the writes of the commands before them, and write with
// Insert, Update, Mutate and Delete. Rows inserted in the transaction
// refer to each other by name, like ovs-vsctl's --id=@name. Every row
// handed out is a deep copy: the caller's to edit.
//
// Every read is verified at commit with RFC 7047 wait operations: a lookup
// by name verifies that the name still leads to the same row (or still to
// none), Tx.Verify that columns are unchanged. When a concurrent writer made
// a read stale, the commit fails atomically and the commands run again on
// the new state (ovs-vsctl's TRY_AGAIN). Set and map edits are mutations, so
// concurrent writers adding ports to one bridge never conflict.
//
// Do returns when the client's cache shows the commit (read-your-writes)
// and, unless NoWait, when ovs-vswitchd has applied it: a transaction that
// writes increments Open_vSwitch.next_cfg and Do waits for cur_cfg to
// reach it, as ovs-vsctl does. It then reports each interface the
// transaction created, with an *InterfaceError for those that
// ovs-vswitchd could not set up ("committed, but interface X failed").
//
// # Outcomes
//
// A call that fails tells how far it got. A context that ends before the
// request is sent sends nothing and returns the context's error. An
// *OutcomeUnknownError (ErrOutcomeUnknown) means the transaction was sent
// and its answer lost: it may have committed; its Marker is in the
// database's log. An error matching ErrCommitted means it committed and
// a wait after it was cut short. Any other error means nothing was
// written. A failure that rests on an absent row is confirmed by the
// server before it is reported.
//
// # Watching
//
// Watch streams a table's changes; Inform lists the table at a snapshot
// and streams every change after it, with no gap (list-then-watch); a
// slow receiver's queue is bounded by merging events per row. Sync waits
// until the cache holds every commit the server made before the call.
// WaitUntil waits for a row that satisfies a predicate.
//
// # Errors
//
// Errors wrap the sentinels ErrNotFound (also fs.ErrNotExist), ErrExists
// (also fs.ErrExist), ErrConflict, ErrNotConnected, ErrInvalid (also
// fs.ErrInvalid; ErrUnknownTable and ErrUnknownColumn match it too),
// ErrSchema, ErrMessageTooLarge, ErrOutcomeUnknown, ErrCommitted and the
// context's errors; a server refusal is an *OpError with the server's
// error, details and the operation, matching ErrExists, ErrNotFound or
// ErrConflict as its error says.
package ovsdb
