package ovsdb

import (
	"fmt"
	"hash/maphash"
	"maps"
	"math/rand/v2"
	"testing"
)

// TestPmap checks the persistent map against Go's map under random edits,
// with real hashes and with hashes made to collide (down to whole-hash
// collisions), and checks that every earlier version is left unchanged.
func TestPmap(t *testing.T) {
	seed := maphash.MakeSeed()
	tests := []struct {
		name string
		hash func(string) uint64
	}{
		{"maphash", func(s string) uint64 { return maphash.String(seed, s) }},
		{"few fragments", func(s string) uint64 { return maphash.String(seed, s) & 0x0f0f }},
		{"whole-hash collisions", func(s string) uint64 { return maphash.String(seed, s) % 7 }},
		{"deep shared prefix", func(s string) uint64 { return maphash.String(seed, s) << 58 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			var m pmap[int]
			want := map[string]int{}
			type version struct {
				m    pmap[int]
				want map[string]int
			}
			var versions []version
			for batch := range 60 {
				ed := m.edit(&owner{})
				for range rng.IntN(200) {
					k := fmt.Sprint("k", rng.IntN(300))
					if rng.IntN(3) == 0 {
						ed.delete(tt.hash(k), k)
						delete(want, k)
					} else {
						v := rng.Int()
						ed.set(tt.hash(k), k, v)
						want[k] = v
					}
				}
				m = ed.done()
				if batch%10 == 0 {
					versions = append(versions, version{m, maps.Clone(want)})
				}
				check(t, m, want, tt.hash)
			}
			for i, v := range versions {
				if t.Failed() {
					break
				}
				t.Logf("version %d", i)
				check(t, v.m, v.want, tt.hash)
			}
			// Deleting everything leaves an empty trie.
			ed := m.edit(&owner{})
			for k := range want {
				ed.delete(tt.hash(k), k)
			}
			if e := ed.done(); e.len() != 0 || e.root != nil {
				t.Fatalf("after deleting all: len %d, root %v", e.len(), e.root)
			}
		})
	}
}

func check(t *testing.T, m pmap[int], want map[string]int, hash func(string) uint64) {
	t.Helper()
	if m.len() != len(want) {
		t.Fatalf("len %d, want %d", m.len(), len(want))
	}
	got := map[string]int{}
	m.all(func(k string, v int) bool { got[k] = v; return true })
	if !maps.Equal(got, want) {
		t.Fatalf("contents differ: got %d entries, want %d", len(got), len(want))
	}
	for k, v := range want {
		if g, ok := m.get(hash(k), k); !ok || g != v {
			t.Fatalf("get %q = %d, %v; want %d", k, g, ok, v)
		}
	}
	for i := range 20 {
		k := fmt.Sprint("absent", i)
		if _, ok := m.get(hash(k), k); ok {
			t.Fatalf("get %q found an absent key", k)
		}
	}
}
