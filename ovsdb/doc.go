// Package ovsdb is ovskit's OVSDB client, for any database: connection,
// cache, transactions with the semantics of ovs-vsctl, watches. It knows no
// schema: a client is given its database's generated models and policy
// (WithDatabase): vswitchdb.Database() for Open_vSwitch, nbdb.Database()
// and sbdb.Database() for OVN, vtepdb, icnbdb and icsbdb, or a package
// that cmd/modelgen generates from any .ovsschema.
//
// # Connecting
//
// Dial connects to "unix:PATH", "tcp:HOST:PORT" or "ssl:HOST:PORT" (several,
// comma-separated, are tried in turn), negotiates with the server's schema,
// and loads the database into a cache kept current by a monitor (update2 diffs, so a large set costs only its
// change). When the connection drops, the client reconnects with backoff and
// rebuilds the cache from scratch; it never serves the old one meanwhile.
// A connection from which nothing arrives is probed with an echo and
// dropped when still silent (WithInactivityProbe, 5 s as the C tools), and
// connecting to one endpoint is bounded (WithConnectTimeout): a stopped
// server (SIGSTOP, a partition) makes the client fail over to the next
// endpoint instead of holding it.
//
// A server older than the models (the tutorial's Open vSwitch 2.13, an OVN
// 22.03 LTS) lacks some of their tables and columns: at every connect the
// client intersects the models with the server's schema, monitors only what
// the server has, and logs each missing table or column once, as the C IDL
// does. What the server lacks reads as empty; writing a non-default value
// to it, or an enumerated value its schema does not allow, fails before
// anything is sent with an *UnsupportedError (matching
// errors.ErrUnsupported); Client.ServerHas tells what the server has. A
// newer server's extra tables and columns are not seen.
//
// # Models
//
// Every table of a schema has a generated type (vswitchdb.Bridge,
// vswitchdb.Port, nbdb.LogicalSwitch, ...). A column that may be empty is a
// pointer (Port.Tag *int), a set is a slice, a map a map, and enumerated
// columns have typed constants (vswitchdb.BridgeFailModeSecure); each
// column has a name constant (vswitchdb.ColumnBridgeName) for Update,
// Verify, Lookup and WithMonitor. A reference column holds UUIDs; its
// generated resolver gives the rows it refers to, typed by the schema's
// refTable (Bridge.PortsRows, Port.QoSRow, Datapath.CTZonesRows). Each
// package's models_gen.go is generated from its schema file by `go
// generate` (cmd/modelgen); a test fails when one is stale.
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
// none), Tx.Verify that columns are unchanged, Tx.VerifyContains that a set
// still holds an element. Tx.Update is a read-modify-write under snapshot
// isolation: the commit verifies that the columns it overwrites still hold
// the snapshot's values, so of two concurrent updates the first committer
// wins and the other runs again (no update is lost); Tx.Overwrite is the
// blind write. When a concurrent writer made a read stale, the commit fails
// atomically and the commands run again on the new state (ovs-vsctl's
// TRY_AGAIN), until the context ends, with a jittered backoff so that
// contenders cannot livelock (WithMaxRetries bounds it). Set and map edits
// are mutations, and the commands verify what their decision rests on and
// no more, so concurrent writers adding and deleting ports on one bridge
// never conflict.
//
// An outcome that rests on the snapshot as a whole (a row not found, an
// if-exists that had nothing to do, any transaction that writes nothing)
// is reported only from a snapshot known to hold every commit made before
// the call: one taken after a barrier (an echo; see Sync), or else fn runs
// again on a newer one. So a row another client has just committed is
// never reported absent, whichever way the command read it. With
// WithMonitor conditions, a lookup in a table the cache holds only part of
// is verified by the server, and rows outside the conditions that decide
// it are fetched and shown to fn: an absence in the cache is not an
// absence in the database.
//
// Do returns when the client's cache shows the commit (read-your-writes)
// and, unless NoWait, when the database's Policy is satisfied: for
// Open_vSwitch (vswitchdb), a transaction that writes increments
// Open_vSwitch.next_cfg and Do waits for ovs-vswitchd to reach it in
// cur_cfg, as ovs-vsctl does, then reports each interface the transaction
// created (vswitchdb.ReportOf), with a *vswitchdb.InterfaceError for those
// that ovs-vswitchd could not set up ("committed, but interface X failed").
//
// # Outcomes
//
// A call that fails tells how far it got. A context that ends before the
// request is sent sends nothing and returns the context's error. An
// *OutcomeUnknownError (ErrOutcomeUnknown) means the transaction was sent
// and its answer lost: it may have committed; its Marker is in the
// database's log. An error matching ErrCommitted means it committed and
// a wait after it was cut short. Any other error means nothing was
// written.
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
