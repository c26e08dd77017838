package ovsdb_test

import (
	"bufio"
	"encoding/json"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// hugeReplyServer answers the first request on each connection with a
// result string of n bytes, written in chunks.
func hugeReplyServer(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "huge.sock")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				var req struct {
					ID json.RawMessage `json:"id"`
				}
				if err := json.NewDecoder(bufio.NewReader(nc)).Decode(&req); err != nil {
					return
				}
				_ = nc.SetWriteDeadline(time.Now().Add(30 * time.Second))
				if _, err := nc.Write([]byte(`{"id":` + string(req.ID) + `,"error":null,"result":"`)); err != nil {
					return
				}
				chunk := []byte(strings.Repeat("a", 1<<20))
				for sent := 0; sent < n; sent += len(chunk) {
					if _, err := nc.Write(chunk); err != nil {
						return
					}
				}
				_, _ = nc.Write([]byte("\"}\n"))
			}()
		}
	}()
	return "unix:" + path
}

// TestMessageSizeLimit: a reply larger than the limit fails with
// ErrMessageTooLarge, without the client allocating the whole reply.
// It does not run in parallel: the allocation count is the whole process's.
func TestMessageSizeLimit(t *testing.T) {
	tests := []struct {
		name  string
		opts  []ovsdb.Option
		reply int
	}{
		{"default limit", nil, 200 << 20},
		{"configured limit", []ovsdb.Option{ovsdb.WithMaxMessageSize(1 << 20)}, 8 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := hugeReplyServer(t, tt.reply)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ovsdb.Dial(testCtx(t, 30*time.Second), ep, append([]ovsdb.Option{ovsdb.WithDatabase(vswitchdb.Database())}, tt.opts...)...)
			runtime.ReadMemStats(&after)
			require.ErrorIs(t, err, ovsdb.ErrMessageTooLarge)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(tt.reply), "bytes allocated for a refused reply")
		})
	}
}
