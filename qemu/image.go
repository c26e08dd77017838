package qemu

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/elf"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ovskit/ovskit/internal/rootdir"
)

// DefaultCacheDir keeps built images: root's own, mode 0700.
const DefaultCacheDir = "/var/cache/ovskit/qemu"

// imageFormat changes whenever the way images are built changes, so that
// the cache never serves an image of an older builder.
const imageFormat = "ovskit-guest-1"

//go:embed init.sh
var initScript []byte

//go:embed udhcpc.sh
var udhcpcScript []byte

// guestModules are the modules the guest loads, with their dependencies,
// before its NIC appears: Debian's cloud kernel builds virtio as modules.
var guestModules = []string{"virtio_pci", "virtio_net"}

// ErrImageInput: an input of the guest image is missing or unusable (no
// kernel, a busybox that is not statically linked, a module that is not
// there). Debian's packages linux-image-cloud-amd64 and busybox-static
// provide them.
var ErrImageInput = errors.New("guest image input")

// ImageConfig says what a guest image is built from. The zero value uses
// the machine's Debian packages.
type ImageConfig struct {
	// CacheDir keeps built images, one directory per content key
	// (DefaultCacheDir if empty). It is created with mode 0700 if missing
	// and refused if another user could have changed it.
	CacheDir string
	// Kernel is the kernel image (default: the newest
	// /boot/vmlinuz-*-cloud-amd64).
	Kernel string
	// Modules is the kernel's module tree (default:
	// /lib/modules/RELEASE, RELEASE read from the kernel's file name).
	Modules string
	// Busybox is a statically linked busybox (default: the busybox on
	// PATH).
	Busybox string
}

// Image is a bootable guest: a kernel and an initramfs holding busybox,
// the modules the NIC needs and the guest's init.
type Image struct {
	// Kernel and Initrd are the files qemu boots (-kernel, -initrd).
	Kernel, Initrd string
	// Key is the content key: a digest of every input.
	Key string
	// Modules are the modules the initramfs loads, in load order.
	Modules []string
	// Built reports whether this call built the image (false: it came
	// from the cache).
	Built bool
}

// BuildImage returns the guest image for cfg's inputs: from the cache when
// an image of the same inputs was built before, otherwise built from them
// (nothing is downloaded) and cached. Images of other inputs are removed
// from the cache.
func BuildImage(ctx context.Context, cfg ImageConfig) (*Image, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	mods, err := moduleOrder(cfg.Modules, guestModules)
	if err != nil {
		return nil, err
	}
	if err := checkStatic(cfg.Busybox); err != nil {
		return nil, err
	}
	// The key covers every byte the image is made of.
	inputs := []string{cfg.Kernel, cfg.Busybox}
	for _, m := range mods {
		inputs = append(inputs, filepath.Join(cfg.Modules, m))
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", imageFormat)
	h.Write(initScript)
	h.Write(udhcpcScript)
	contents := map[string][]byte{}
	for _, p := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrImageInput, err)
		}
		contents[p] = b
		fmt.Fprintf(h, "\x00%s\x00%d\x00", filepath.Base(p), len(b))
		h.Write(b)
	}
	key := hex.EncodeToString(h.Sum(nil))[:24]
	if err := makeCacheDir(cfg.CacheDir); err != nil {
		return nil, err
	}
	dir := filepath.Join(cfg.CacheDir, key)
	img := &Image{Kernel: filepath.Join(dir, "vmlinuz"), Initrd: filepath.Join(dir, "initrd.img"), Key: key, Modules: mods}
	if rootdir.Check(dir) == nil {
		if _, err := os.Stat(img.Initrd); err == nil {
			return img, nil
		}
	}
	initrd, err := buildInitrd(contents[cfg.Busybox], cfg.Modules, mods, contents)
	if err != nil {
		return nil, err
	}
	// Build beside the cache entry, then rename it into place: a reader
	// never sees half an image.
	tmp, err := os.MkdirTemp(cfg.CacheDir, ".build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "vmlinuz"), contents[cfg.Kernel], 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "initrd.img"), initrd, 0o600); err != nil {
		return nil, err
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	img.Built = true
	pruneCache(cfg.CacheDir, key)
	return img, nil
}

func (cfg *ImageConfig) defaults() error {
	if cfg.CacheDir == "" {
		cfg.CacheDir = DefaultCacheDir
	}
	if cfg.Kernel == "" {
		ks, _ := filepath.Glob("/boot/vmlinuz-*-cloud-amd64")
		if len(ks) == 0 {
			return fmt.Errorf("%w: no /boot/vmlinuz-*-cloud-amd64 (install linux-image-cloud-amd64)", ErrImageInput)
		}
		sortVersions(ks)
		cfg.Kernel = ks[len(ks)-1]
	}
	if cfg.Modules == "" {
		release := strings.TrimPrefix(filepath.Base(cfg.Kernel), "vmlinuz-")
		cfg.Modules = filepath.Join("/lib/modules", release)
	}
	if cfg.Busybox == "" {
		cfg.Busybox = "/bin/busybox"
	}
	return nil
}

// sortVersions sorts kernel file names by their version numbers.
func sortVersions(names []string) {
	sort.SliceStable(names, func(i, j int) bool { return versionLess(names[i], names[j]) })
}

// versionLess compares strings with runs of digits compared as numbers.
func versionLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// moduleOrder resolves the modules and their dependencies from
// modules.dep and returns their paths (relative to dir) in load order:
// each after everything it depends on.
func moduleOrder(dir string, want []string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "modules.dep"))
	if err != nil {
		return nil, fmt.Errorf("%w: %w (install the kernel's package)", ErrImageInput, err)
	}
	deps := map[string][]string{}
	byName := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		mod, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		deps[mod] = strings.Fields(rest)
		name := strings.TrimSuffix(filepath.Base(mod), ".ko")
		byName[strings.ReplaceAll(name, "-", "_")] = mod
	}
	var order []string
	state := map[string]int{} // 1: visiting, 2: done
	var visit func(m string) error
	visit = func(m string) error {
		switch state[m] {
		case 1:
			return fmt.Errorf("%w: modules.dep has a cycle through %s", ErrImageInput, m)
		case 2:
			return nil
		}
		state[m] = 1
		for _, d := range deps[m] {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[m] = 2
		order = append(order, m)
		return nil
	}
	for _, w := range want {
		m, ok := byName[w]
		if !ok {
			return nil, fmt.Errorf("%w: module %s is not in %s (is it built in, or compressed?)", ErrImageInput, w, dir)
		}
		if !strings.HasSuffix(m, ".ko") {
			return nil, fmt.Errorf("%w: module %s is compressed (%s); busybox insmod needs .ko", ErrImageInput, w, m)
		}
		if err := visit(m); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// checkStatic refuses a busybox that needs a dynamic loader: the guest
// has no libraries.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%w: busybox %s: %w", ErrImageInput, path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%w: %s is dynamically linked (install busybox-static)", ErrImageInput, path)
		}
	}
	return nil
}

// buildInitrd makes the gzipped newc archive.
func buildInitrd(busybox []byte, modDir string, mods []string, contents map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	w := newCPIOWriter(zw)
	for _, d := range []string{"bin", "etc", "etc/ovskit", "lib", "lib/modules", "usr", "usr/share", "usr/share/udhcpc"} {
		w.Dir(d, 0o755)
	}
	w.File("bin/busybox", 0o755, busybox)
	w.Symlink("bin/sh", "busybox")
	w.File("init", 0o755, initScript)
	w.File("usr/share/udhcpc/default.script", 0o755, udhcpcScript)
	var names []string
	made := map[string]bool{}
	for _, m := range mods {
		for d := filepath.Dir(m); d != "."; d = filepath.Dir(d) {
			if made[d] {
				break
			}
			made[d] = true
		}
	}
	dirs := make([]string, 0, len(made))
	for d := range made {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs) // parents before children
	for _, d := range dirs {
		w.Dir("lib/modules/"+d, 0o755)
	}
	for _, m := range mods {
		w.File("lib/modules/"+m, 0o644, contents[filepath.Join(modDir, m)])
		names = append(names, m)
	}
	w.File("etc/ovskit/modules", 0o644, []byte(strings.Join(names, "\n")+"\n"))
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// makeCacheDir creates the cache directory and its parent, each mode 0700,
// and refuses ones another user could have changed.
func makeCacheDir(dir string) error {
	if _, err := rootdir.Make(filepath.Dir(dir)); err != nil {
		return err
	}
	_, err := rootdir.Make(dir)
	return err
}

// pruneCache removes the images of other inputs.
func pruneCache(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() != keep && !strings.HasPrefix(e.Name(), ".build-") && e.IsDir() {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
