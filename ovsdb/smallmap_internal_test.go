package ovsdb

import (
	"fmt"
	"testing"
)

// TestSmallMap checks the map a transaction keeps its indexes in, below
// and past the size where it moves from a slice to a Go map.
func TestSmallMap(t *testing.T) {
	for _, n := range []int{1, smallMax, smallMax + 1, 40} {
		var s smallMap[rowRef, int]
		for i := range n {
			if _, ok := s.get(rowRef{"Port", fmt.Sprint(i)}); ok {
				t.Fatalf("n=%d: row %d present before it was put", n, i)
			}
			s.put(rowRef{"Port", fmt.Sprint(i)}, i)
		}
		s.put(rowRef{"Port", "0"}, -1) // replaces
		for i := range n {
			want := i
			if i == 0 {
				want = -1
			}
			if v, ok := s.get(rowRef{"Port", fmt.Sprint(i)}); !ok || v != want {
				t.Fatalf("n=%d: row %d = %d, %v; want %d", n, i, v, ok, want)
			}
		}
		if _, ok := s.get(rowRef{"Interface", "0"}); ok {
			t.Errorf("n=%d: has a row never put", n)
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
		for i := range n {
			p := &pending{table: "Port", uuid: fmt.Sprint("u", i)}
			tx.track(p)
			tx.indexValues(p, &Port{Name: fmt.Sprint("p", i%smallMax)}, []string{"name"})
		}
		for i := range n {
			if p := tx.pending("Port", fmt.Sprint("u", i)); p == nil || p.uuid != fmt.Sprint("u", i) {
				t.Fatalf("n=%d: row u%d not found", n, i)
			}
		}
		if tx.pending("Interface", "u0") != nil || tx.pending("Port", "nosuch") != nil {
			t.Errorf("n=%d: found a row never tracked", n)
		}
		// Names repeat every smallMax rows: each has its rows, in order.
		for v := range smallMax {
			got, _ := tx.byValue.get(valueRef{"Port", "name", fmt.Sprint("p", v)})
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
		if len(tx.pendList) != n {
			t.Errorf("n=%d: %d rows in order", n, len(tx.pendList))
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
	}
}
