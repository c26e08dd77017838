package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// TestFindBy: the rows whose column has a value (the logical flows of a
// datapath, the groups that include it, the flows of a pipeline or a
// table), with the column indexed (WithIndex) and without, alike: as the
// cache moves, with the transaction's own rows, verified at commit (a
// row another client adds meanwhile makes the transaction run again), and
// bad input refused.
func TestFindBy(t *testing.T) {
	srv := sbServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var a, b, g string
	res, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
		var err error
		if a, err = tx.Insert(&sbdb.DatapathBinding{TunnelKey: 1}); err != nil {
			return err
		}
		if b, err = tx.Insert(&sbdb.DatapathBinding{TunnelKey: 2}); err != nil {
			return err
		}
		if g, err = tx.Insert(&sbdb.LogicalDPGroup{Datapaths: []string{a, b}}); err != nil {
			return err
		}
		for i := range 30 {
			dp := a
			if i >= 20 {
				dp = b
			}
			pipeline := sbdb.LogicalFlowPipeline("ingress")
			if i%3 == 0 {
				pipeline = "egress"
			}
			if _, err := tx.Insert(&sbdb.LogicalFlow{LogicalDatapath: &dp, Pipeline: pipeline, TableID: i % 5,
				Match: fmt.Sprintf("reg%d == 1", i), Actions: "next;"}); err != nil {
				return err
			}
		}
		_, err = tx.Insert(&sbdb.LogicalFlow{LogicalDpGroup: &g, Pipeline: "ingress", Match: "1", Actions: "drop;"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b = res.UUID(a), res.UUID(b)
	indexed, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()),
		ovsdb.WithIndex("Logical_Flow", "logical_datapath"), ovsdb.WithIndex("Logical_DP_Group", "datapaths"),
		ovsdb.WithIndex("Logical_Flow", "pipeline"), ovsdb.WithIndex("Logical_Flow", "table_id"))
	if err != nil {
		t.Fatal(err)
	}
	defer indexed.Close()
	plain, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	counts := func(c *ovsdb.Client) (string, error) {
		var out string
		err := c.View(ctx, func(tx *ovsdb.Tx) error {
			ofA, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "logical_datapath", a)
			if err != nil {
				return err
			}
			ofB, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "logical_datapath", b)
			if err != nil {
				return err
			}
			none, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "logical_datapath", "00000000-0000-0000-0000-000000000000")
			if err != nil {
				return err
			}
			groups, err := ovsdb.FindBy[sbdb.LogicalDPGroup](tx, "datapaths", b)
			if err != nil {
				return err
			}
			egress, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "pipeline", "egress") // a string for the enum
			if err != nil {
				return err
			}
			table3, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "table_id", 3)
			if err != nil {
				return err
			}
			for _, f := range ofA {
				if *f.LogicalDatapath != a {
					return fmt.Errorf("flow %s of %s found for %s", f.UUID, *f.LogicalDatapath, a)
				}
			}
			out = fmt.Sprintf("a=%d b=%d none=%d groups=%d egress=%d table3=%d", len(ofA), len(ofB), len(none), len(groups), len(egress), len(table3))
			return nil
		})
		return out, err
	}
	want := "a=20 b=10 none=0 groups=1 egress=10 table3=6"
	for name, c := range map[string]*ovsdb.Client{"indexed": indexed, "plain": plain} {
		if got, err := counts(c); err != nil || got != want {
			t.Errorf("%s: %s, %v; want %s", name, got, err, want)
		}
	}

	// A flow moves from a to b: both see it (the index kept current).
	if _, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
		fl, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "logical_datapath", a)
		if err != nil {
			return err
		}
		fl[0].LogicalDatapath = &b
		return tx.Update(fl[0], "logical_datapath")
	}); err != nil {
		t.Fatal(err)
	}
	want = "a=19 b=11 none=0 groups=1 egress=10 table3=6"
	for name, c := range map[string]*ovsdb.Client{"indexed": indexed, "plain": plain} {
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := counts(c)
			if err == nil && got == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s after the move: %s, %v; want %s", name, got, err, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// The transaction's own rows; a row added by another client between
	// the read and the commit makes the transaction run again.
	runs := 0
	if _, err := indexed.Do(ctx, func(tx *ovsdb.Tx) error {
		runs++
		if _, err := tx.Insert(&sbdb.LogicalFlow{LogicalDatapath: &a, Pipeline: "ingress", Match: fmt.Sprint("mine", runs), Actions: "next;"}); err != nil {
			return err
		}
		fl, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "logical_datapath", a)
		if err != nil {
			return err
		}
		if len(fl) != 19+runs {
			return fmt.Errorf("run %d: %d flows of a, want %d", runs, len(fl), 19+runs)
		}
		if runs == 1 {
			_, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
				_, err := tx.Insert(&sbdb.LogicalFlow{LogicalDatapath: &a, Pipeline: "egress", Match: "theirs", Actions: "next;"})
				return err
			})
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("the transaction ran %d times, want 2 (the other client's flow seen at commit)", runs)
	}

	// Bad input.
	err = indexed.View(ctx, func(tx *ovsdb.Tx) error {
		for _, bad := range []func() error{
			func() error { _, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "table_id", "3"); return err },
			func() error { _, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "external_ids", "x"); return err },
			func() error { _, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "match", "a\x00b"); return err },
		} {
			if err := bad(); !errors.Is(err, ovsdb.ErrInvalid) {
				return fmt.Errorf("bad input: %v, want ErrInvalid", err)
			}
		}
		if _, err := ovsdb.FindBy[sbdb.LogicalFlow](tx, "nosuch", "x"); !errors.Is(err, ovsdb.ErrUnknownColumn) {
			return fmt.Errorf("unknown column: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	for _, opt := range []ovsdb.Option{ovsdb.WithIndex("Logical_Flow", "external_ids"), ovsdb.WithIndex("Logical_Flow", "nosuch")} {
		if c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()), opt); err == nil {
			c.Close()
			t.Error("a bad index was taken")
		}
	}
}
