// Package hexdump prints bytes as Open vSwitch's tools dump them
// (ovs_hex_dump): 16 a line after the offset, a dash after the eighth,
// with or without the printable characters.
package hexdump

import (
	"fmt"
	"strings"
)

// Dump is p in lines of 16 bytes from offset 0, each line ending in a
// newline; with ascii, each line ends with the bytes as characters
// between bars (dots for the unprintable).
func Dump(p []byte, ascii bool) string {
	var b strings.Builder
	for ofs := 0; ofs < len(p); ofs += 16 {
		line := p[ofs:min(ofs+16, len(p))]
		fmt.Fprintf(&b, "%08x  ", ofs)
		var hex strings.Builder
		for i := range 16 {
			switch {
			case i < len(line) && i == 7:
				fmt.Fprintf(&hex, "%02x-", line[i])
			case i < len(line):
				fmt.Fprintf(&hex, "%02x ", line[i])
			case ascii:
				hex.WriteString("   ")
			}
		}
		if !ascii {
			b.WriteString(strings.TrimRight(hex.String(), " -"))
			b.WriteByte('\n')
			continue
		}
		b.WriteString(hex.String())
		b.WriteByte('|')
		for i := range 16 {
			switch {
			case i >= len(line):
				b.WriteByte(' ')
			case line[i] >= 32 && line[i] < 127:
				b.WriteByte(line[i])
			default:
				b.WriteByte('.')
			}
		}
		b.WriteString("|\n")
	}
	return b.String()
}
