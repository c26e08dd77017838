package openflow

import (
	"context"
	"strconv"
	"strings"
)

// PortNames maps port numbers to names, for printing flows as
// ovs-ofctl --names does: a port with a name prints as the name (in
// double quotes unless it is a letter followed by letters and digits),
// reserved ports as LOCAL, CONTROLLER and so on, others as numbers.
type PortNames map[uint32]string

// NewPortNames is the name of each port of a switch (from
// Conn.DumpPortsDesc). A name two ports share is left out, as
// ovs-ofctl leaves it.
func NewPortNames(ports []*PortDesc) PortNames {
	n := PortNames{}
	seen := map[string]int{}
	for _, p := range ports {
		if _, reserved := portNames[p.Port]; reserved || p.Name == "" {
			continue
		}
		seen[p.Name]++
		n[p.Port] = p.Name
	}
	for p, name := range n {
		if seen[name] > 1 {
			delete(n, p)
		}
	}
	return n
}

// PortNames reads the names of the switch's ports (NewPortNames of
// DumpPortsDesc).
func (c *Conn) PortNames(ctx context.Context) (PortNames, error) {
	ports, err := c.DumpPortsDesc(ctx)
	if err != nil {
		return nil, err
	}
	return NewPortNames(ports), nil
}

// format prints port p by name when it has one.
func (n PortNames) format(p uint32) string {
	if name, ok := portNames[p]; ok {
		return name
	}
	if name, ok := n[p]; ok {
		if nameNeedsQuotes(name) {
			return strconv.Quote(name)
		}
		return name
	}
	return strconv.FormatUint(uint64(p), 10)
}

// parse reads a port: a number or reserved name, or one of the names
// (quoted or not).
func (n PortNames) parse(s string) (uint32, bool) {
	if p, ok := parsePort(s); ok {
		return p, true
	}
	name := s
	if strings.HasPrefix(s, `"`) {
		unq, err := strconv.Unquote(s)
		if err != nil {
			return 0, false
		}
		name = unq
	}
	// A name two ports share (switches report names cut to 15 bytes)
	// names neither, as ovs-ofctl takes it.
	found, port := 0, uint32(0)
	for p, nm := range n {
		if nm == name {
			found, port = found+1, p
		}
	}
	return port, found == 1
}

func nameNeedsQuotes(name string) bool {
	isAlpha := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	if name == "" || !isAlpha(name[0]) {
		return true
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !isAlpha(c) && !(c >= '0' && c <= '9') {
			return true
		}
	}
	return false
}

// namedAction is an action that prints port numbers, by name when names
// are given.
type namedAction interface {
	formatNamed(n PortNames) string
}

func actionString(a Action, n PortNames) string {
	if na, ok := a.(namedAction); ok {
		return na.formatNamed(n)
	}
	return a.String()
}

func actionsString(acts []Action) string { return actionsNamed(acts, nil) }

func actionsNamed(acts []Action, n PortNames) string {
	if len(acts) == 0 {
		return "drop"
	}
	parts := make([]string, len(acts))
	for i, a := range acts {
		parts[i] = actionString(a, n)
	}
	return strings.Join(parts, ",")
}
