package hexdump

import "testing"

func TestDump(t *testing.T) {
	p := []byte{0x00, 0x01, 0x00, 0x14, 0xff, 0xff, 0x17, 0x0c, 0x00, 0x00, 0x23, 0x20, 0x01, 0x02, 0x03, 0x04,
		0x0f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00}
	for _, tc := range []struct {
		ascii bool
		want  string
	}{
		{false, "00000000  00 01 00 14 ff ff 17 0c-00 00 23 20 01 02 03 04\n00000010  0f ff ff ff 00 00 00 00\n"},
		{true, "00000000  00 01 00 14 ff ff 17 0c-00 00 23 20 01 02 03 04 |..........# ....|\n" +
			"00000010  0f ff ff ff 00 00 00 00-                        |........        |\n"},
	} {
		if got := Dump(p, tc.ascii); got != tc.want {
			t.Errorf("ascii %v:\n%q\nwant\n%q", tc.ascii, got, tc.want)
		}
	}
	if Dump(nil, true) != "" {
		t.Error("nothing dumps as something")
	}
}
