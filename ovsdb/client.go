package ovsdb

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultEndpoint is where ovs-vsctl looks for the database when it is given
// no --db option.
const DefaultEndpoint = "unix:/var/run/openvswitch/db.sock"

// Option configures a Client.
type Option func(*options) error

type options struct {
	logger     *slog.Logger
	tls        *tls.Config
	minBackoff time.Duration
	maxBackoff time.Duration
	maxRetries int
	maxMessage int
	observer   func(TxInfo)
	// probe is the inactivity probe's interval (0: none); connectTimeout
	// bounds connecting to one endpoint, up to the server's first answer.
	probe          time.Duration
	connectTimeout time.Duration
	noWait         bool
	keys           []KeyIndex
	dialer         net.Dialer
	database       *DatabaseModel
	// followerReads allows a follower of a clustered database.
	followerReads bool
	// noShuffle keeps the endpoints in the given order.
	noShuffle bool
	// monitors limit what is monitored (nil: everything).
	monitors map[string]*Monitor
}

// Monitor limits what a client monitors and caches of one table
// (WithMonitor).
type Monitor struct {
	// Table is the table's name.
	Table string
	// Columns are the columns the cache holds (nil: all of them). The
	// others read as zero values, and reading or verifying them by name
	// (Lookup, Verify) fails with ErrNotMonitored.
	Columns []string
	// Where keeps only the rows that match any of the conditions (nil:
	// every row; the server ORs a monitor's conditions, where a select
	// ANDs them): the server sends no others. Values are in OVSDB's JSON
	// notation (a string, a number, a boolean, ["uuid", "..."]).
	// Lookup in such a table is verified by the server: when rows
	// outside the conditions have the value, Do fetches them and runs
	// fn again with them in view (an absence in the cache is not an
	// absence in the database). List and Rows show the kept rows only.
	Where []Condition
}

// WithMonitor makes the client monitor only these tables (conditional
// monitoring, monitor_cond): an agent then holds the part of a large
// database it needs, not all of it. Reading a table that is not listed
// fails with ErrNotMonitored. Tables, columns and conditions are checked
// against the models' schema at Dial.
func WithMonitor(ms ...Monitor) Option {
	return func(o *options) error {
		if o.monitors == nil {
			o.monitors = map[string]*Monitor{}
		}
		for _, m := range ms {
			if m.Table == "" {
				return fmt.Errorf("monitor: no table: %w", ErrInvalid)
			}
			if _, dup := o.monitors[m.Table]; dup {
				return fmt.Errorf("monitor: table %s twice: %w", m.Table, ErrInvalid)
			}
			m := m
			m.Columns = slices.Clone(m.Columns)
			m.Where = slices.Clone(m.Where)
			o.monitors[m.Table] = &m
		}
		return nil
	}
}

// checkMonitors checks the monitors' tables, columns and conditions
// against the schema.
func checkMonitors(s *Schema, ms map[string]*Monitor) error {
	for t, m := range ms {
		if _, ok := s.kinds[t]; !ok {
			return fmt.Errorf("monitor: table %q: %w", t, ErrUnknownTable)
		}
		for _, col := range m.Columns {
			if _, ok := s.kinds[t][col]; !ok || col == "_uuid" {
				return fmt.Errorf("monitor: %w", unknownColumnError(t, col))
			}
		}
		for _, c := range m.Where {
			if _, ok := s.kinds[t][c.Column]; !ok {
				return fmt.Errorf("monitor: condition: %w", unknownColumnError(t, c.Column))
			}
			switch c.Function {
			case "==", "!=", "<", "<=", ">", ">=", "includes", "excludes":
			default:
				return fmt.Errorf("monitor: condition on %s.%s: function %q: %w", t, c.Column, c.Function, ErrInvalid)
			}
		}
	}
	return nil
}

// WithoutShuffle tries the endpoints in the order given. By default the
// client shuffles them once, so that the clients of a clustered database
// spread over its members (ovn-nbctl --no-shuffle-remotes).
func WithoutShuffle() Option { return func(o *options) error { o.noShuffle = true; return nil } }

// WithDatabase gives the client its database: the generated models of
// the database it serves, and their policy. Every client needs one:
// vswitchdb.Database() for Open_vSwitch (whose policy waits for
// ovs-vswitchd and indexes the interface keys), nbdb.Database() for
// OVN_Northbound, sbdb.Database() for OVN_Southbound, or a package that
// cmd/modelgen generated for another schema.
func WithDatabase(d *DatabaseModel) Option {
	return func(o *options) error {
		if d == nil {
			return fmt.Errorf("database model: nil: %w", ErrInvalid)
		}
		o.database = d
		return nil
	}
}

// WithKeyIndex makes the client index the values of a key of a map
// column (Interface external_ids:iface-id, say), so that FindByKey on it
// takes constant time however large the table. A database's policy may
// index some always (vswitchdb: the interface keys of Open vSwitch's
// integration conventions, iface-id, attached-mac and vm-uuid).
func WithKeyIndex(table, column, key string) Option {
	return func(o *options) error { o.keys = append(o.keys, KeyIndex{table, column, key}); return nil }
}

// WithIndex makes the client index a column of a table, kept current by
// the monitor, so that FindBy on it is answered in time proportional to
// the rows found however large the table: the Logical_Flow rows of a
// datapath (WithIndex("Logical_Flow", "logical_datapath")), the
// Port_Binding rows of a chassis. A set column is indexed by each of its
// elements, an optional one by its value when it has one. Map columns are
// indexed by key (WithKeyIndex).
func WithIndex(table, column string) Option {
	return func(o *options) error { o.keys = append(o.keys, KeyIndex{Table: table, Column: column}); return nil }
}

// WithObserver makes the client call fn after each transaction (Do, View,
// Transact) with what it did (TxInfo: duration, runs, operations and
// bytes sent, outcome), on the caller's goroutine, so that a program can
// export metrics (package ovsdb/otelovsdb does it with OpenTelemetry).
// fn must be quick and must not call the client.
func WithObserver(fn func(TxInfo)) Option {
	return func(o *options) error {
		if fn == nil {
			return fmt.Errorf("observer: nil: %w", ErrInvalid)
		}
		o.observer = fn
		return nil
	}
}

// WithNoWait makes every transaction of the client commit without its
// database's policy (for Open_vSwitch: without incrementing next_cfg and
// waiting for ovs-vswitchd), as if each had NoWait: for a server that has
// no ovs-vswitchd (a test server, a database being prepared).
func WithNoWait() Option { return func(o *options) error { o.noWait = true; return nil } }

// WithMaxMessageSize bounds what the client holds of a message from the
// server (default DefaultMaxMessageSize): each member of a message (a
// notification's updates, a transaction's reply, an error) and, in a
// monitor's reply, each row. A monitor's reply itself (the whole database,
// hundreds of megabytes at Southbound scale) is not bounded: it is read
// as it arrives, a row at a time, into the cache. What exceeds the bound
// fails the call waiting for it with ErrMessageTooLarge and drops the
// connection.
func WithMaxMessageSize(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("max message size %d: %w", n, ErrInvalid)
		}
		o.maxMessage = n
		return nil
	}
}

// WithLogger sets the logger for connection events (nil, the default, logs
// nothing).
func WithLogger(l *slog.Logger) Option { return func(o *options) error { o.logger = l; return nil } }

// WithTLS sets the TLS configuration for ssl: endpoints.
func WithTLS(c *tls.Config) Option { return func(o *options) error { o.tls = c; return nil } }

// WithBackoff sets the reconnect backoff, doubling from min to max after
// each round of the endpoints that failed (within a round they are tried
// min apart), each wait spread between half of it and all of it. The
// default is 50ms to 5s.
func WithBackoff(min, max time.Duration) Option {
	return func(o *options) error {
		if min <= 0 || max < min {
			return fmt.Errorf("backoff %v to %v: want 0 < min <= max: %w", min, max, ErrInvalid)
		}
		o.minBackoff, o.maxBackoff = min, max
		return nil
	}
}

// DefaultInactivityProbe and DefaultConnectTimeout are those of the C
// tools (ovn-nbctl, ovs-vsctl): 5 s.
const (
	DefaultInactivityProbe = 5 * time.Second
	DefaultConnectTimeout  = 5 * time.Second
)

// WithInactivityProbe sets the inactivity probe (the C IDL's
// inactivity_probe): a connection from which nothing arrived for d gets
// an echo, and one still silent d later is dropped (ErrInactive) and the
// client fails over to the next endpoint, as it does when a connection
// ends. A stopped server (SIGSTOP, a partition) holds the client for at
// most 2×d. 0 turns the probe off. Default DefaultInactivityProbe. Bytes
// of a long message count as activity, but a server that composes a
// large answer (the first download of a database of hundreds of
// thousands of rows) for longer than 2×d is taken for a stopped one: give
// such a client a longer probe.
func WithInactivityProbe(d time.Duration) Option {
	return durationOption("inactivity probe", d, func(o *options) { o.probe = d })
}

// WithConnectTimeout bounds connecting to one endpoint, from the dial to
// the server's first answer; past it the next endpoint is tried, so that
// a member that accepts connections but does not answer (stopped) does not
// hold Dial or a reconnect. Default DefaultConnectTimeout; 0: only the
// context bounds it.
func WithConnectTimeout(d time.Duration) Option {
	return durationOption("connect timeout", d, func(o *options) { o.connectTimeout = d })
}

// durationOption is an option that sets a duration, which must not be
// negative.
func durationOption(what string, d time.Duration, set func(*options)) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("%s %v: %w", what, d, ErrInvalid)
		}
		set(o)
		return nil
	}
}

// WithMaxRetries bounds how many times a transaction is re-run after a
// conflict with a concurrent writer before it fails with ErrConflict. By
// default only the context bounds it, as ovs-vsctl retries until its
// --timeout: re-runs back off with jitter, so contenders cannot livelock.
func WithMaxRetries(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("max retries %d: %w", n, ErrInvalid)
		}
		o.maxRetries = n
		return nil
	}
}

// Stats counts what a client did since Dial.
type Stats struct {
	Transactions uint64 // committed transactions
	Retries      uint64 // command-list re-runs after a conflict
	Reconnects   uint64 // connections re-established after a loss
	Updates      uint64 // monitor updates applied to the cache
	// Received counts the bytes of every message read from the server
	// (the initial contents after each connect included).
	Received uint64
	// Resumed counts reconnects that resumed the monitor where it stopped
	// (monitor_cond_since found the last transaction) instead of loading
	// the whole database again.
	Resumed uint64
}

// Client is a connection to one database of an ovsdb-server (or of a
// cluster), with a cache of the database kept current by a monitor. It
// reconnects by itself; it is safe for concurrent use.
type Client struct {
	opts      options
	endpoints []string
	// listeners are the passive endpoints' (punix:, ptcp:), opened at
	// the first connection and closed with the client.
	lnMu      sync.Mutex
	listeners map[string]net.Listener
	models    *Schema
	keys      []KeyIndex
	log       *slog.Logger

	mu       sync.Mutex
	conn     *rpcConn
	cache    *cache
	server   *serverWatch  // conn's _Server watch
	up       chan struct{} // closed while connected
	down     bool          // conn has ended; up is a fresh, open channel
	endpoint string        // current endpoint
	monID    string        // conn's monitor of the database
	closed   bool
	// monitors are the client's monitors (nil: everything), with the
	// conditions SetWhere last set; condGen counts the changes. A new
	// connection monitors them.
	monitors map[string]*Monitor
	condGen  uint64
	// whereMu makes SetWhere calls one at a time.
	whereMu sync.Mutex
	// life ends at Close: it stops reconnecting, waits and watchers.
	life      context.Context
	stop      context.CancelFunc
	wg        sync.WaitGroup
	watchers  map[*watcher]struct{}
	monitorID int
	raftIndex int64 // the highest raft index seen of a clustered database
	// pubMu orders the cache's updates with what watchers receive:
	// applying an update and publishing its events, switching to a new
	// connection's cache, and registering a watcher at a snapshot each
	// hold it. pubCache is the cache whose updates are published.
	pubMu    sync.Mutex
	pubCache *cache

	stats struct {
		txns, retries, reconnects, updates, resumed atomic.Uint64
		received                                    atomic.Uint64
	}
	// noSince is set once a server has refused monitor_cond_since.
	noSince atomic.Bool
	// id and markers make each transaction's marker comment unique.
	id      string
	markers atomic.Uint64
	// names numbers the transactions that make up row names.
	names atomic.Uint64
	// logged holds what servers lack that was logged (under mu).
	logged map[string]bool
}

// defaultOptions are a client's options before its Options apply.
func defaultOptions() options {
	return options{minBackoff: 50 * time.Millisecond, maxBackoff: 5 * time.Second, maxRetries: -1,
		probe: DefaultInactivityProbe, connectTimeout: DefaultConnectTimeout, maxMessage: DefaultMaxMessageSize}
}

// Dial connects to ovsdb-server at endpoint and loads the database into the
// client's cache. endpoint is "unix:PATH", "tcp:HOST:PORT" or
// "ssl:HOST:PORT", or several of them separated by commas, tried in turn
// (fail-over); "" means DefaultEndpoint. A passive endpoint, "punix:PATH"
// or "ptcp:PORT[:IP]", listens there and waits, within ctx, for the
// server to connect (ovsdb-server --remote=unix:PATH), as ovs-vsctl does. A server older than the models
// (its schema lacks tables or columns of theirs) is served what it has:
// see Client.ServerHas. Dial fails with ErrSchema for another database, or
// a column the server types otherwise than the models.
func Dial(ctx context.Context, endpoint string, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("dial: %w", err)
		}
	}
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	var eps []string
	for _, e := range strings.Split(endpoint, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if _, _, err := splitEndpoint(e); err != nil {
			return nil, err
		}
		eps = append(eps, e)
	}
	if len(eps) > 1 && !o.noShuffle {
		mrand.Shuffle(len(eps), func(i, j int) { eps[i], eps[j] = eps[j], eps[i] })
	}
	dm := o.database
	if dm == nil {
		return nil, fmt.Errorf("dial: no database models: give WithDatabase (vswitchdb.Database() for Open_vSwitch): %w", ErrInvalid)
	}
	if dm.policyErr != nil {
		return nil, fmt.Errorf("dial: %w", dm.policyErr)
	}
	models, err := dm.Schema()
	if err != nil {
		return nil, err
	}
	var keys []KeyIndex
	if pol := dm.policy; pol != nil {
		for _, t := range pol.Monitor {
			if o.monitors != nil && o.monitors[t] == nil {
				// The policy reads it after each commit.
				o.monitors[t] = &Monitor{Table: t}
			}
		}
		for _, k := range pol.KeyIndexes {
			if o.monitors == nil || o.monitors[k.Table] != nil {
				keys = append(keys, k)
			}
		}
	}
	if err := checkMonitors(models, o.monitors); err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	for _, k := range o.keys {
		cs, err := models.column(k.Table, k.Column)
		if err != nil {
			return nil, fmt.Errorf("index %s.%s: %w", k.Table, k.Column, err)
		}
		switch isMap := cs.TypeObj.Value != nil; {
		case k.Key == "" && isMap && cs.TypeObj.Key.Type == "string":
			return nil, fmt.Errorf("index %s.%s: a map column: index one of its keys (WithKeyIndex): %w", k.Table, k.Column, ErrInvalid)
		case k.Key == "" && !isMap:
			// A column index (WithIndex): any atom but a map's.
		case !isMap || cs.TypeObj.Key.Type != "string" || cs.TypeObj.Value.Type != "string":
			return nil, fmt.Errorf("key index %s.%s:%s: not a string-to-string map: %w", k.Table, k.Column, k.Key, ErrInvalid)
		}
		keys = append(keys, k)
	}
	log := o.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	life, stop := context.WithCancel(context.Background())
	c := &Client{
		life:      life,
		stop:      stop,
		opts:      o,
		endpoints: eps,
		models:    models,
		log:       log,
		up:        make(chan struct{}),
		watchers:  make(map[*watcher]struct{}),
		id:        rand.Text()[:10],
		keys:      keys,
		monitors:  o.monitors,
		condGen:   1,
	}
	// Members of a cluster that cannot serve the client yet (an election
	// under way) are tried again, with backoff, while ctx allows.
	backoff := o.minBackoff
	for {
		var errs []error
		retry := false
		for i := range eps {
			err := c.connect(ctx, i)
			if err == nil {
				c.wg.Add(1)
				go c.supervise(i)
				return c, nil
			}
			errs = append(errs, fmt.Errorf("%s: %w", eps[i], err))
			if errors.Is(err, ErrSchema) || ctx.Err() != nil {
				retry = false
				break
			}
			retry = retry || errors.Is(err, ErrNotLeader)
		}
		if retry {
			select {
			case <-time.After(backoff):
				backoff = min(backoff*2, o.maxBackoff)
				continue
			case <-ctx.Done():
				errs = append(errs, ctx.Err())
			}
		}
		stop()
		c.closeListeners()
		return nil, fmt.Errorf("dial: %w", errors.Join(errs...))
	}
}

func splitEndpoint(e string) (network, addr string, err error) {
	scheme, rest, ok := strings.Cut(e, ":")
	if !ok || rest == "" {
		return "", "", fmt.Errorf("endpoint %q: want unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT: %w", e, ErrInvalid)
	}
	switch scheme {
	case "unix":
		return "unix", rest, nil
	case "punix":
		return "punix", rest, nil
	case "ptcp":
		// ptcp:PORT[:IP], as Open vSwitch writes it.
		port, ip, _ := strings.Cut(rest, ":")
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return "", "", fmt.Errorf("endpoint %q: want ptcp:PORT[:IP]: %w", e, ErrInvalid)
		}
		if strings.Contains(ip, ":") {
			ip = "[" + ip + "]"
		}
		return "ptcp", ip + ":" + port, nil
	case "tcp", "ssl":
		if _, _, err := net.SplitHostPort(rest); err != nil {
			return "", "", fmt.Errorf("endpoint %q: %v: %w", e, err, ErrInvalid)
		}
		return scheme, rest, nil
	}
	return "", "", fmt.Errorf("endpoint %q: unknown scheme %q: %w", e, scheme, ErrInvalid)
}

// connect dials endpoint i, checks the schema, starts the monitor and makes
// the new connection and cache current.
func (c *Client) connect(ctx context.Context, i int) (err error) {
	ep := c.endpoints[i]
	// Connecting, from the dial to the first bytes of the server's
	// answer, is bounded by the connect timeout: a member that accepts
	// connections but does not answer (stopped) must not hold the
	// client. Once the server answers, however long its answer (the
	// whole database), the inactivity probe guards the connection.
	t := c.opts.connectTimeout
	start := time.Now()
	hctx, hcancel := context.WithCancelCause(ctx)
	defer hcancel(nil)
	defer func() {
		if err != nil && errors.Is(context.Cause(hctx), errNoAnswer) && ctx.Err() == nil {
			err = fmt.Errorf("no answer within %v (WithConnectTimeout): %w", t, err)
		}
	}()
	// A passive endpoint waits for the server within ctx alone; the
	// connect timeout starts once it has connected.
	var nc net.Conn
	if network, _, _ := splitEndpoint(ep); network == "punix" || network == "ptcp" {
		if nc, err = c.dial(hctx, ep); err != nil {
			return err
		}
		start = time.Now()
	}
	dctx := hctx
	if t > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeoutCause(hctx, t, errNoAnswer)
		defer cancel()
	}
	if nc == nil {
		nc, err = c.dial(dctx, ep)
	}
	if err != nil && errors.Is(context.Cause(dctx), errNoAnswer) {
		hcancel(errNoAnswer)
	}
	if err != nil {
		// The dialer's error names the address already.
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = fmt.Errorf("%s: %w", oe.Op, oe.Err)
		}
		return err
	}
	ch := newCache(c.models, c.keys)
	c.mu.Lock()
	monitors, gen := c.monitors, c.condGen
	ch.setMonitors(monitors, gen)
	c.monitorID++
	monID := fmt.Sprintf("ovskit-%d", c.monitorID)
	sw := &serverWatch{c: c, monID: fmt.Sprintf("ovskit-server-%d", c.monitorID)}
	swQuoted := strconv.Quote(sw.monID)
	c.mu.Unlock()
	rc := newRPCConn(nc, c.opts.maxMessage, &c.stats.received, func(method string, params json.RawMessage) {
		if method != "update2" && method != "update3" {
			return
		}
		// Split once: the first element says which monitor it is for.
		p, err := elements(params)
		if err == nil && len(p) == 2 && string(p[0]) == swQuoted {
			sw.notify(p[1], func(err error) {
				c.log.Warn("ovsdb: server no longer usable; reconnecting", "endpoint", ep, "err", err)
				_ = nc.Close()
			})
			return
		}
		// Applied and published under pubMu: a watcher registered with a
		// snapshot (Inform) gets exactly the changes after it.
		c.pubMu.Lock()
		defer c.pubMu.Unlock()
		// update2: [monitor, updates]; update3: [monitor, txn id, updates].
		want := 2
		if method == "update3" {
			want = 3
		}
		if err == nil && len(p) != want {
			err = fmt.Errorf("%s with %d params, want %d", method, len(p), want)
		}
		var evs []rowEvent
		if err == nil {
			evs, err = ch.apply(p[want-1])
		}
		if err == nil && want == 3 {
			var id string
			if id, err = unquote(p[1]); err == nil {
				ch.setTxn(id)
			}
		}
		if err != nil {
			// A cache that missed an update must not be served: drop the
			// connection and resynchronise on reconnect.
			c.log.Error("ovsdb: bad update; reconnecting", "endpoint", ep, "err", err)
			_ = nc.Close() // the reader then fails, and the supervisor reconnects
			return
		}
		c.stats.updates.Add(1)
		if c.pubCache == ch {
			c.publish(evs)
		} else {
			// Before the connection's cache is published (connect):
			// kept, for a resumed cache, whose watchers hear of these
			// after what changed while away.
			ch.unpublished = append(ch.unpublished, evs...)
		}
	})
	if c.opts.probe > 0 {
		go rc.probe(c.opts.probe)
	}
	if t > 0 {
		silent := time.AfterFunc(max(t-time.Since(start), 0), func() {
			if !rc.heard.Load() {
				hcancel(errNoAnswer)
			}
		})
		defer silent.Stop()
	}
	fail := func(err error) error {
		rc.close()
		return err
	}
	if err := c.watchServer(hctx, rc, sw); err != nil {
		return fail(err)
	}
	raw, _, err := rc.call(hctx, "get_schema", []string{c.models.model.name}, nil)
	if err != nil {
		return fail(err)
	}
	server, err := ParseSchema(raw)
	if err != nil {
		return fail(err)
	}
	// An older server lacks tables and columns of the models: they are
	// neither monitored (they read as zero values) nor written.
	lk, err := c.models.negotiate(server)
	if err != nil {
		return fail(err)
	}
	ch.lacks = lk
	c.logLacks(ep, lk)
	reqs := make(map[string]any, len(c.models.model.tables))
	for _, t := range c.models.model.tables {
		if lk.table(t) {
			continue
		}
		cols := c.models.model.newRow(t).OVSDBColumns()
		req := map[string]any{}
		if monitors != nil {
			m := monitors[t]
			if m == nil {
				continue
			}
			if m.Columns != nil {
				cols = m.Columns
			}
			if m.Where != nil {
				req["where"] = m.Where
			}
		}
		if lk != nil {
			cols = slices.DeleteFunc(slices.Clone(cols), func(col string) bool { return lk.column(t, col) })
		}
		req["columns"] = cols
		reqs[t] = []any{req}
	}
	away, err := c.monitor(ctx, rc, ch, monID, reqs)
	if err != nil {
		return fail(err)
	}
	c.pubMu.Lock()
	defer c.pubMu.Unlock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		rc.close()
		return ErrClosed
	}
	old := c.cache
	if old != nil {
		// Counted before the new cache is visible, so that whoever sees
		// it also sees the count.
		c.stats.reconnects.Add(1)
	}
	c.conn, c.cache, c.server, c.endpoint, c.down, c.monID = rc, ch, sw, ep, false, monID
	close(c.up)
	c.mu.Unlock()
	// Watchers saw the old cache: tell them what changed while away, then
	// the new connection's updates, in that order.
	switch {
	case old == nil:
	case away != nil:
		// Resumed: what changed while away is what the server sent, in
		// its reply and in the updates since.
		c.publish(append(*away, ch.unpublished...))
	default:
		c.publish(ch.snapshot().diff(old.snapshot()))
	}
	c.pubCache, ch.unpublished = ch, nil
	c.log.Info("ovsdb: connected", "endpoint", ep)
	return nil
}

// dial opens a connection to endpoint ep: for a passive one (punix:,
// ptcp:), the next connection the server makes to the client's listener.
func (c *Client) dial(ctx context.Context, ep string) (net.Conn, error) {
	network, addr, _ := splitEndpoint(ep)
	if network == "punix" || network == "ptcp" {
		return c.accept(ctx, ep, network, addr)
	}
	if network == "ssl" {
		if c.opts.tls == nil {
			return nil, fmt.Errorf("%s: ssl endpoint needs WithTLS: %w", ep, ErrInvalid)
		}
		d := tls.Dialer{NetDialer: &c.opts.dialer, Config: c.opts.tls}
		return d.DialContext(ctx, "tcp", addr)
	}
	return c.opts.dialer.DialContext(ctx, network, addr)
}

// accept waits, within ctx, for the server to connect to the passive
// endpoint ep, listening there first if the client does not yet.
func (c *Client) accept(ctx context.Context, ep, network, addr string) (net.Conn, error) {
	c.lnMu.Lock()
	ln := c.listeners[ep]
	if ln == nil {
		var err error
		if ln, err = (&net.ListenConfig{}).Listen(ctx, strings.TrimPrefix(network, "p"), addr); err != nil {
			c.lnMu.Unlock()
			return nil, err
		}
		if c.listeners == nil {
			c.listeners = map[string]net.Listener{}
		}
		c.listeners[ep] = ln
	}
	c.lnMu.Unlock()
	type deadliner interface{ SetDeadline(time.Time) error }
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s: waiting for the server to connect: %w", ep, context.Cause(ctx))
		}
		if d, ok := ln.(deadliner); ok {
			_ = d.SetDeadline(time.Now().Add(100 * time.Millisecond))
		}
		nc, err := ln.Accept()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			continue
		}
		return nc, err
	}
}

// closeListeners closes the passive endpoints' listeners (a punix: one's
// socket file goes with it).
func (c *Client) closeListeners() {
	c.lnMu.Lock()
	defer c.lnMu.Unlock()
	for ep, ln := range c.listeners {
		_ = ln.Close()
		delete(c.listeners, ep)
	}
}

// zeroTxn is the transaction id that names no transaction: a monitor
// from the start.
const zeroTxn = "00000000-0000-0000-0000-000000000000"

// monitor starts the monitor of the database on rc, filling ch. With
// monitor_cond_since it resumes after the last transaction the previous
// cache reflects: when the server still has the transactions since (a
// clustered database keeps a history of them), only those are sent and
// ch continues the previous cache; otherwise the whole database is. A
// server without monitor_cond_since gets monitor_cond.
//
// When the monitor resumed, away holds the changes the server sent (what
// changed while the client was away); otherwise it is nil.
func (c *Client) monitor(ctx context.Context, rc *rpcConn, ch *cache, monID string, reqs map[string]any) (away *[]rowEvent, err error) {
	db := c.models.model.name
	if !c.noSince.Load() {
		c.mu.Lock()
		prev := c.cache
		c.mu.Unlock()
		since := zeroTxn
		// (A cache whose conditions changed while it was away, or
		// whose change was not confirmed, holds other rows than the
		// conditions' : it is loaded again.)
		if prev != nil && prev.generation() == ch.generation() {
			if id := prev.txnID(); id != "" {
				since = id
			}
		}
		var id string
		err := rc.callStream(ctx, "monitor_cond_since", []any{db, monID, reqs, since}, func(r *msgReader) error {
			// [found, last id, updates], the updates read as they come.
			var found bool
			err := r.array(func(i int) error {
				switch i {
				case 0:
					raw, err := r.value(nil, 8, true)
					found = string(raw) == "true"
					return err
				case 1:
					raw, err := r.value(nil, 128, true)
					if err != nil {
						return err
					}
					if id, err = unquote(raw); err != nil {
						return fmt.Errorf("monitor_cond_since: last id: %w", err)
					}
					return nil
				case 2:
					if found && prev != nil && since != zeroTxn {
						ch.adopt(prev)
						c.stats.resumed.Add(1)
						evs, err := streamUpdates(r, ch, true)
						away = &evs
						return err
					}
					_, err := streamUpdates(r, ch, false)
					return err
				}
				return fmt.Errorf("monitor_cond_since: a reply of more than 3 elements, want [found, last id, updates]")
			})
			if err != nil {
				return err
			}
			ch.setTxn(id)
			return nil
		})
		var re *RPCError
		if !errors.As(err, &re) {
			return away, err
		}
		c.noSince.Store(true) // an older server: monitor_cond from now on
		c.log.Debug("ovsdb: no monitor_cond_since; using monitor_cond", "err", err)
	}
	return nil, rc.callStream(ctx, "monitor_cond", []any{db, monID, reqs}, func(r *msgReader) error {
		_, err := streamUpdates(r, ch, false)
		return err
	})
}

// streamUpdates reads a monitor reply's updates (table → UUID → update2
// object) into ch as they arrive, one row held at a time, and returns
// their row events if asked to.
func streamUpdates(r *msgReader, ch *cache, events bool) ([]rowEvent, error) {
	return ch.applyRows(events, func(row func(table, uuid string, upd []byte) error) error {
		var buf []byte
		return r.object(func(table string) error {
			return r.object(func(uuid string) error {
				var err error
				if buf, err = r.value(buf[:0], r.max, true); err != nil {
					return fmt.Errorf("%s row %s: %w", table, uuid, err)
				}
				return row(table, uuid, buf)
			})
		})
	})
}

// markDown records that rc has ended, once: from then on readers wait for
// the next connection instead of seeing rc's cache. Whoever notices first
// (the supervisor or a reader) calls it.
func (c *Client) markDown(rc *rpcConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == rc && !c.down {
		c.up = make(chan struct{})
		c.down = true
	}
}

// supervise waits for the connection to end and reconnects, cycling through
// the endpoints with exponential backoff, until Close.
func (c *Client) supervise(i int) {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		rc := c.conn
		c.mu.Unlock()
		select {
		case <-rc.done:
		case <-c.life.Done():
			return
		}
		c.markDown(rc)
		c.log.Warn("ovsdb: connection lost", "endpoint", c.endpoints[i], "err", rc.err)
		if errors.Is(rc.err, ErrInactive) {
			// A silent server: try the others first.
			i = (i + 1) % len(c.endpoints)
		}
		backoff := c.opts.minBackoff
		for failed := 1; ; failed++ {
			// No wall-clock limit: a server that answers is given the
			// time its answer takes (a whole database after a restart
			// that cannot be resumed); one that does not answer is
			// bounded by the connect timeout, one that goes silent by
			// the inactivity probe.
			err := c.connect(c.life, i)
			if err == nil {
				break
			}
			if c.life.Err() != nil {
				return
			}
			c.log.Debug("ovsdb: reconnect failed", "endpoint", c.endpoints[i], "err", err)
			i = (i + 1) % len(c.endpoints)
			// The endpoints of a round (a cluster's members, one of
			// which is being elected leader) are tried a short wait
			// apart; the wait between rounds doubles, and is spread
			// (half to all of it) so that the clients of a server that
			// went away do not come back in step.
			wait := c.opts.minBackoff
			if failed%len(c.endpoints) == 0 {
				wait = backoff/2 + mrand.N(backoff/2+1)
				backoff = min(backoff*2, c.opts.maxBackoff)
			}
			select {
			case <-time.After(wait):
			case <-c.life.Done():
				return
			}
		}
	}
}

// current waits until the client is connected and returns the connection
// and its cache. A context that is already done fails it with the
// context's error, connected or not; one that ends while the client is
// reconnecting, with ErrNotConnected and the context's error.
func (c *Client) current(ctx context.Context) (*rpcConn, *cache, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if c.life.Err() != nil {
			return nil, nil, ErrClosed
		}
		c.mu.Lock()
		up, rc, ch := c.up, c.conn, c.cache
		c.mu.Unlock()
		select {
		case <-up:
			select {
			case <-rc.done:
				c.markDown(rc) // dropped since: wait for the next one
				continue
			default:
				return rc, ch, nil
			}
		case <-c.life.Done():
			return nil, nil, ErrClosed
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("%w (%w)", ErrNotConnected, ctx.Err())
		}
	}
}

// logLacks logs, once per client, each table and column of the models
// that a server's schema lacks, as the C IDL does.
func (c *Client) logLacks(ep string, lk *lacks) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range lk.names() {
		if c.logged[n] {
			continue
		}
		if c.logged == nil {
			c.logged = map[string]bool{}
		}
		c.logged[n] = true
		c.log.Warn("ovsdb: the server's schema lacks part of the models (database needs upgrade?): it reads as empty and cannot be written",
			"endpoint", ep, "schema", lk.server, "lacks", n)
	}
}

// ServerHas reports whether the server the client is connected to has the
// table and, unless column is "", the column (the C IDL's
// server_has_column): a server older than the models lacks some. What it
// lacks reads as empty, and writing a non-default value to it fails with
// an *UnsupportedError. Before the first connection it reports what the
// models have.
func (c *Client) ServerHas(table, column string) bool {
	if _, ok := c.models.kinds[table]; !ok {
		return false
	}
	if column != "" {
		if _, err := c.models.column(table, column); err != nil && column != "_uuid" {
			return false
		}
	}
	c.mu.Lock()
	ch := c.cache
	c.mu.Unlock()
	if ch == nil {
		return true
	}
	if column == "" {
		return !ch.lacks.table(table)
	}
	return !ch.lacks.column(table, column)
}

// errNoAnswer is the cause of a connect cut short by the connect timeout.
var errNoAnswer = errors.New("no answer within the connect timeout")

// Endpoint returns the endpoint of the current connection.
func (c *Client) Endpoint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endpoint
}

// Schema returns the schema of the models.
func (c *Client) Schema() *Schema { return c.models }

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	return Stats{
		Transactions: c.stats.txns.Load(),
		Retries:      c.stats.retries.Load(),
		Reconnects:   c.stats.reconnects.Load(),
		Updates:      c.stats.updates.Load(),
		Received:     c.stats.received.Load(),
		Resumed:      c.stats.resumed.Load(),
	}
}

// CacheStats is what a client's cache holds (Client.CacheStats).
type CacheStats struct {
	// Rows counts the rows of each table the cache holds (the monitored
	// ones).
	Rows map[string]int
	// Version counts the updates the cache has applied since the
	// connection it holds began (its initial contents are the first).
	Version uint64
}

// CacheStats returns what the client's cache holds now (nothing while it
// has never connected): for metrics.
func (c *Client) CacheStats() CacheStats {
	c.mu.Lock()
	ch := c.cache
	c.mu.Unlock()
	st := CacheStats{Rows: map[string]int{}}
	if ch == nil {
		return st
	}
	snap := ch.snapshot()
	st.Version = snap.seq
	monitors := ch.mons()
	for i, name := range ch.layout.names {
		if monitors == nil || monitors[name] != nil {
			st.Rows[name] = snap.tables[i].len()
		}
	}
	return st
}

// Close ends the connection and stops reconnecting. Calls in progress fail
// with ErrClosed; watch channels are closed.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.stop()
	rc := c.conn
	c.mu.Unlock()
	if rc != nil {
		rc.close()
	}
	c.wg.Wait()
	c.closeListeners()
	return nil
}

// Sync waits until the client's cache holds every transaction the server
// committed before the call, another client's included: a barrier to pass
// before reading what another writer has just written. It costs one round
// trip (an echo: ovsdb-server sends a connection's monitor updates before
// any reply on it). On a clustered database a client that writes through
// the leader only also asks the server, after the echo, whether it is
// still the leader and connected to its cluster, and asks the other
// members it was given whether one of them is the leader: a leader that
// was stopped and resumed may not know yet that another was elected, and
// its data is stale; the client then reconnects to the new leader and
// passes the barrier there. A client with WithFollowerReads gets the barrier of
// the member it is connected to.
func (c *Client) Sync(ctx context.Context) error {
	for {
		rc, _, err := c.current(ctx)
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		err = c.syncOn(ctx, rc)
		if err == nil {
			err = c.noOtherLeader(ctx, rc)
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || c.life.Err() != nil {
			return fmt.Errorf("sync: %w", err)
		}
		// The connection dropped, or its server is no longer usable:
		// pass the barrier on the next connection.
		c.markDown(rc)
	}
}

// syncOn passes Sync's barrier on connection rc. An error other than the
// context's means rc can no longer serve: it is closed.
func (c *Client) syncOn(ctx context.Context, rc *rpcConn) error {
	if _, _, err := rc.call(ctx, "echo", []string{"ovskit"}, nil); err != nil {
		return err
	}
	c.mu.Lock()
	sw := c.server
	if c.conn != rc {
		sw = nil
	}
	c.mu.Unlock()
	if sw == nil || c.opts.followerReads || !sw.clustered() {
		return nil
	}
	// The _Server monitor's updates that came before the echo's reply
	// are applied: what it says now is what a select would say, without
	// another round trip.
	err := sw.check()
	if err != nil && ctx.Err() == nil {
		c.log.Warn("ovsdb: server no longer usable; reconnecting", "endpoint", c.Endpoint(), "err", err)
		rc.close()
	}
	return err
}

// noOtherLeader is Sync's last check on a clustered database that the
// client writes through the leader only: no other member (of the
// endpoints that answer within the connect timeout) says it is the
// leader. A leader that was stopped and resumed believes it still is
// until it hears of the new term, and answers with stale data meanwhile;
// the new leader says otherwise. Then rc is closed and Sync goes on on
// the next connection.
func (c *Client) noOtherLeader(ctx context.Context, rc *rpcConn) error {
	c.mu.Lock()
	sw, cur := c.server, c.endpoint
	if c.conn != rc {
		sw = nil
	}
	c.mu.Unlock()
	if sw == nil || c.opts.followerReads || !sw.clustered() || len(c.endpoints) < 2 {
		return nil
	}
	for _, ep := range c.endpoints {
		if ep == cur {
			continue
		}
		st, err := c.askServer(ctx, ep)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			continue // down or stopped: it cannot be serving anyone
		}
		if st.Model == "clustered" && st.Leader && st.Connected {
			err := fmt.Errorf("%w: %s says it is the leader", ErrNotLeader, ep)
			c.log.Warn("ovsdb: server no longer the leader; reconnecting", "endpoint", cur, "err", err)
			rc.close()
			return err
		}
	}
	return nil
}

// askServer opens a connection to ep for one question: what its _Server
// says of the client's database.
func (c *Client) askServer(ctx context.Context, ep string) (serverState, error) {
	if t := c.opts.connectTimeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	nc, err := c.dial(ctx, ep)
	if err != nil {
		return serverState{}, err
	}
	rc := newRPCConn(nc, c.opts.maxMessage, nil, nil)
	defer rc.close()
	return c.serverStateOn(ctx, rc)
}

// serverStateOn asks the server of rc, with a transaction on _Server,
// what it says of the client's database now.
func (c *Client) serverStateOn(ctx context.Context, rc *rpcConn) (serverState, error) {
	op := Operation{Op: "select", Table: "Database", Where: []Condition{{"name", "==", c.models.model.name}},
		Columns: []string{"model", "connected", "leader", "index"}}
	b, err := op.MarshalJSON()
	if err != nil {
		return serverState{}, err
	}
	raw, _, err := rc.call(ctx, "transact", transactParams{"_Server", [][]byte{b}}, nil)
	if err != nil {
		return serverState{}, err
	}
	results, err := parseResults(raw, 1)
	if err != nil {
		return serverState{}, err
	}
	if len(results) != 1 || results[0].Error != nil || len(results[0].Rows) != 1 {
		return serverState{}, fmt.Errorf("%w: _Server has no row for database %s", ErrNotLeader, c.models.model.name)
	}
	var row map[string]json.RawMessage
	if err := json.Unmarshal(results[0].Rows[0], &row); err != nil {
		return serverState{}, fmt.Errorf("_Server.Database: %w", err)
	}
	var st serverState
	return st, st.apply(row)
}

// Echo sends an RFC 7047 echo and waits for the answer: a liveness check.
func (c *Client) Echo(ctx context.Context) error {
	rc, _, err := c.current(ctx)
	if err != nil {
		return err
	}
	_, _, err = rc.call(ctx, "echo", []string{"ovskit"}, nil)
	return err
}
