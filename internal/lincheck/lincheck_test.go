package lincheck

import (
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

func op(client int, in Input, out Output, call, ret int64) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret}
}

// TestCheck: the model accepts histories some order explains and rejects
// a lost update, a stale read and a duplicated increment.
func TestCheck(t *testing.T) {
	inc := Input{Kind: IncVerify}
	read := Input{Kind: Read}
	for _, tt := range []struct {
		name    string
		history []porcupine.Operation
		want    porcupine.CheckResult
	}{
		{"sequential", []porcupine.Operation{op(0, inc, Output{N: 1}, 0, 1), op(1, inc, Output{N: 2}, 2, 3), op(0, read, Output{N: 2}, 4, 5)}, porcupine.Ok},
		{"concurrent increments", []porcupine.Operation{op(0, inc, Output{N: 2}, 0, 10), op(1, inc, Output{N: 1}, 1, 9)}, porcupine.Ok},
		{"lost update", []porcupine.Operation{op(0, inc, Output{N: 1}, 0, 10), op(1, inc, Output{N: 1}, 1, 9)}, porcupine.Illegal},
		{"stale read", []porcupine.Operation{op(0, inc, Output{N: 1}, 0, 1), op(1, read, Output{N: 0}, 2, 3)}, porcupine.Illegal},
		{"unknown outcome, taken", []porcupine.Operation{op(0, inc, Output{Unknown: true}, 0, 1<<62), op(1, read, Output{N: 1}, 2, 3)}, porcupine.Ok},
		{"unknown outcome, not taken", []porcupine.Operation{op(0, inc, Output{Unknown: true}, 0, 1<<62), op(1, read, Output{N: 0}, 2, 3)}, porcupine.Ok},
		{"blind additions", []porcupine.Operation{op(0, Input{Kind: Add}, Output{}, 0, 1), op(1, Input{Kind: Add}, Output{}, 0, 1), op(0, read, Output{M: 2}, 2, 3)}, porcupine.Ok},
		{"registers apart", []porcupine.Operation{op(0, Input{Kind: IncUpdate, Key: 1}, Output{N: 1}, 0, 1), op(1, read, Output{N: 0}, 2, 3)}, porcupine.Ok},
	} {
		if got := Check(2, tt.history, 10*time.Second, ""); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestAccount: writes reported committed without their marker are lost,
// writes reported failed with it are phantoms; the history holds answered
// reads and writes that committed or whose outcome is unknown.
func TestAccount(t *testing.T) {
	w := func(m string) Input { return Input{Kind: IncVerify, Marker: m} }
	records := []Record{
		{Op: op(0, w("ok"), Output{N: 1}, 0, 1), Committed: true},
		{Op: op(0, w("lost"), Output{N: 2}, 2, 3), Committed: true},
		{Op: op(1, w("phantom"), Output{}, 0, 1)},
		{Op: op(1, w("failed"), Output{}, 0, 1)},
		{Op: op(1, w("unknown"), Output{Unknown: true}, 0, 1<<62), Unknown: true},
		{Op: op(2, Input{Kind: Read}, Output{N: 1}, 4, 5), Committed: true},
		{Op: op(2, Input{Kind: Read}, Output{}, 6, 7)},
	}
	in := map[string]bool{"ok": true, "phantom": true, "unknown": true}
	got := Account(records, func(i Input) bool { return in[i.Marker] })
	if got.Committed != 3 || got.Unknown != 1 || got.Failed != 3 {
		t.Errorf("committed %d, unknown %d, failed %d; want 3, 1, 3", got.Committed, got.Unknown, got.Failed)
	}
	if len(got.Lost) != 1 || got.Lost[0].Marker != "lost" || len(got.Phantom) != 1 || got.Phantom[0].Marker != "phantom" {
		t.Errorf("lost %v, phantom %v", got.Lost, got.Phantom)
	}
	if len(got.Applied) != 3 || len(got.History) != 4 {
		t.Errorf("%d applied (want 3), history of %d (want 4)", len(got.Applied), len(got.History))
	}
}

func nop(client int, k Kind, out NameOutput, call, ret int64) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: Input{Kind: k}, Output: out, Call: call, Return: ret}
}

// TestCheckNames: the name model accepts histories some order explains and
// rejects a false "not found", a duplicate create, a lost delete and a
// stale probe; an operation of unknown outcome may or may not have taken
// effect.
func TestCheckNames(t *testing.T) {
	ok, exists, notFound, unknown := NameOutput{}, NameOutput{Err: ErrExists}, NameOutput{Err: ErrNotFound}, NameOutput{Unknown: true}
	present, absent := NameOutput{Present: true}, NameOutput{}
	for _, tt := range []struct {
		name    string
		history []porcupine.Operation
		want    porcupine.CheckResult
	}{
		{"create then remove", []porcupine.Operation{nop(0, Create, ok, 0, 1), nop(1, Remove, ok, 2, 3), nop(0, Probe, absent, 4, 5)}, porcupine.Ok},
		{"false not found", []porcupine.Operation{nop(0, Create, ok, 0, 1), nop(1, Remove, notFound, 2, 3)}, porcupine.Illegal},
		{"two creates succeed", []porcupine.Operation{nop(0, Create, ok, 0, 10), nop(1, Create, ok, 1, 9)}, porcupine.Illegal},
		{"one create of two", []porcupine.Operation{nop(0, Create, ok, 0, 10), nop(1, Create, exists, 1, 9)}, porcupine.Ok},
		{"may exist", []porcupine.Operation{nop(0, Create, ok, 0, 1), nop(1, CreateMayExist, ok, 2, 3), nop(0, Probe, present, 4, 5)}, porcupine.Ok},
		{"if exists skipped a name that was there", []porcupine.Operation{nop(0, Create, ok, 0, 1), nop(1, RemoveIfExists, ok, 2, 3), nop(0, Probe, present, 4, 5)}, porcupine.Illegal},
		{"stale probe", []porcupine.Operation{nop(0, Create, ok, 0, 1), nop(1, Probe, absent, 2, 3)}, porcupine.Illegal},
		{"unknown create, taken", []porcupine.Operation{nop(0, Create, unknown, 0, 1<<62), nop(1, Probe, present, 2, 3)}, porcupine.Ok},
		{"unknown create, not taken", []porcupine.Operation{nop(0, Create, unknown, 0, 1<<62), nop(1, Probe, absent, 2, 3)}, porcupine.Ok},
		{"unknown remove", []porcupine.Operation{nop(0, Create, ok, 0, 1), nop(1, Remove, unknown, 2, 1<<62), nop(0, Probe, present, 3, 4), nop(0, Probe, absent, 5, 6)}, porcupine.Ok},
	} {
		if got := CheckNames(1, tt.history, 10*time.Second, ""); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
