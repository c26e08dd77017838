package ovsdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

func TestSmoke(t *testing.T) {
	s := ovstest.NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		root, err := ovsdb.List[ovsdb.OpenVSwitch](tx)
		if err != nil {
			return err
		}
		iface := &ovsdb.Interface{Name: "br0", Type: "internal"}
		if _, err := tx.Insert(iface); err != nil {
			return err
		}
		port := &ovsdb.Port{Name: "br0", Interfaces: []string{iface.UUID}}
		if _, err := tx.Insert(port); err != nil {
			return err
		}
		tag := 10
		port.Tag = &tag
		br := &ovsdb.Bridge{Name: "br0", Ports: []string{port.UUID}, DatapathType: "netdev"}
		if _, err := tx.Insert(br); err != nil {
			return err
		}
		return tx.Mutate(root[0], ovsdb.Insert("bridges", []string{br.UUID}))
	}))
	t.Logf("res=%v err=%v ops=%v", res, err, res.Operations)
	out, _ := s.Vsctl("show")
	t.Log(out)
	err = s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		b, err := ovsdb.Lookup[ovsdb.Bridge](tx, "name", "br0")
		t.Logf("%+v %v", b, err)
		p, err := ovsdb.Lookup[ovsdb.Port](tx, "name", "br0")
		t.Logf("%+v %v", p, err)
		return nil
	})
	_, err = s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[ovsdb.Port](tx, "name", "br0")
		if err != nil {
			return err
		}
		t11 := 11
		p.Tag = &t11
		return tx.Update(p, "tag")
	}))
	t.Log(err)
	s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[ovsdb.Port](tx, "name", "br0")
		t.Logf("tag now %v %v", *p.Tag, err)
		return nil
	})
}
