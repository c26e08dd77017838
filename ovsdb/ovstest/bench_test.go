package ovstest_test

import (
	"testing"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// BenchmarkNewServer: what a test pays for its server, on each backend
// (start, init, connected client, then stop and clean up).
func BenchmarkNewServer(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []ovstest.Option
	}{
		{"backend=process", []ovstest.Option{ovstest.WithBackend(ovstest.ProcessBackend)}},
		{"backend=container", []ovstest.Option{ovstest.WithBackend(ovstest.ContainerBackend)}},
		{"backend=process/vswitchd", []ovstest.Option{ovstest.WithBackend(ovstest.ProcessBackend), ovstest.WithVSwitchd()}},
		{"backend=container/vswitchd", []ovstest.Option{ovstest.WithBackend(ovstest.ContainerBackend), ovstest.WithVSwitchd()}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				s := ovstest.NewServer(b, tc.opts...)
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
