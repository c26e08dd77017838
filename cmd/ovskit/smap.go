package main

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// smapOrder returns the keys of a string map in the order Open vSwitch's
// C tools print such a map when they walk it (SMAP_FOR_EACH): the order of
// its hash table, with the keys inserted sorted, as the IDL builds the map
// from a database value. Some ovn-nbctl output (a routing policy's
// options) shows it.
func smapOrder(keys []string) []string {
	keys = slices.Sorted(slices.Values(keys))
	var h hmap
	for _, k := range keys {
		h.insert(k, hashString(k))
	}
	var out []string
	for _, b := range h.buckets {
		for _, n := range b {
			out = append(out, n.key)
		}
	}
	return out
}

// hmap is the shape of Open vSwitch's hmap: buckets of chains, a node
// inserted at the head of its chain, the table grown when it holds more
// than twice as many nodes as buckets.
type hmap struct {
	mask    uint32
	n       int
	buckets [][]hnode // each chain head first
}

type hnode struct {
	key  string
	hash uint32
}

func (h *hmap) insert(key string, hash uint32) {
	if h.buckets == nil {
		h.buckets = make([][]hnode, 1)
	}
	h.insertFast(hnode{key, hash})
	if uint32(h.n/2) > h.mask {
		if m := calcMask(h.n); m > h.mask {
			h.resize(m)
		}
	}
}

func (h *hmap) insertFast(n hnode) {
	b := n.hash & h.mask
	h.buckets[b] = append([]hnode{n}, h.buckets[b]...)
	h.n++
}

// resize moves every node, bucket by bucket and chain order, into a
// table of mask+1 buckets.
func (h *hmap) resize(mask uint32) {
	old := h.buckets
	h.buckets, h.mask, h.n = make([][]hnode, mask+1), mask, 0
	for _, b := range old {
		for _, n := range b {
			h.insertFast(n)
		}
	}
}

// calcMask is the mask of a table for capacity nodes: a power of two
// minus one, at least 3 once it grows.
func calcMask(capacity int) uint32 {
	mask := uint32(capacity / 2)
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	mask |= (mask & 1) << 1
	return mask
}

// hashString is Open vSwitch's hash_string(s, 0): MurmurHash3's 32-bit
// mixing over the bytes as little-endian words, the length folded in at
// the end.
func hashString(s string) uint32 {
	b := []byte(s)
	var hash uint32
	for len(b) >= 4 {
		hash = mhashAdd(hash, binary.LittleEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) > 0 {
		var tail [4]byte
		copy(tail[:], b)
		hash = mhashAdd(hash, binary.LittleEndian.Uint32(tail[:]))
	}
	return mhashFinish(hash ^ uint32(len(s)))
}

func mhashAdd(hash, data uint32) uint32 {
	data *= 0xcc9e2d51
	data = bits.RotateLeft32(data, 15)
	data *= 0x1b873593
	hash ^= data
	hash = bits.RotateLeft32(hash, 13)
	return hash*5 + 0xe6546b64
}

func mhashFinish(hash uint32) uint32 {
	hash ^= hash >> 16
	hash *= 0x85ebca6b
	hash ^= hash >> 13
	hash *= 0xc2b2ae35
	hash ^= hash >> 16
	return hash
}
