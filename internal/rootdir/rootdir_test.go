package rootdir

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestMakeAndCheck(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "state")
	created, err := Make(dir)
	if err != nil || !created {
		t.Fatalf("Make = %v, %v; want created", created, err)
	}
	if created, err := Make(dir); err != nil || created {
		t.Fatalf("Make again = %v, %v; want the existing directory accepted", created, err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, open} {
		if _, err := Make(p); !errors.Is(err, ErrUntrusted) {
			t.Errorf("Make(%s) = %v, want ErrUntrusted", p, err)
		}
	}
}

func TestOwnerAlive(t *testing.T) {
	tests := []struct {
		name  string
		owner func(dir string) error
		alive bool
	}{
		{"no record: being set up", func(string) error { return nil }, true},
		{"this process", WriteOwner, true},
		{"this pid, another start time", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, ownerFile), fmt.Appendf(nil, "%d 1\n", os.Getpid()), 0o600)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := tt.owner(dir); err != nil {
				t.Fatal(err)
			}
			alive, err := OwnerAlive(dir)
			if err != nil || alive != tt.alive {
				t.Errorf("OwnerAlive = %v, %v; want %v", alive, err, tt.alive)
			}
		})
	}
}

func TestZombie(t *testing.T) {
	if Zombie(os.Getpid()) {
		t.Fatal("this process reported as a zombie")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !Zombie(cmd.Process.Pid) {
		if time.Now().After(deadline) {
			t.Fatal("an exited, unreaped child never reported as a zombie")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Wait()
	if !Zombie(cmd.Process.Pid) {
		t.Error("a reaped child reported alive")
	}
}
