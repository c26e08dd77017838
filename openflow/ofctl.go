package openflow

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// AddFlows adds flows in order, each replacing the flow of the same
// table, priority and match, as ovs-ofctl add-flows does: each is sent
// with a barrier and applied on its own, and the first the switch refuses
// stops the rest (a *MessageError with its index, wrapping the switch's
// *OFError): the flows before it stay, the ones after it are not sent.
// AddFlowsAtomic adds all or none, and is faster for many flows.
// Equivalent to: ovs-ofctl add-flow BRIDGE FLOW / add-flows BRIDGE FILE
func (c *Conn) AddFlows(ctx context.Context, flows ...*Flow) error {
	for i, f := range flows {
		spec := &FlowSpec{Flow: *f, OutPort: PortAny, OutGroup: PortAny}
		typ, body, err := c.flowMod(spec, fmAdd)
		if err == nil {
			err = c.send(ctx, typ, body)
		}
		if err != nil {
			var oe *OFError
			if errors.As(err, &oe) {
				err = &MessageError{Index: i, Err: err}
			}
			return fmt.Errorf("add flow %s: %w", f, err)
		}
	}
	return nil
}

// AddFlowsAtomic adds flows in one bundle: all of them, or none if the
// switch refuses one. OpenFlow 1.0 has no bundles: there it is an
// ErrUnsupported, and nothing is sent.
// Equivalent to: ovs-ofctl --bundle add-flows BRIDGE FILE
func (c *Conn) AddFlowsAtomic(ctx context.Context, flows ...*Flow) error {
	msgs := make([]wireMsg, len(flows))
	for i, f := range flows {
		spec := &FlowSpec{Flow: *f, OutPort: PortAny, OutGroup: PortAny}
		msgs[i] = wireMsg{typeFlowMod, appendFlowMod(nil, spec, fmAdd, c.version)}
	}
	return c.bundle(ctx, msgs)
}

// ModFlows changes the actions of the flows spec matches (strict: only
// the one with exactly its match and priority); with none matching it
// adds nothing (OpenFlow 1.3).
// Equivalent to: ovs-ofctl [--strict] mod-flows BRIDGE FLOW
func (c *Conn) ModFlows(ctx context.Context, spec *FlowSpec, strict bool) error {
	if !spec.hasActions {
		return syntaxf(spec.Match.String(), "must specify an action")
	}
	if err := spec.CheckStrict(strict); err != nil {
		return err
	}
	cmd := uint8(fmModify)
	if strict {
		cmd = fmModifyStrict
	}
	typ, body, err := c.flowMod(spec, cmd)
	if err != nil {
		return err
	}
	return c.send(ctx, typ, body)
}

// CheckStrict refuses, as ovs-ofctl does, a priority in a spec for a
// change that is not strict (only a strict mod-flows or del-flows tests
// the priority): ModFlows and DelFlows check it before sending; a program
// reading several specs checks them all first.
func (s *FlowSpec) CheckStrict(strict bool) error {
	if s.hasPrio && !strict {
		return syntaxf("priority", "unknown keyword priority (a priority is matched only by a strict change)")
	}
	return nil
}

// DelFlows deletes the flows spec matches (nil: all of them), in every
// table unless spec names one; strict deletes only the flow with exactly
// its match and priority. A spec's out_port, out_group and cookie/mask
// narrow the deletion.
// Equivalent to: ovs-ofctl [--strict] del-flows BRIDGE [FLOW]
func (c *Conn) DelFlows(ctx context.Context, spec *FlowSpec, strict bool) error {
	if spec == nil {
		spec = &FlowSpec{OutPort: PortAny, OutGroup: PortAny}
	}
	if err := spec.CheckStrict(strict); err != nil {
		return err
	}
	cmd := uint8(fmDelete)
	if strict {
		cmd = fmDeleteStrict
	}
	typ, body, err := c.flowMod(spec, cmd)
	if err != nil {
		return err
	}
	return c.send(ctx, typ, body)
}

// DumpFlows returns the flows spec matches (nil: all), with their
// statistics, in the switch's order.
// Equivalent to: ovs-ofctl dump-flows BRIDGE [FLOW]
func (c *Conn) DumpFlows(ctx context.Context, spec *FlowSpec) ([]*Flow, error) {
	if c.version == OpenFlow10 {
		return c.dumpFlows10(ctx, spec)
	}
	parts, err := c.multipart(ctx, 1, flowStatsRequest(spec))
	if err != nil {
		return nil, err
	}
	return records(parts, c.version, decodeFlowStats)
}

// Aggregate is what dump-aggregate reports of the flows a spec matches.
type Aggregate struct {
	Packets, Bytes uint64
	Flows          uint32
}

func (a Aggregate) String() string {
	return fmt.Sprintf("packet_count=%d byte_count=%d flow_count=%d", a.Packets, a.Bytes, a.Flows)
}

// flowStatsRequest is the body of a flow or aggregate statistics request.
func flowStatsRequest(spec *FlowSpec) []byte {
	if spec == nil {
		spec = &FlowSpec{OutPort: PortAny, OutGroup: PortAny}
	}
	table := spec.Table
	if !spec.hasTable {
		table = 0xff
	}
	body := []byte{table, 0, 0, 0}
	body = binary.BigEndian.AppendUint32(body, spec.OutPort)
	body = binary.BigEndian.AppendUint32(body, spec.OutGroup)
	body = append(body, 0, 0, 0, 0)
	body = binary.BigEndian.AppendUint64(body, spec.Cookie)
	body = binary.BigEndian.AppendUint64(body, spec.CookieMask)
	return spec.Match.appendMatch(body)
}

// DumpAggregate sums the statistics of the flows spec matches (nil: all).
// Equivalent to: ovs-ofctl dump-aggregate SWITCH [FLOW]
func (c *Conn) DumpAggregate(ctx context.Context, spec *FlowSpec) (Aggregate, error) {
	if c.version == OpenFlow10 {
		return c.dumpAggregate10(ctx, spec)
	}
	parts, err := c.multipart(ctx, 2, flowStatsRequest(spec))
	if err != nil {
		return Aggregate{}, err
	}
	if len(parts) != 1 {
		return Aggregate{}, fmt.Errorf("openflow: aggregate reply: %w", ErrBadMessage)
	}
	p := parts[0]
	if c.version >= OpenFlow15 { // the counts as OXS statistics
		var st oxsStats
		if _, err := st.decode(p); err != nil {
			return Aggregate{}, err
		}
		return Aggregate{st.packets, st.bytes, st.flows}, nil
	}
	if len(p) < 20 {
		return Aggregate{}, fmt.Errorf("openflow: aggregate reply: %w", ErrBadMessage)
	}
	return Aggregate{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:]), binary.BigEndian.Uint32(p[16:])}, nil
}

// PacketOut sends a packet (an Ethernet frame) through actions, as if it
// came in on inPort (PortController, PortLocal, or a port number).
// Equivalent to: ovs-ofctl packet-out SWITCH "in_port=P packet=HEX actions=A"
func (c *Conn) PacketOut(ctx context.Context, inPort uint32, frame []byte, actions []Action) error {
	var acts []byte
	for _, a := range actions {
		acts = a.appendWire(acts, c.version)
	}
	body := binary.BigEndian.AppendUint32(nil, 0xffffffff) // buffer_id: none
	switch {
	case c.version == OpenFlow10:
		if err := actionsAt10(actions); err != nil {
			return err
		}
		body = binary.BigEndian.AppendUint16(body, port16(inPort))
		body = binary.BigEndian.AppendUint16(body, uint16(len(acts)))
	case c.version >= OpenFlow15:
		// OpenFlow 1.5: the in_port is a match field.
		body = binary.BigEndian.AppendUint16(body, uint16(len(acts)))
		body = append(body, 0, 0, 0, 1, 0, 12)
		body = binary.BigEndian.AppendUint32(body, oxmHeader(classBasic, 0, false, 4))
		body = binary.BigEndian.AppendUint32(body, inPort)
		body = append(body, 0, 0, 0, 0)
	default:
		body = binary.BigEndian.AppendUint32(body, inPort)
		body = binary.BigEndian.AppendUint16(body, uint16(len(acts)))
		body = append(body, 0, 0, 0, 0, 0, 0)
	}
	body = append(body, acts...)
	body = append(body, frame...)
	return c.send(ctx, typePacketOut, body)
}
