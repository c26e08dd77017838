package ovstest_test

import (
	"context"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
)

// TestReadmeContainer is the README's example of testing one's own code
// against a real ovsdb-server in a container, as it is written there.
func TestReadmeContainer(t *testing.T) {
	s := ovstest.NewServer(t, ovstest.WithBackend(ovstest.ContainerBackend))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The code under test gets s.Endpoint (a unix socket) or s.Client.
	if _, err := s.Client.Transact(ctx, bridge.Add("br-int"), port.Add("br-int", "vm1-tap")); err != nil {
		t.Fatal(err)
	}
	err := s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		ports, err := port.List(tx, "br-int")
		if len(ports) != 1 || ports[0] != "vm1-tap" {
			t.Errorf("ports of br-int: %v", ports)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
