package ovsdb

import "math/bits"

// pmap is a persistent hash map from strings to V: a hash array mapped trie
// whose versions share every node they have in common. The cache keeps
// one per table (and per index), so a snapshot of the whole database is a
// handful of pointers, and a change of one row copies only the path to it:
// a transaction reads one frozen version without copying the database.
//
// A pmap value is immutable, except through an editor: the nodes created
// by one editor (one batch of monitor updates) are changed in place until
// the batch ends, instead of being copied once per row.
type pmap[V any] struct {
	root *pnode[V]
	n    int
}

// owner marks the nodes one editor may change in place.
type owner struct{ _ byte }

const (
	pbits     = 5
	pwidth    = 1 << pbits
	pmaxDepth = (64 + pbits - 1) / pbits // past it, the hash is spent: a collision list
)

type pnode[V any] struct {
	owner  *owner
	bitmap uint32
	// slots are ordered by hash fragment; at pmaxDepth, an unordered list
	// of leaves whose whole hashes are equal.
	slots []pslot[V]
}

// pslot is a leaf (child == nil) or a subtree. Leaves are kept out of
// line and never changed, so copying a node copies two pointers a slot.
type pslot[V any] struct {
	child *pnode[V]
	*pleaf[V]
}

type pleaf[V any] struct {
	hash uint64
	key  string
	val  V
}

func fragment(hash uint64, depth int) uint32 { return uint32(hash>>(pbits*depth)) & (pwidth - 1) }

// len returns the number of entries.
func (m pmap[V]) len() int { return m.n }

// get returns the value of key, whose hash is h.
func (m pmap[V]) get(h uint64, key string) (V, bool) {
	n := m.root
	for depth := 0; n != nil; depth++ {
		if depth >= pmaxDepth {
			for i := range n.slots {
				if n.slots[i].key == key {
					return n.slots[i].val, true
				}
			}
			break
		}
		bit := uint32(1) << fragment(h, depth)
		if n.bitmap&bit == 0 {
			break
		}
		s := &n.slots[bits.OnesCount32(n.bitmap&(bit-1))]
		if s.child == nil {
			if s.key == key {
				return s.val, true
			}
			break
		}
		n = s.child
	}
	var zero V
	return zero, false
}

// all calls yield with every entry, in no particular order, until it
// returns false.
func (m pmap[V]) all(yield func(string, V) bool) {
	var walk func(n *pnode[V]) bool
	walk = func(n *pnode[V]) bool {
		for i := range n.slots {
			s := &n.slots[i]
			if s.child != nil {
				if !walk(s.child) {
					return false
				}
			} else if !yield(s.key, s.val) {
				return false
			}
		}
		return true
	}
	if m.root != nil {
		walk(m.root)
	}
}

// editor builds new versions of a map. Nodes it creates are its own and
// are changed in place; all others are copied on write. Once the editor
// is dropped, every version it produced is immutable.
type editor[V any] struct {
	m  pmap[V]
	by *owner
}

func (m pmap[V]) edit(by *owner) *editor[V] { return &editor[V]{m: m, by: by} }

// done returns the edited map.
func (e *editor[V]) done() pmap[V] { return e.m }

func (e *editor[V]) writable(n *pnode[V]) *pnode[V] {
	if n.owner == e.by {
		return n
	}
	// Room for one more slot, which an insert may add, unless the node is
	// full (an insert into a full node goes below it).
	room := len(n.slots) + 1
	if len(n.slots) >= pwidth {
		room = len(n.slots)
	}
	c := &pnode[V]{owner: e.by, bitmap: n.bitmap, slots: make([]pslot[V], len(n.slots), room)}
	copy(c.slots, n.slots)
	return c
}

// set stores val under key, whose hash is h.
func (e *editor[V]) set(h uint64, key string, val V) {
	root, added := e.insert(e.m.root, 0, pslot[V]{pleaf: &pleaf[V]{hash: h, key: key, val: val}})
	e.m.root = root
	if added {
		e.m.n++
	}
}

func (e *editor[V]) insert(n *pnode[V], depth int, leaf pslot[V]) (*pnode[V], bool) {
	if n == nil {
		n = &pnode[V]{owner: e.by}
		if depth < pmaxDepth {
			n.bitmap = 1 << fragment(leaf.hash, depth)
		}
		n.slots = []pslot[V]{leaf}
		return n, true
	}
	if depth >= pmaxDepth {
		for i := range n.slots {
			if n.slots[i].key == leaf.key {
				n = e.writable(n)
				n.slots[i] = leaf
				return n, false
			}
		}
		n = e.writable(n)
		n.slots = append(n.slots, leaf)
		return n, true
	}
	bit := uint32(1) << fragment(leaf.hash, depth)
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	if n.bitmap&bit == 0 {
		n = e.writable(n)
		n.bitmap |= bit
		n.slots = append(n.slots, pslot[V]{})
		copy(n.slots[pos+1:], n.slots[pos:])
		n.slots[pos] = leaf
		return n, true
	}
	s := n.slots[pos]
	switch {
	case s.child != nil:
		child, added := e.insert(s.child, depth+1, leaf)
		if child != s.child {
			n = e.writable(n)
			n.slots[pos].child = child
		}
		return n, added
	case s.key == leaf.key:
		n = e.writable(n)
		n.slots[pos] = leaf
		return n, false
	}
	// Two leaves share the fragment: push both one level down.
	child, _ := e.insert(nil, depth+1, s)
	child, _ = e.insert(child, depth+1, leaf)
	n = e.writable(n)
	n.slots[pos] = pslot[V]{child: child}
	return n, true
}

// delete removes key, whose hash is h.
func (e *editor[V]) delete(h uint64, key string) {
	root, removed := e.remove(e.m.root, 0, h, key)
	if removed {
		e.m.root = root
		e.m.n--
	}
}

func (e *editor[V]) remove(n *pnode[V], depth int, h uint64, key string) (*pnode[V], bool) {
	if n == nil {
		return nil, false
	}
	cut := func(n *pnode[V], pos int, bit uint32) *pnode[V] {
		if len(n.slots) == 1 {
			return nil
		}
		n = e.writable(n)
		n.bitmap &^= bit
		n.slots = append(n.slots[:pos], n.slots[pos+1:]...)
		return n
	}
	if depth >= pmaxDepth {
		for i := range n.slots {
			if n.slots[i].key == key {
				return cut(n, i, 0), true
			}
		}
		return n, false
	}
	bit := uint32(1) << fragment(h, depth)
	if n.bitmap&bit == 0 {
		return n, false
	}
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	s := n.slots[pos]
	if s.child == nil {
		if s.key != key {
			return n, false
		}
		return cut(n, pos, bit), true
	}
	child, removed := e.remove(s.child, depth+1, h, key)
	if !removed {
		return n, false
	}
	n = e.writable(n)
	switch {
	case child == nil:
		return cut(n, pos, bit), true
	case len(child.slots) == 1 && child.slots[0].child == nil:
		// A subtree of one leaf collapses into the leaf, keeping the
		// trie as shallow as its contents need.
		n.slots[pos] = child.slots[0]
	default:
		n.slots[pos].child = child
	}
	return n, true
}
