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
