package bench

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// BenchmarkUpdate: what snapshot isolation costs a read-modify-write. The
// same Do (look a port up, write its external_ids) with Update, whose
// commit verifies the column it overwrites (one more wait operation), and
// with Overwrite, the blind write. Sequential, one client.
func BenchmarkUpdate(b *testing.B) {
	for _, impl := range []string{"update", "overwrite"} {
		b.Run("impl="+impl, func(b *testing.B) {
			s, ctx := setup(b)
			if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), port.Add("br0", "p0", port.WithIface(iface.Type(iface.Internal)))); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				_, err := s.Client.Do(ctx, func(tx *ovsdb.Tx) error {
					tx.NoWait()
					p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p0")
					if err != nil {
						return err
					}
					p.ExternalIDs = map[string]string{"n": strconv.Itoa(i)}
					if impl == "update" {
						return tx.Update(p, "external_ids")
					}
					return tx.Overwrite(p, "external_ids")
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConcurrentChurn: 32 goroutines share one client, each adding a
// port and deleting it again on one bridge. The deletes verify only their
// own port and its place on the bridge, so adds and deletes do not
// conflict: reports operations/s and re-runs per operation.
func BenchmarkConcurrentChurn(b *testing.B) {
	const goroutines = 32
	s, ctx := setup(b)
	before := s.Client.Stats().Retries
	b.ResetTimer()
	took := concurrently(b, goroutines, func(i int) error {
		name := fmt.Sprintf("c%d", i)
		for _, cmd := range []ovsdb.Command{port.Add("br0", name, port.WithIface(iface.Type(iface.Internal))), port.Delete(name)} {
			if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), cmd); err != nil {
				return err
			}
		}
		return nil
	})
	b.ReportMetric(float64(2*b.N)/took.Seconds(), "ops/s")
	b.ReportMetric(float64(s.Client.Stats().Retries-before)/float64(2*b.N), "retries/op")
}
