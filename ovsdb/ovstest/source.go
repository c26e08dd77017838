package ovstest

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

// SourceFile returns one file of the installed Open vSwitch's source
// (OVSSource, Debian's openvswitch-source), such as "tests/ovs-ofctl.at".
// The tarball must be root's and writable by no one else (the tests run
// as root); a test without it is skipped, or fails under CI.
func SourceFile(t testing.TB, name string) string {
	t.Helper()
	Require(t, NeedOVSSource)
	f, err := os.Open(OVSSource)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != 0 || fi.Mode().Perm()&0o022 != 0 {
		t.Fatalf("%s is not root's alone (%v): not read", OVSSource, fi.Mode())
	}
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s in %s: %v", name, OVSSource, err)
		}
		if strings.HasSuffix(h.Name, "/"+name) {
			b, err := io.ReadAll(io.LimitReader(tr, 8<<20))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}
