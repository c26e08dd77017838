package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// view is an informer's copy of a table: the rows it listed, with the
// events applied.
type view map[string]*vswitchdb.Port

func (v view) apply(ev ovsdb.Event[*vswitchdb.Port]) error {
	switch ev.Kind {
	case ovsdb.EventInsert:
		if _, ok := v[ev.New.UUID]; ok {
			return fmt.Errorf("insert of %s, which the view has", ev.New.Name)
		}
		v[ev.New.UUID] = ev.New
	case ovsdb.EventUpdate:
		if _, ok := v[ev.New.UUID]; !ok {
			return fmt.Errorf("update of %s, which the view lacks", ev.New.Name)
		}
		v[ev.New.UUID] = ev.New
	case ovsdb.EventDelete:
		if _, ok := v[ev.Old.UUID]; !ok {
			return fmt.Errorf("delete of %s, which the view lacks", ev.Old.Name)
		}
		delete(v, ev.Old.UUID)
	}
	return nil
}

func names(v view) map[string]string {
	out := map[string]string{}
	for u, p := range v {
		out[u] = p.Name + "/" + p.ExternalIDs["n"]
	}
	return out
}

// TestInformNoGap: informers started while another client writes, and
// one across a server restart, end with exactly the server's rows: no
// change missed, none twice.
func TestInformNoGap(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 60*time.Second)
	writer, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer writer.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 150 {
			cmds := []ovsdb.Command{ovsdb.NoWait(), addPort("br0", fmt.Sprint("q", i), "internal"), setCounter("p1", i)}
			if i%10 == 9 {
				cmds = append(cmds, delPort(fmt.Sprint("q", i-5)))
			}
			// A restart may lose an answer: the end state is checked
			// against the server's anyway.
			if _, err := writer.Transact(ctx, cmds...); err != nil && !errors.Is(err, ovsdb.ErrOutcomeUnknown) && !errors.Is(err, ovsdb.ErrNotFound) {
				t.Error(err)
				return
			}
		}
	}()
	type informer struct {
		v  view
		ch <-chan ovsdb.Event[*vswitchdb.Port]
	}
	var infs []informer
	for i := range 4 {
		rows, ch, err := ovsdb.Inform[vswitchdb.Port](ctx, s.Client, ovsdb.WithQueueLimit(8))
		require.NoError(t, err)
		v := view{}
		for _, r := range rows {
			v[r.UUID] = r
		}
		infs = append(infs, informer{v, ch})
		if i == 2 {
			require.NoError(t, s.RestartDB(ctx))
		}
		time.Sleep(20 * time.Millisecond)
	}
	wg.Wait()
	require.NoError(t, s.Client.Sync(ctx))
	var want map[string]string
	require.NoError(t, s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		ports, err := ovsdb.List[vswitchdb.Port](tx)
		v := view{}
		for _, p := range ports {
			v[p.UUID] = p
		}
		want = names(v)
		return err
	}))
	for i, inf := range infs {
		deadline := time.After(10 * time.Second)
		for !maps.Equal(names(inf.v), want) {
			select {
			case ev := <-inf.ch:
				require.NoError(t, inf.v.apply(ev), "informer %d", i)
			case <-deadline:
				t.Fatalf("informer %d: %d rows, want %d", i, len(inf.v), len(want))
			}
		}
	}
}

// TestWatchQueueBounded: a receiver that does not read while a row
// changes 300 times and 20 rows come and go finds a queue of at most one
// event per row, ending at each row's latest state.
func TestWatchQueueBounded(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, ch, err := ovsdb.Inform[vswitchdb.Port](ctx, s.Client, ovsdb.WithQueueLimit(4))
	require.NoError(t, err)
	v := view{}
	for _, r := range rows {
		v[r.UUID] = r
	}
	for i := range 300 {
		_, err := s.Client.Transact(ctx, setCounter("p1", i))
		require.NoError(t, err)
	}
	for i := range 20 {
		_, err := s.Client.Transact(ctx, addPort("br0", fmt.Sprint("t", i), "internal"))
		require.NoError(t, err)
		if i%2 == 0 {
			_, err := s.Client.Transact(ctx, delPort(fmt.Sprint("t", i)))
			require.NoError(t, err)
		}
	}
	got := 0
	for len(v) != 2+10 || v.find("p1").ExternalIDs["n"] != "299" {
		select {
		case ev := <-ch:
			got++
			require.NoError(t, v.apply(ev))
		case <-time.After(5 * time.Second):
			t.Fatalf("after %d events the view has %d rows, p1 at %q", got, len(v), v.find("p1").ExternalIDs["n"])
		}
	}
	assert.Less(t, got, 40, "events delivered for 340 changes (merged per row past the limit)")
}

func (v view) find(name string) *vswitchdb.Port {
	for _, p := range v {
		if p.Name == name {
			return p
		}
	}
	return &vswitchdb.Port{}
}
