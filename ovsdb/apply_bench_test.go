package ovsdb

import (
	"fmt"
	"testing"
)

// BenchmarkApplyAddPort measures the cache applying the monitor update of
// one add-port (the bridge's ports diff, a port and an interface inserted)
// to a bridge of 1,000 ports: the client's work between the update's
// arrival and the reply's, on the path of every sequential transaction.
func BenchmarkApplyAddPort(b *testing.B) {
	const br = "22222222-0000-4000-8000-000000000001"
	schema, err := testSchema()
	if err != nil {
		b.Fatal(err)
	}
	u := func(kind, i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, i) }
	c := newCache(schema, defaultKeyIndexes)
	add := func(i int, kind string) string {
		return fmt.Sprintf(`{"Interface":{"%s":{"%s":{"name":"p%d","type":"internal"}}},`+
			`"Port":{"%s":{"%s":{"name":"p%d","interfaces":["uuid","%s"]}}},`+
			`"Bridge":{"%s":{"modify":{"ports":["uuid","%s"]}}}}`,
			u(1, i), kind, i, u(2, i), kind, i, u(1, i), br, u(2, i))
	}
	if _, err := c.apply([]byte(`{"Bridge":{"` + br + `":{"initial":{"name":"br0"}}}}`)); err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		if _, err := c.apply([]byte(add(i, "insert"))); err != nil {
			b.Fatal(err)
		}
	}
	upds := make([][]byte, b.N)
	for i := range upds {
		upds[i] = []byte(add(1000+i, "insert"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.apply(upds[i]); err != nil {
			b.Fatal(err)
		}
	}
}
