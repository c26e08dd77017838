package ovstest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/client"
)

// imageRepo names the images built from the local install; the tag is a
// digest of their contents.
const imageRepo = "ovskit-ovs"

// imageDaemons are the programs the image carries.
var imageDaemons = []string{"ovsdb-server", "ovsdb-tool", "ovs-vswitchd", "ovs-appctl"}

// libDirs are searched, in order, for the shared libraries the programs
// need (Debian's multiarch layout first).
var libDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}

// ErrImage: the local install cannot make an image (a program or library
// is missing, busybox is not static).
var ErrImage = errors.New("ovstest: cannot build the container image")

// rootfs is an image's files: path in the image to contents, and
// symbolic links.
type rootfs struct {
	files    map[string][]byte
	modes    map[string]int64
	symlinks map[string]string
}

// localRootfs assembles the image from this machine's Open vSwitch: the
// daemons, every shared library they load (from their ELF headers,
// recursively) and their loader, the schemas, and a static busybox as
// /bin/sh. Nothing is downloaded.
func localRootfs() (*rootfs, error) {
	fs := &rootfs{files: map[string][]byte{}, modes: map[string]int64{}, symlinks: map[string]string{}}
	add := func(dst, src string, mode int64) error {
		b, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrImage, err)
		}
		fs.files[dst] = b
		fs.modes[dst] = mode
		return nil
	}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		return nil, fmt.Errorf("%w: busybox: %w", ErrImage, err)
	}
	if f, err := elf.Open(bb); err != nil {
		return nil, fmt.Errorf("%w: busybox: %w", ErrImage, err)
	} else {
		dynamic := slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP })
		f.Close()
		if dynamic {
			return nil, fmt.Errorf("%w: %s is dynamically linked (install busybox-static)", ErrImage, bb)
		}
	}
	if err := add("bin/busybox", bb, 0o755); err != nil {
		return nil, err
	}
	for _, name := range []string{"sh", "mkdir", "cat", "ls", "ps", "sleep"} {
		fs.symlinks["bin/"+name] = "busybox"
	}
	seen := map[string]bool{}
	var libs func(path string) error
	libs = func(path string) error {
		f, err := elf.Open(path)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrImage, path, err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type != elf.PT_INTERP {
				continue
			}
			b, err := io.ReadAll(p.Open())
			if err != nil {
				return fmt.Errorf("%w: %s: %w", ErrImage, path, err)
			}
			interp := strings.TrimRight(string(b), "\x00")
			if !seen[interp] {
				seen[interp] = true
				if err := add(strings.TrimPrefix(interp, "/"), interp, 0o755); err != nil {
					return err
				}
			}
		}
		needed, err := f.ImportedLibraries()
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrImage, path, err)
		}
		for _, lib := range needed {
			if seen[lib] {
				continue
			}
			seen[lib] = true
			found := ""
			for _, d := range libDirs {
				if _, err := os.Stat(filepath.Join(d, lib)); err == nil {
					found = filepath.Join(d, lib)
					break
				}
			}
			if found == "" {
				return fmt.Errorf("%w: %s needs %s, which is in none of %v", ErrImage, path, lib, libDirs)
			}
			if err := add(strings.TrimPrefix(found, "/"), found, 0o755); err != nil {
				return err
			}
			if err := libs(found); err != nil {
				return err
			}
		}
		return nil
	}
	for _, name := range imageDaemons {
		p, err := exec.LookPath(name)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w (install openvswitch-switch)", ErrImage, name, err)
		}
		if err := add("usr/sbin/"+name, p, 0o755); err != nil {
			return nil, err
		}
		if err := libs(p); err != nil {
			return nil, err
		}
	}
	schemas, _ := filepath.Glob("/usr/share/openvswitch/*.ovsschema")
	if len(schemas) == 0 {
		return nil, fmt.Errorf("%w: no schema in /usr/share/openvswitch", ErrImage)
	}
	for _, p := range schemas {
		if err := add(strings.TrimPrefix(p, "/"), p, 0o644); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

// digest is a key of every path and byte of the image.
func (fs *rootfs) digest() string {
	h := sha256.New()
	for _, p := range slices.Sorted(maps.Keys(fs.files)) {
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00", p, fs.modes[p], len(fs.files[p]))
		h.Write(fs.files[p])
	}
	for _, p := range slices.Sorted(maps.Keys(fs.symlinks)) {
		fmt.Fprintf(h, "%s\x00->%s\x00", p, fs.symlinks[p])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// tar writes the image as a tar stream: root-owned entries, a fixed time,
// parent directories first.
func (fs *rootfs) tar() ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	dirs := map[string]bool{}
	for _, d := range []string{"tmp", "run/ovs", "run/ovs-pid", "var/run", "var/log/openvswitch", "etc/openvswitch", "dev", "proc", "sys"} {
		dirs[d] = true
	}
	for p := range fs.files {
		dirs[filepath.Dir(p)] = true
	}
	for p := range fs.symlinks {
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		for x := filepath.Dir(d); x != "."; x = filepath.Dir(x) {
			dirs[x] = true
		}
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		mode := int64(0o755)
		if d == "tmp" {
			mode = 0o1777
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: mode, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	for _, p := range slices.Sorted(maps.Keys(fs.files)) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p, Mode: fs.modes[p], Size: int64(len(fs.files[p])), ModTime: epoch}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(fs.files[p]); err != nil {
			return nil, err
		}
	}
	for _, p := range slices.Sorted(maps.Keys(fs.symlinks)) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: p, Linkname: fs.symlinks[p], Mode: 0o777, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// localImage returns the reference of the image built from this machine's
// Open vSwitch install (localRootfs), importing it into the daemon first
// if the daemon does not have it: an image is built once per content,
// and a new install (other binaries) makes a new one.
func localImage(ctx context.Context, cli *client.Client) (string, error) {
	fs, err := localRootfs()
	if err != nil {
		return "", err
	}
	ref := imageRepo + ":" + fs.digest()
	if _, err := cli.ImageInspect(ctx, ref); err == nil {
		return ref, nil
	}
	data, err := fs.tar()
	if err != nil {
		return "", err
	}
	res, err := cli.ImageImport(ctx, client.ImageImportSource{Source: bytes.NewReader(data), SourceName: "-"}, ref, client.ImageImportOptions{})
	if err != nil {
		return "", fmt.Errorf("%w: import %s: %w", ErrImage, ref, err)
	}
	defer res.Close()
	if _, err := io.Copy(io.Discard, res); err != nil {
		return "", fmt.Errorf("%w: import %s: %w", ErrImage, ref, err)
	}
	if _, err := cli.ImageInspect(ctx, ref); err != nil {
		return "", fmt.Errorf("%w: %s was imported but is not there: %w", ErrImage, ref, err)
	}
	return ref, nil
}
