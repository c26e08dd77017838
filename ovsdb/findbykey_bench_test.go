package ovsdb

import (
	"fmt"
	"strings"
	"testing"
)

// cacheWith returns a cache holding n Interface rows, each with an
// external_ids:iface-id of its own.
func cacheWith(b *testing.B, n int) *cache {
	b.Helper()
	schema, err := testSchema()
	if err != nil {
		b.Fatal(err)
	}
	ch := newCache(schema, defaultKeyIndexes)
	var sb strings.Builder
	sb.WriteString(`{"Interface":{`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `"%08x-0000-4000-8000-000000000000":{"initial":{"name":"tap%d","external_ids":["map",[["iface-id","lsp%d"],["attached-mac","52:54:00:%02x:%02x:%02x"]]]}}`,
			i, i, i, i>>16&0xff, i>>8&0xff, i&0xff)
	}
	sb.WriteString(`}}`)
	if _, err := ch.apply([]byte(sb.String())); err != nil {
		b.Fatal(err)
	}
	return ch
}

// BenchmarkFindByKey: looking an interface up by iface-id costs the same
// at 1,000 and 100,000 rows (the index), against a scan of the table (what
// a client without the index does) in the same run.
func BenchmarkFindByKey(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		ch := cacheWith(b, n)
		b.Run(fmt.Sprintf("impl=index/rows=%d", n), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				tx := newTx(ch.schema, ch.snapshot())
				tx.readOnly = true
				got, err := FindByKey[Interface](tx, "external_ids", "iface-id", fmt.Sprint("lsp", i%n))
				if err != nil || len(got) != 1 {
					b.Fatal(got, err)
				}
			}
		})
		b.Run(fmt.Sprintf("impl=scan/rows=%d", n), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				want := fmt.Sprint("lsp", i%n)
				found := 0
				ch.snapshot().table(TableInterface).all(func(_ string, r Model) bool {
					if r.(*Interface).ExternalIDs["iface-id"] == want {
						found++
					}
					return true
				})
				if found != 1 {
					b.Fatal(found)
				}
			}
		})
	}
}

// BenchmarkFindBy: the 100 rows that share a column's value (Interface
// ofport here; the logical flows of a datapath in a Southbound client)
// cost the same at 1,000 and 100,000 rows with the column indexed
// (WithIndex), against FindBy without the index (a scan) in the same run.
func BenchmarkFindBy(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		schema, err := testSchema()
		if err != nil {
			b.Fatal(err)
		}
		var sb strings.Builder
		sb.WriteString(`{"Interface":{`)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `"%08x-0000-4000-8000-000000000000":{"initial":{"name":"tap%d","ofport":%d}}`, i, i, i/100)
		}
		sb.WriteString(`}}`)
		for _, impl := range []string{"index", "scan"} {
			var keys []KeyIndex
			if impl == "index" {
				keys = []KeyIndex{{Table: TableInterface, Column: "ofport"}}
			}
			ch := newCache(schema, keys)
			if _, err := ch.apply([]byte(sb.String())); err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("impl=%s/rows=%d", impl, n), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					tx := newTx(ch.schema, ch.snapshot())
					tx.readOnly = true
					got, err := FindBy[Interface](tx, "ofport", i%(n/100))
					if err != nil || len(got) != 100 {
						b.Fatal(len(got), err)
					}
				}
			})
		}
	}
}
