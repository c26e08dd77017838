package openflow

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestMessageString: messages of several kinds and versions print as
// ovs-ofctl ofp-parse prints them: in full for hellos and echoes, by
// their first line (name, version, xid) for the rest.
func TestMessageString(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	frame := func(v Version, typ uint8, xid uint32, body []byte) []byte {
		b, err := appendFrame(nil, v, typ, xid, body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	full := [][]byte{
		{1, 2, 0, 8, 0, 0, 0, 0},
		{1, 3, 0, 8, 0, 0, 0, 0},
		{1, 0, 0, 11, 0, 0, 0, 1, 'A', 'B', 'C'},
		frame(OpenFlow15, typeHello, 7, []byte{0, 1, 0, 8, 0, 0, 0, 0x72}),
		frame(OpenFlow13, typeEchoRequest, 9, []byte("payload")),
		{4, 0, 0, 8, 0, 0, 0, 3},
	}
	first := [][]byte{
		frame(OpenFlow10, typeFeaturesRequest, 2, nil),
		frame(OpenFlow13, typeFeaturesRequest, 3, nil),
		frame(OpenFlow10, typeBarrierRequest, 4, nil),
		frame(OpenFlow14, typeBarrierReply, 5, nil),
		frame(OpenFlow10, typeMultipartRequest, 6, append([]byte{0xff, 0xff, 0, 0}, nxFlowStatsRequest(nil, nxstFlow)...)),
		frame(OpenFlow13, typeMultipartRequest, 6, append([]byte{0, 1, 0, 0, 0, 0, 0, 0}, flowStatsRequest(nil)...)),
		frame(OpenFlow10, typeExperimenter, 8, append(appendNXT(nil, nxtFlowModTableID), 1, 0, 0, 0, 0, 0, 0, 0)),
		frame(OpenFlow13, typeExperimenter, 8, append(appendNXT(nil, nxtCTFlushZone), 0, 0, 0, 0, 0, 0, 0, 5)),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, set := range [][][]byte{full, first} {
		file := filepath.Join(t.TempDir(), "msgs")
		if err := os.WriteFile(file, bytes.Join(set, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		want, err := exec.CommandContext(ctx, "ovs-ofctl", "ofp-parse", file).CombinedOutput()
		if err != nil {
			t.Fatalf("ovs-ofctl ofp-parse: %v: %s", err, want)
		}
		var got strings.Builder
		r := bytes.NewReader(bytes.Join(set, nil))
		for {
			m, err := ReadMessage(r)
			if err != nil {
				break
			}
			s := m.String()
			if i == 1 {
				s, _, _ = strings.Cut(s, "\n")
			}
			got.WriteString(s + "\n")
		}
		w := string(want)
		if i == 1 { // first lines only: the header of each message
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(w), "\n") {
				if strings.HasPrefix(l, "OFP") || strings.HasPrefix(l, "NX") {
					h, _, _ := strings.Cut(l, "):")
					lines = append(lines, h+"):")
				}
			}
			w = strings.Join(lines, "\n") + "\n"
			var g []string
			for _, l := range strings.Split(strings.TrimSpace(got.String()), "\n") {
				h, _, _ := strings.Cut(l, "):")
				g = append(g, h+"):")
			}
			got.Reset()
			got.WriteString(strings.Join(g, "\n") + "\n")
		}
		if got.String() != w {
			t.Errorf("ofp-parse prints\n%s\nwant\n%s", got.String(), w)
		}
	}
}
