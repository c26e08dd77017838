package qemu

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ovskit/ovskit/internal/rootdir"
)

// fakeKernel makes a kernel file and a module tree with modules.dep as
// Debian's cloud kernel has it (virtio as modules).
func fakeKernel(t *testing.T) ImageConfig {
	t.Helper()
	dir := t.TempDir()
	kernel := filepath.Join(dir, "vmlinuz-6.1.0-99-cloud-amd64")
	if err := os.WriteFile(kernel, []byte("kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	mods := filepath.Join(dir, "modules")
	dep := `kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_pci_legacy_dev.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/net/core/failover.ko:
kernel/drivers/net/dummy.ko:
`
	for _, line := range strings.Split(dep, "\n") {
		m, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		p := filepath.Join(mods, m)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("module "+m), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(mods, "modules.dep"), []byte(dep), 0o644); err != nil {
		t.Fatal(err)
	}
	return ImageConfig{CacheDir: filepath.Join(dir, "cache", "qemu"), Kernel: kernel, Modules: mods, Busybox: staticBusybox(t)}
}

func staticBusybox(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox is not installed")
	}
	if checkStatic(p) != nil {
		t.Skip("busybox is not statically linked (busybox-static)")
	}
	return p
}

func TestModuleOrder(t *testing.T) {
	cfg := fakeKernel(t)
	got, err := moduleOrder(cfg.Modules, guestModules)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, m := range got {
		pos[strings.TrimSuffix(filepath.Base(m), ".ko")] = i
	}
	if len(got) != 8 {
		t.Errorf("modules %v, want the 8 of virtio_pci and virtio_net", got)
	}
	// Each after what it depends on.
	for _, before := range [][2]string{
		{"virtio_ring", "virtio"}, {"virtio", "virtio_pci"}, {"virtio_pci_legacy_dev", "virtio_pci"},
		{"virtio_pci_modern_dev", "virtio_pci"}, {"failover", "net_failover"}, {"net_failover", "virtio_net"},
	} {
		if pos[before[0]] >= pos[before[1]] {
			t.Errorf("%s loads at %d, after %s at %d", before[0], pos[before[0]], before[1], pos[before[1]])
		}
	}
	if _, ok := pos["dummy"]; ok {
		t.Error("a module nobody needs is loaded")
	}
	if _, err := moduleOrder(cfg.Modules, []string{"nosuch"}); !errors.Is(err, ErrImageInput) {
		t.Errorf("a missing module: %v, want ErrImageInput", err)
	}
}

// TestBuildImageCache: the same inputs come from the cache; a changed
// input builds a new image and the old one goes.
func TestBuildImageCache(t *testing.T) {
	cfg := fakeKernel(t)
	ctx := context.Background()
	first, err := BuildImage(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Built {
		t.Error("first build: Built = false")
	}
	again, err := BuildImage(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Built || again.Key != first.Key {
		t.Errorf("same inputs: Built=%v key %s, want from the cache with key %s", again.Built, again.Key, first.Key)
	}
	// A module's bytes change: a new key, and the old image is removed.
	if err := os.WriteFile(filepath.Join(cfg.Modules, "kernel/drivers/net/virtio_net.ko"), []byte("rebuilt"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := BuildImage(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !changed.Built || changed.Key == first.Key {
		t.Errorf("changed input: Built=%v key %s (old %s), want a new build", changed.Built, changed.Key, first.Key)
	}
	if _, err := os.Stat(filepath.Dir(first.Initrd)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old image is still cached: %v", err)
	}
	// The initramfs holds busybox, init, the udhcpc script and the modules
	// in load order.
	entries, modList := readInitrd(t, changed.Initrd)
	for _, want := range []string{"init", "bin/busybox", "bin/sh", "usr/share/udhcpc/default.script", "lib/modules/kernel/drivers/net/virtio_net.ko"} {
		if !slices.Contains(entries, want) {
			t.Errorf("initramfs lacks %s (has %v)", want, entries)
		}
	}
	if got := strings.Fields(modList); !slices.Equal(got, changed.Modules) {
		t.Errorf("etc/ovskit/modules = %v, want %v", got, changed.Modules)
	}
}

func readInitrd(t *testing.T, path string) (entries []string, modules string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("busybox", "cpio", "-i", "-d")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio: %v: %s", err, out)
	}
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			entries = append(entries, rel)
		}
		return nil
	})
	b, err := os.ReadFile(filepath.Join(dir, "etc/ovskit/modules"))
	if err != nil {
		t.Fatal(err)
	}
	return entries, string(b)
}

// TestBuildImageRefuses: bad inputs and an untrusted cache are errors
// before anything is written.
func TestBuildImageRefuses(t *testing.T) {
	ctx := context.Background()
	t.Run("dynamic busybox", func(t *testing.T) {
		cfg := fakeKernel(t)
		cfg.Busybox = "/bin/ls" // dynamically linked
		if _, err := BuildImage(ctx, cfg); !errors.Is(err, ErrImageInput) {
			t.Errorf("err = %v, want ErrImageInput", err)
		}
	})
	t.Run("no modules.dep", func(t *testing.T) {
		cfg := fakeKernel(t)
		cfg.Modules = t.TempDir()
		if _, err := BuildImage(ctx, cfg); !errors.Is(err, ErrImageInput) {
			t.Errorf("err = %v, want ErrImageInput", err)
		}
	})
	t.Run("cache open to others", func(t *testing.T) {
		cfg := fakeKernel(t)
		if err := os.MkdirAll(cfg.CacheDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(cfg.CacheDir, 0o777); err != nil {
			t.Fatal(err)
		}
		_, err := BuildImage(ctx, cfg)
		if !errors.Is(err, rootdir.ErrUntrusted) {
			t.Errorf("err = %v, want ErrUntrusted", err)
		}
		if entries, _ := os.ReadDir(cfg.CacheDir); len(entries) != 0 {
			t.Errorf("wrote into the untrusted cache: %v", entries)
		}
	})
}

func TestVersionLess(t *testing.T) {
	names := []string{"vmlinuz-6.10.0-1-cloud-amd64", "vmlinuz-6.1.0-56-cloud-amd64", "vmlinuz-6.1.0-9-cloud-amd64"}
	sortVersions(names)
	want := []string{"vmlinuz-6.1.0-9-cloud-amd64", "vmlinuz-6.1.0-56-cloud-amd64", "vmlinuz-6.10.0-1-cloud-amd64"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted %v, want %v", names, want)
	}
}
