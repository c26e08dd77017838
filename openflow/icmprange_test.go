package openflow_test

import (
	"errors"
	"testing"

	"github.com/ovskit/ovskit/openflow"
)

// TestICMPFieldRanges: ICMP type and code are one byte and take no mask.
// ParseFlow refuses what does not fit, with ovs-ofctl's words, instead of
// sending a value the switch would truncate (icmp_type=256 installed as
// icmp_type=0, matching echo replies).
func TestICMPFieldRanges(t *testing.T) {
	tests := []struct {
		flow, want string // want: the error's text, "" to accept
	}{
		{"icmp,icmp_type=256,actions=drop", "256: value too large for 1-byte field icmp_type"},
		{"icmp,icmp_code=257,actions=drop", "257: value too large for 1-byte field icmp_code"},
		{"icmp6,icmp_code=300,actions=drop", "300: value too large for 1-byte field icmp_code"},
		{"icmp6,icmpv6_type=0x100,actions=drop", "0x100: value too large for 1-byte field icmpv6_type"},
		{"icmp,icmp_type=255/0x1ff,actions=drop", "255/0x1ff: mask too large for 1-byte field icmp_type"},
		{"icmp,icmp_type=0x10/0xf0,actions=drop", "0x10/0xf0: invalid mask for field icmp_type"},
		{"icmp,icmp_type=8,icmp_code=0,actions=drop", ""},
		{"icmp,icmp_type=255,actions=drop", ""},
		{"icmp6,icmpv6_type=135,icmpv6_code=0,actions=drop", ""},
		{"icmp,icmp_type=8/0xff,actions=drop", ""},
	}
	for _, tt := range tests {
		t.Run(tt.flow, func(t *testing.T) {
			_, err := openflow.ParseFlow(tt.flow)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var se *openflow.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err %v, want a *SyntaxError %q", err, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("err %q, want %q", err, tt.want)
			}
		})
	}
}
