// Package lincheck is the model of the linearizability tests: registers
// (counters) that concurrent clients increment by verified
// read-modify-write, add to by blind mutation and read, checked with
// porcupine. An operation whose outcome the client could not learn
// (ovsdb.ErrOutcomeUnknown) may take effect at any point after its
// invocation, or not at all.
package lincheck

import (
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"
)

// Kind is what an operation does to its register.
type Kind uint8

const (
	// IncVerify reads n, verifies the read at commit and writes n+1.
	IncVerify Kind = iota
	// IncUpdate increments n through a read-modify-write helper (such as
	// port.Update) that verifies what it read.
	IncUpdate
	// Add adds 1 to m by a blind mutation.
	Add
	// Read reads n, m and t, verified at commit.
	Read
	// IncPlain increments n by a plain read-modify-write (read, then
	// Update, without Verify): snapshot isolation makes it IncVerify.
	IncPlain
	// SetTag writes t (a blind write of Input.Value).
	SetTag
)

func (k Kind) String() string {
	switch k {
	case IncVerify:
		return "inc-verify"
	case IncUpdate:
		return "inc-update"
	case Add:
		return "add"
	case Read:
		return "read"
	case IncPlain:
		return "inc-plain"
	case SetTag:
		return "set-tag"
	case Create:
		return "create"
	case CreateMayExist:
		return "create-may-exist"
	case Remove:
		return "remove"
	case RemoveIfExists:
		return "remove-if-exists"
	case Probe:
		return "probe"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Input is an operation: its kind, its register and the marker a write
// leaves in the database (so that the end state tells which committed).
type Input struct {
	Kind   Kind
	Key    int
	Marker string
	// Value is what SetTag writes.
	Value int
}

// Output is what the operation reported: the value it wrote
// (increments) or read, or that its outcome is unknown.
type Output struct {
	N, M, T int
	Unknown bool
}

type state struct{ n, m, t int }

// Model is the porcupine model of registers registers, each checked on
// its own.
func Model(registers int) porcupine.Model {
	return porcupine.Model{
		Partition: byKey(registers),
		Init:      func() any { return state{} },
		Step: func(s, input, output any) (bool, any) {
			st, in, out := s.(state), input.(Input), output.(Output)
			switch in.Kind {
			case IncVerify, IncUpdate, IncPlain:
				if out.Unknown {
					return true, state{st.n + 1, st.m, st.t}
				}
				return out.N == st.n+1, state{out.N, st.m, st.t}
			case Add:
				return true, state{st.n, st.m + 1, st.t}
			case SetTag:
				return true, state{st.n, st.m, in.Value}
			default:
				return out.N == st.n && out.M == st.m && out.T == st.t, st
			}
		},
		Equal: func(a, b any) bool { return a.(state) == b.(state) },
		DescribeOperation: func(input, output any) string {
			in, out := input.(Input), output.(Output)
			return fmt.Sprintf("%v r%d -> %+v", in.Kind, in.Key, out)
		},
	}
}

// byKey partitions a history by its operations' keys, 0 to n-1: each key
// is checked on its own.
func byKey(n int) func([]porcupine.Operation) [][]porcupine.Operation {
	return func(history []porcupine.Operation) [][]porcupine.Operation {
		out := make([][]porcupine.Operation, n)
		for _, op := range history {
			k := op.Input.(Input).Key
			out[k] = append(out[k], op)
		}
		return out
	}
}

// Check checks a history against Model(registers) within timeout. On a
// violation (or a timeout) it writes porcupine's visualization to
// visualization (if not empty) and returns the result.
func Check(registers int, history []porcupine.Operation, timeout time.Duration, visualization string) porcupine.CheckResult {
	return check(Model(registers), history, timeout, visualization)
}

func check(m porcupine.Model, history []porcupine.Operation, timeout time.Duration, visualization string) porcupine.CheckResult {
	res, info := porcupine.CheckOperationsVerbose(m, history, timeout)
	if res != porcupine.Ok && visualization != "" {
		_ = porcupine.VisualizePath(m, info, visualization)
	}
	return res
}

// Record is an operation as its client reported it: committed (for a
// read, answered), of unknown outcome, or else failed.
type Record struct {
	Op                 porcupine.Operation
	Committed, Unknown bool
}

// Tally is what a run's records say, held against the database's end
// state.
type Tally struct {
	Committed, Unknown, Failed int
	// History is what the checker takes: reads answered, writes
	// committed or of unknown outcome.
	History []porcupine.Operation
	// Lost were reported committed but left no marker; Phantom were
	// reported failed but left one.
	Lost, Phantom []Input
	// Applied are the writes whose marker is in the database.
	Applied []Input
}

// Account tallies records; present says whether a write's marker is in
// the database.
func Account(records []Record, present func(Input) bool) Tally {
	var t Tally
	for _, r := range records {
		in := r.Op.Input.(Input)
		switch {
		case r.Committed:
			t.Committed++
		case r.Unknown:
			t.Unknown++
		default:
			t.Failed++
		}
		if in.Kind == Read {
			if r.Committed {
				t.History = append(t.History, r.Op)
			}
			continue
		}
		p := present(in)
		switch {
		case r.Committed && !p:
			t.Lost = append(t.Lost, in)
		case !r.Committed && !r.Unknown && p:
			t.Phantom = append(t.Phantom, in)
		}
		if p {
			t.Applied = append(t.Applied, in)
		}
		if r.Committed || r.Unknown {
			t.History = append(t.History, r.Op)
		}
	}
	return t
}

// Names: a second model, of names that exist or not (a port, a bridge, a
// logical switch), created and removed by concurrent clients through the
// public commands. Each key is checked on its own.
const (
	// Create adds the name: it succeeds if the name is absent, and fails
	// with "exists" otherwise.
	Create Kind = iota + 32
	// CreateMayExist adds the name, or leaves it (may-exist).
	CreateMayExist
	// Remove deletes the name: it succeeds if it exists, and fails with
	// "not found" otherwise.
	Remove
	// RemoveIfExists deletes the name if it exists (if-exists).
	RemoveIfExists
	// Probe reads whether the name exists, verified at commit.
	Probe
)

// Outcomes of name operations that were answered but not committed.
const (
	ErrExists   = "exists"
	ErrNotFound = "not found"
)

// NameOutput is what a name operation reported: its error ("", ErrExists
// or ErrNotFound), whether the name exists (Probe), or that its outcome
// is unknown.
type NameOutput struct {
	Err     string
	Present bool
	Unknown bool
}

// NameModel is the porcupine model of keys names. An operation of unknown
// outcome may have taken effect or not.
func NameModel(keys int) porcupine.Model {
	m := porcupine.NondeterministicModel{
		Partition: byKey(keys),
		Init:      func() []any { return []any{false} },
		Step: func(s, input, output any) []any {
			present, in, out := s.(bool), input.(Input), output.(NameOutput)
			if out.Unknown {
				switch in.Kind {
				case Create, CreateMayExist:
					return []any{present, true}
				case Remove, RemoveIfExists:
					return []any{present, false}
				}
				return []any{present}
			}
			ok := func(cond bool, next bool) []any {
				if cond {
					return []any{next}
				}
				return nil
			}
			switch in.Kind {
			case Create:
				if out.Err == ErrExists {
					return ok(present, present)
				}
				return ok(!present && out.Err == "", true)
			case CreateMayExist:
				return ok(out.Err == "", true)
			case Remove:
				if out.Err == ErrNotFound {
					return ok(!present, present)
				}
				return ok(present && out.Err == "", false)
			case RemoveIfExists:
				return ok(out.Err == "", false)
			case Probe:
				return ok(out.Err == "" && out.Present == present, present)
			}
			return nil
		},
		Equal: func(a, b any) bool { return a.(bool) == b.(bool) },
		DescribeOperation: func(input, output any) string {
			in, out := input.(Input), output.(NameOutput)
			return fmt.Sprintf("%v k%d -> %+v", in.Kind, in.Key, out)
		},
	}
	return m.ToModel()
}

// CheckNames checks a history of name operations against NameModel(keys),
// as Check does.
func CheckNames(keys int, history []porcupine.Operation, timeout time.Duration, visualization string) porcupine.CheckResult {
	return check(NameModel(keys), history, timeout, visualization)
}
