package ovstest

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"testing"
)

// TestRootfsDigest: the image's tag changes with any byte, path or mode of
// its files, and only then.
func TestRootfsDigest(t *testing.T) {
	base := func() *rootfs {
		return &rootfs{
			files:    map[string][]byte{"usr/sbin/ovsdb-server": []byte("elf"), "usr/share/openvswitch/vswitch.ovsschema": []byte("{}")},
			modes:    map[string]int64{"usr/sbin/ovsdb-server": 0o755, "usr/share/openvswitch/vswitch.ovsschema": 0o644},
			symlinks: map[string]string{"bin/sh": "busybox"},
		}
	}
	d := base().digest()
	if base().digest() != d {
		t.Fatal("the same files give another digest")
	}
	for name, edit := range map[string]func(*rootfs){
		"a byte":    func(fs *rootfs) { fs.files["usr/sbin/ovsdb-server"] = []byte("elF") },
		"a path":    func(fs *rootfs) { fs.files["usr/bin/x"] = nil; fs.modes["usr/bin/x"] = 0o755 },
		"a mode":    func(fs *rootfs) { fs.modes["usr/sbin/ovsdb-server"] = 0o700 },
		"a symlink": func(fs *rootfs) { fs.symlinks["bin/sh"] = "dash" },
	} {
		fs := base()
		edit(fs)
		if fs.digest() == d {
			t.Errorf("changing %s keeps the digest", name)
		}
	}
}

// TestRootfsTar: every directory comes before what it holds, entries are
// root's, and files, modes and links are as given.
func TestRootfsTar(t *testing.T) {
	fs := &rootfs{
		files:    map[string][]byte{"usr/sbin/ovsdb-server": []byte("elf")},
		modes:    map[string]int64{"usr/sbin/ovsdb-server": 0o755},
		symlinks: map[string]string{"bin/sh": "busybox"},
	}
	b, err := fs.tar()
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(b))
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s owned by %d:%d", h.Name, h.Uid, h.Gid)
		}
		name := h.Name
		if h.Typeflag == tar.TypeDir {
			name = name[:len(name)-1]
		}
		for p := parent(name); p != ""; p = parent(p) {
			if !seen[p] {
				t.Errorf("%s comes before its directory %s", name, p)
			}
		}
		seen[name] = true
		switch name {
		case "usr/sbin/ovsdb-server":
			data, _ := io.ReadAll(tr)
			if string(data) != "elf" || h.Mode != 0o755 {
				t.Errorf("%s: %q mode %o", name, data, h.Mode)
			}
		case "bin/sh":
			if h.Typeflag != tar.TypeSymlink || h.Linkname != "busybox" {
				t.Errorf("bin/sh: type %c -> %q", h.Typeflag, h.Linkname)
			}
		case "tmp":
			if h.Mode != 0o1777 {
				t.Errorf("tmp mode %o, want 1777", h.Mode)
			}
		}
	}
	for _, want := range []string{"usr/sbin/ovsdb-server", "bin/sh", "tmp", "run/ovs", "run/ovs-pid"} {
		if !seen[want] {
			t.Errorf("the image lacks %s", want)
		}
	}
}

func parent(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return ""
}

// TestLocalRootfs: the image of this machine's install has the daemons,
// their loader and libraries, the schema and a static shell.
func TestLocalRootfs(t *testing.T) {
	Require(t, NeedOVSDB, NeedVSwitchd)
	fs, err := localRootfs()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"usr/sbin/ovsdb-server", "usr/sbin/ovsdb-tool", "usr/sbin/ovs-vswitchd", "bin/busybox", "usr/share/openvswitch/vswitch.ovsschema"} {
		if _, ok := fs.files[want]; !ok {
			t.Errorf("the image lacks %s", want)
		}
	}
	var libs int
	for p := range fs.files {
		if len(p) > 4 && (p[:4] == "lib/" || p[:4] == "lib6" || p[:4] == "usr/" && bytes.Contains([]byte(p), []byte(".so"))) {
			libs++
		}
	}
	if libs < 3 {
		t.Errorf("%d libraries: want the loader, libc and OVS's own at least", libs)
	}
	t.Logf("image %s: %d files", fs.digest(), len(fs.files))
}
