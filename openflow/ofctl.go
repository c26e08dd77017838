package openflow

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// AddFlows adds flows, each replacing the flow of the same table,
// priority and match, sent back to back and each applied on its own (as
// ovs-ofctl add-flows does); it returns once the switch has processed all
// of them, with the first refusal (a *MessageError wrapping the switch's
// *OFError). The others are applied.
// Equivalent to: ovs-ofctl add-flow BRIDGE FLOW / add-flows BRIDGE FILE
func (c *Conn) AddFlows(ctx context.Context, flows ...*Flow) error {
	msgs := make([]wireMsg, len(flows))
	for i, f := range flows {
		spec := &FlowSpec{Flow: *f, OutPort: PortAny, OutGroup: PortAny}
		msgs[i] = wireMsg{typeFlowMod, appendFlowMod(nil, spec, fmAdd)}
	}
	if err := c.sendAll(ctx, msgs); err != nil {
		var me *MessageError
		if errors.As(err, &me) {
			return fmt.Errorf("add flow %s: %w", flows[me.Index], err)
		}
		return err
	}
	return nil
}

// AddFlowsAtomic adds flows in one bundle: all of them, or none if the
// switch refuses one.
// Equivalent to: ovs-ofctl --bundle add-flows BRIDGE FILE
func (c *Conn) AddFlowsAtomic(ctx context.Context, flows ...*Flow) error {
	msgs := make([]wireMsg, len(flows))
	for i, f := range flows {
		spec := &FlowSpec{Flow: *f, OutPort: PortAny, OutGroup: PortAny}
		msgs[i] = wireMsg{typeFlowMod, appendFlowMod(nil, spec, fmAdd)}
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
	cmd := uint8(fmModify)
	if strict {
		cmd = fmModifyStrict
	}
	return c.send(ctx, typeFlowMod, appendFlowMod(nil, spec, cmd))
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
	cmd := uint8(fmDelete)
	if strict {
		cmd = fmDeleteStrict
	}
	return c.send(ctx, typeFlowMod, appendFlowMod(nil, spec, cmd))
}

// DumpFlows returns the flows spec matches (nil: all), with their
// statistics, in the switch's order.
// Equivalent to: ovs-ofctl dump-flows BRIDGE [FLOW]
func (c *Conn) DumpFlows(ctx context.Context, spec *FlowSpec) ([]*Flow, error) {
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
	body = spec.Match.appendMatch(body)
	parts, err := c.multipart(ctx, 1, body)
	if err != nil {
		return nil, err
	}
	var flows []*Flow
	for _, p := range parts {
		for len(p) > 0 {
			f, n, err := decodeFlowStats(p)
			if err != nil {
				return nil, err
			}
			flows = append(flows, f)
			p = p[n:]
		}
	}
	return flows, nil
}
