package qemu

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCPIO checks the archive against an independent reader (busybox
// cpio), entry by entry, contents and modes included.
func TestCPIO(t *testing.T) {
	if _, err := exec.LookPath("busybox"); err != nil {
		t.Skip("busybox is not installed")
	}
	var buf bytes.Buffer
	w := newCPIOWriter(&buf)
	w.Dir("bin", 0o755)
	w.File("bin/hello", 0o755, []byte("#!/bin/sh\necho hi\n"))
	w.File("odd", 0o600, []byte("x")) // lengths that need padding
	w.File("empty", 0o644, nil)
	w.Symlink("bin/sh", "busybox")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len()%4 != 0 {
		t.Errorf("archive length %d is not a multiple of 4", buf.Len())
	}
	dir := t.TempDir()
	cmd := exec.Command("busybox", "cpio", "-i", "-d")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("busybox cpio -i: %v: %s", err, out)
	}
	tests := []struct {
		name, data string
		mode       os.FileMode
	}{
		{"bin/hello", "#!/bin/sh\necho hi\n", 0o755},
		{"odd", "x", 0o600},
		{"empty", "", 0o644},
	}
	for _, tt := range tests {
		got, err := os.ReadFile(filepath.Join(dir, tt.name))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.data {
			t.Errorf("%s = %q, want %q", tt.name, got, tt.data)
		}
		fi, _ := os.Stat(filepath.Join(dir, tt.name))
		if fi.Mode().Perm() != tt.mode {
			t.Errorf("%s mode = %v, want %v", tt.name, fi.Mode().Perm(), tt.mode)
		}
	}
	if target, err := os.Readlink(filepath.Join(dir, "bin/sh")); err != nil || target != "busybox" {
		t.Errorf("bin/sh -> %q, %v; want busybox", target, err)
	}
	list := exec.Command("busybox", "cpio", "-t")
	list.Stdin = bytes.NewReader(buf.Bytes())
	out, err := list.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(string(out)), []string{"bin", "bin/hello", "odd", "empty", "bin/sh"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("entries %v, want %v", got, want)
	}
}
