package ovsdb

import (
	"fmt"
	"testing"
)

// TestSmallSet checks the set a transaction keeps its rows and waits in,
// below and past the size where it moves from a slice to a map.
func TestSmallSet(t *testing.T) {
	for _, n := range []int{1, smallMax, smallMax + 1, 40} {
		var s smallSet[rowRef]
		for i := range n {
			if !s.add(rowRef{"Port", fmt.Sprint(i)}) {
				t.Fatalf("n=%d: row %d reported as present on its first add", n, i)
			}
		}
		for i := range n {
			r := rowRef{"Port", fmt.Sprint(i)}
			if !s.has(r) || s.add(r) {
				t.Fatalf("n=%d: row %d not kept", n, i)
			}
		}
		if s.has(rowRef{"Interface", "0"}) {
			t.Errorf("n=%d: has a row never added", n)
		}
		if got, wantMap := s.m != nil, n > smallMax; got != wantMap {
			t.Errorf("n=%d: map in use %v, want %v", n, got, wantMap)
		}
	}
}

// TestTxIndexesPastSmall checks the transaction's row and value indexes
// past the size where they move from slices to maps.
func TestTxIndexesPastSmall(t *testing.T) {
	for _, n := range []int{smallMax, smallMax + 1, 3 * smallMax} {
		tx := &Tx{}
		var ix valueIndex
		for i := range n {
			p := &pending{table: "Port", uuid: fmt.Sprint("u", i)}
			tx.track(p)
			ix.add(valueRef{"Port", "name", fmt.Sprint("p", i%smallMax)}, p)
		}
		for i := range n {
			if p := tx.pending("Port", fmt.Sprint("u", i)); p == nil || p.uuid != fmt.Sprint("u", i) {
				t.Fatalf("n=%d: row u%d not found", n, i)
			}
		}
		if tx.pending("Interface", "u0") != nil || tx.pending("Port", "nosuch") != nil {
			t.Errorf("n=%d: found a row never tracked", n)
		}
		// Values repeat every smallMax rows: each has its rows, in order.
		for v := range smallMax {
			got := ix.get(valueRef{"Port", "name", fmt.Sprint("p", v)})
			var want []string
			for i := v; i < n; i += smallMax {
				want = append(want, fmt.Sprint("u", i))
			}
			var names []string
			for _, p := range got {
				names = append(names, p.uuid)
			}
			if fmt.Sprint(names) != fmt.Sprint(want) {
				t.Errorf("n=%d: value p%d has %v, want %v", n, v, names, want)
			}
		}
		if (tx.pendIdx != nil) != (n > smallMax) || (ix.m != nil) != (n > smallMax) {
			t.Errorf("n=%d: maps in use %v %v", n, tx.pendIdx != nil, ix.m != nil)
		}
	}
}

// TestWaitsDeduplicated checks that a wait added twice is sent once,
// below and past the size where the waits are found by a map.
func TestWaitsDeduplicated(t *testing.T) {
	for _, n := range []int{1, smallMax, smallMax + 1, 3 * smallMax} {
		tx := &Tx{}
		for range 2 {
			for i := range n {
				tx.addWait(Operation{Op: "wait", Table: "Port", Where: []Condition{{"name", "==", fmt.Sprint("p", i)}},
					Columns: []string{"_uuid"}, Until: "=="})
			}
		}
		if len(tx.waits) != n || len(tx.waitJSON) != n {
			t.Errorf("n=%d: %d waits (%d encoded), want %d", n, len(tx.waits), len(tx.waitJSON), n)
		}
		if (tx.waitKeys != nil) != (n > smallMax) {
			t.Errorf("n=%d: map in use %v", n, tx.waitKeys != nil)
		}
	}
}
