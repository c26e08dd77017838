package qemu

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
)

// cpioWriter writes an archive in the "newc" format, the one the kernel
// unpacks as an initramfs. Every entry belongs to root; the archive is
// built from bytes in memory, so nothing of the build machine's file
// system (owners, times, inode numbers) leaks into it and the same inputs
// give the same bytes.
type cpioWriter struct {
	w    *bufio.Writer
	n    int64 // bytes written, for the 4-byte alignment
	ino  int
	err  error
	done bool
}

func newCPIOWriter(w io.Writer) *cpioWriter { return &cpioWriter{w: bufio.NewWriter(w)} }

// Dir adds a directory.
func (c *cpioWriter) Dir(name string, perm fs.FileMode) {
	c.entry(name, 0o040000|uint32(perm.Perm()), nil)
}

// File adds a regular file with its contents.
func (c *cpioWriter) File(name string, perm fs.FileMode, data []byte) {
	c.entry(name, 0o100000|uint32(perm.Perm()), data)
}

// Symlink adds a symbolic link to target.
func (c *cpioWriter) Symlink(name, target string) {
	c.entry(name, 0o120777, []byte(target))
}

// Close writes the trailer and flushes.
func (c *cpioWriter) Close() error {
	if !c.done {
		c.entry("TRAILER!!!", 0, nil)
		c.done = true
	}
	if c.err != nil {
		return c.err
	}
	return c.w.Flush()
}

func (c *cpioWriter) entry(name string, mode uint32, data []byte) {
	if c.err != nil {
		return
	}
	c.ino++
	nlink := 1
	if mode&0o170000 == 0o040000 {
		nlink = 2
	}
	// magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	// devminor, rdevmajor, rdevminor, namesize (with its NUL), check.
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	c.write([]byte(hdr))
	c.write([]byte(name))
	c.write([]byte{0})
	c.pad()
	c.write(data)
	c.pad()
}

func (c *cpioWriter) write(b []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.err = err
}

func (c *cpioWriter) pad() {
	if r := c.n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}
