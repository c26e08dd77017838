package openflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Bundles are OpenFlow 1.4's bundle messages (types 33 and 34); in
// OpenFlow 1.3 the same bodies travel in the ONF's extension 230, as
// experimenter messages of the ONF.
const (
	typeExperimenter  = 4
	typeBundleControl = 33
	typeBundleAdd     = 34
	onfBundleControl  = 2300
	onfBundleAdd      = 2301
	bundleOpenRequest = 0
	bundleCommitReq   = 4
	bundleDiscardReq  = 6
	bundleFlagAtomic  = 1
	bundleFlagOrdered = 2
)

// wireMsg is an OpenFlow message to put in a bundle.
type wireMsg struct {
	typ  uint8
	body []byte
}

// bundleMessage is a bundle message of kind typeBundleControl or
// typeBundleAdd in c's version: its type and body.
func (c *Conn) bundleMessage(kind uint8, id uint32, ctrl, flags uint16, inner []byte) (uint8, []byte) {
	var b []byte
	typ := kind
	if c.version < OpenFlow14 {
		typ = typeExperimenter
		sub := uint32(onfBundleControl)
		if kind == typeBundleAdd {
			sub = onfBundleAdd
		}
		b = binary.BigEndian.AppendUint32(b, onfExperimenter)
		b = binary.BigEndian.AppendUint32(b, sub)
	}
	b = binary.BigEndian.AppendUint32(b, id)
	b = binary.BigEndian.AppendUint16(b, ctrl)
	b = binary.BigEndian.AppendUint16(b, flags)
	return typ, append(b, inner...)
}

// bundleControl sends a bundle control request and waits for its reply.
func (c *Conn) bundleControl(ctx context.Context, id uint32, ctrl, flags uint16) error {
	typ, body := c.bundleMessage(typeBundleControl, id, ctrl, flags, nil)
	_, err := c.request(ctx, typ, body, "")
	return err
}

// bundle applies msgs atomically and in order: an ONF bundle opened,
// filled and committed. The switch applies all of them or none; the
// first error is returned.
func (c *Conn) bundle(ctx context.Context, msgs []wireMsg) error {
	if c.version == OpenFlow10 {
		return fmt.Errorf("openflow: bundles: %w at OpenFlow 1.0 (ovs-ofctl --bundle speaks 1.4)", ErrUnsupported)
	}
	c.mu.Lock()
	id := c.bundleID // from 0, as ovs-ofctl numbers them
	c.bundleID++
	c.mu.Unlock()
	flags := uint16(bundleFlagAtomic | bundleFlagOrdered)
	// Open, and wait for the switch to say it is open.
	if err := c.bundleControl(ctx, id, bundleOpenRequest, flags); err != nil {
		return fmt.Errorf("open bundle: %w", err)
	}
	var xids []uint32
	var chans []chan message
	defer func() {
		for _, x := range xids {
			c.forget(x)
		}
	}()
	// Until the commit is sent, a failure leaves nothing applied. The
	// open bundle is discarded: by the switch when the connection is
	// closed; otherwise a discard request goes out behind this call
	// (within a second, unanswered) so that the call ends by ctx.
	discard := func() {
		typ, body := c.bundleMessage(typeBundleControl, id, bundleDiscardReq, flags, nil)
		go func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_, _ = c.write(dctx, typ, 0, body)
		}()
	}
	// The messages go out in writes of up to bundleWrite bytes.
	var buf []byte
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		_, err := c.writeRaw(ctx, buf)
		buf = buf[:0]
		return err
	}
	for _, m := range msgs {
		xid, ch, err := c.newXID()
		if err != nil {
			return err
		}
		xids, chans = append(xids, xid), append(chans, ch)
		inner, err := appendFrame(nil, c.version, m.typ, xid, m.body)
		if err != nil {
			discard()
			return err
		}
		typ, body := c.bundleMessage(typeBundleAdd, id, 0, flags, inner)
		if buf, err = appendFrame(buf, c.version, typ, xid, body); err != nil {
			discard()
			return err
		}
		if len(buf) >= bundleWrite {
			if err := flush(); err != nil {
				discard()
				return fmt.Errorf("bundle: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		discard()
		return fmt.Errorf("bundle: %w", err)
	}
	// The switch checks each message as it is added and refuses it on
	// its own xid, leaving the rest in the bundle: a barrier brings every
	// such refusal in before the commit, and one of them discards the
	// whole bundle.
	if err := c.Barrier(ctx); err != nil {
		discard()
		return fmt.Errorf("bundle: %w", err)
	}
	if refused := firstRefusal(chans); refused != nil {
		discard()
		return fmt.Errorf("bundle: %w", refused)
	}
	typ, body := c.bundleMessage(typeBundleControl, id, bundleCommitReq, flags, nil)
	if _, err := c.request(ctx, typ, body, "bundle commit"); err != nil {
		// The message that failed at commit is refused on its own xid
		// first: report it, with the bundle's failure.
		if refused := firstRefusal(chans); refused != nil {
			return fmt.Errorf("commit bundle: %w (%w)", refused, err)
		}
		return fmt.Errorf("commit bundle: %w", err)
	}
	return nil
}

// bundleWrite is the size of the writes a bundle's messages go out in.
const bundleWrite = 64 << 10

// firstRefusal is the first error already answered on the messages'
// channels (a *MessageError with its index), nil if none.
func firstRefusal(chans []chan message) error {
	for i, ch := range chans {
		select {
		case m := <-ch:
			if m.typ == typeError {
				return &MessageError{Index: i, Err: decodeError(m.body)}
			}
		default:
		}
	}
	return nil
}

// request sends a message and waits for its one reply (or error). With
// change set, the message changes the switch: once it is written whole,
// a reply that does not come is an *OutcomeUnknownError naming change.
func (c *Conn) request(ctx context.Context, typ uint8, body []byte, change string) (message, error) {
	xid, ch, err := c.newXID()
	if err != nil {
		return message{}, err
	}
	defer c.forget(xid)
	n, err := c.write(ctx, typ, xid, body)
	lost := func(err error) error {
		if change != "" {
			return &OutcomeUnknownError{Request: change, Err: err}
		}
		return err
	}
	if err != nil {
		if n == 8+len(body) {
			return message{}, lost(err)
		}
		return message{}, err
	}
	select {
	case m := <-ch:
		if m.typ == typeError {
			return m, decodeError(m.body)
		}
		return m, nil
	case <-c.done:
		return message{}, lost(c.closedErr())
	case <-ctx.Done():
		return message{}, lost(ctx.Err())
	}
}

// flowKey identifies a flow in a table: its table, priority and match.
func flowKey(f *Flow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/", f.Table)
	f.Match.format(&b, f.Priority, nil)
	return b.String()
}

// sameVersion compares what replace-flows and diff-flows compare: cookie,
// timeouts, importance, table and actions (as text).
func sameVersion(a, b *Flow) bool {
	return a.Cookie == b.Cookie && a.IdleTimeout == b.IdleTimeout && a.HardTimeout == b.HardTimeout &&
		a.Importance == b.Importance && a.Table == b.Table && actionsString(a.Actions) == actionsString(b.Actions)
}

// ReplaceFlows makes the switch's flow tables exactly flows: the flows
// that are not in flows are deleted, those missing or different are
// added, and flows already there as given are left alone (their counters
// kept). It is atomic: one bundle, all of it or nothing; at OpenFlow
// 1.0, which has no bundles, the changes go one by one, as ovs-ofctl
// makes them, and the first the switch refuses (a *MessageError) stops
// the rest.
// Equivalent to: ovs-ofctl --bundle replace-flows SWITCH FILE
func (c *Conn) ReplaceFlows(ctx context.Context, flows []*Flow) error {
	current, err := c.DumpFlows(ctx, nil)
	if err != nil {
		return err
	}
	want := map[string]*Flow{}
	for _, f := range flows {
		want[flowKey(f)] = f
	}
	have := map[string]*Flow{}
	for _, f := range current {
		have[flowKey(f)] = f
	}
	// One pass over both, in table order, then by match, as ovs-ofctl
	// sends them: a deletion or an addition per flow that changes.
	keys := map[string]*Flow{}
	for k, f := range have {
		keys[k] = f
	}
	for k, f := range want {
		keys[k] = f
	}
	order := slices.SortedFunc(maps.Keys(keys), func(a, b string) int {
		if ta, tb := keys[a].Table, keys[b].Table; ta != tb {
			return int(ta) - int(tb)
		}
		return strings.Compare(a, b)
	})
	var msgs []wireMsg
	for _, k := range order {
		f, wanted := want[k]
		old, had := have[k]
		var spec *FlowSpec
		var cmd uint8
		switch {
		case had && !wanted:
			spec = &FlowSpec{Flow: Flow{Table: old.Table, Priority: old.Priority, Match: old.Match, hasTable: true}, OutPort: PortAny, OutGroup: PortAny}
			cmd = fmDeleteStrict
		case wanted && (!had || !sameVersion(old, f)):
			spec = &FlowSpec{Flow: *f, OutPort: PortAny, OutGroup: PortAny}
			spec.hasTable = true
			cmd = fmAdd
		default:
			continue
		}
		typ, body, err := c.flowMod(spec, cmd)
		if err != nil {
			return err
		}
		msgs = append(msgs, wireMsg{typ, body})
	}
	if len(msgs) == 0 {
		return nil
	}
	if c.version == OpenFlow10 {
		// No bundles at 1.0: the changes one by one, as ovs-ofctl makes
		// them; the first the switch refuses stops the rest.
		for i, m := range msgs {
			if err := c.send(ctx, m.typ, m.body); err != nil {
				return &MessageError{Index: i, Err: err}
			}
		}
		return nil
	}
	return c.bundle(ctx, msgs)
}

// DiffFlows compares two sets of flows as ovs-ofctl diff-flows does: a
// "-" line for each flow of a that b lacks or has otherwise, a "+" line
// for each of b that a lacks or has otherwise; in a stable order (by
// table, then match). No lines: the same flows.
// Equivalent to: ovs-ofctl diff-flows SOURCE1 SOURCE2
func DiffFlows(a, b []*Flow) []string {
	am, bm := map[string]*Flow{}, map[string]*Flow{}
	for _, f := range a {
		am[flowKey(f)] = f
	}
	for _, f := range b {
		bm[flowKey(f)] = f
	}
	keys := map[string]*Flow{}
	for k, f := range am {
		keys[k] = f
	}
	for k, f := range bm {
		keys[k] = f
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		fa, fb := am[k], bm[k]
		if fa != nil && fb != nil && sameVersion(fa, fb) {
			continue
		}
		if fa != nil {
			out = append(out, "-"+diffFormat(fa))
		}
		if fb != nil {
			out = append(out, "+"+diffFormat(fb))
		}
	}
	return out
}

// diffFormat is a flow as diff-flows prints it: table, match, then cookie
// and timeouts, then actions.
func diffFormat(f *Flow) string {
	var b strings.Builder
	if f.Table != 0 {
		fmt.Fprintf(&b, "table=%d ", f.Table)
	}
	f.Match.formatAs(&b, f.Priority, nil, true)
	if f.Cookie != 0 {
		fmt.Fprintf(&b, " cookie=0x%x", f.Cookie)
	}
	if f.IdleTimeout != 0 {
		fmt.Fprintf(&b, " idle_timeout=%d", f.IdleTimeout)
	}
	if f.HardTimeout != 0 {
		fmt.Fprintf(&b, " hard_timeout=%d", f.HardTimeout)
	}
	if f.Importance != 0 {
		fmt.Fprintf(&b, " importance=%d", f.Importance)
	}
	b.WriteString(" actions=" + actionsString(f.Actions))
	return b.String()
}
