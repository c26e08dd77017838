// Package qemu runs real virtual machines as guests of simulated hosts:
// the tutorial's qemu command line, with the VM's NIC on a tap device that
// the VM's if-up script attaches to an Open vSwitch bridge, and a guest
// that runs the host's commands and answers with its own output.
//
// # The image
//
// BuildImage makes a bootable guest from the machine's Debian packages and
// nothing else: the cloud kernel (linux-image-cloud-amd64), an initramfs
// holding a static busybox (busybox-static), the kernel modules the virtio
// NIC needs (resolved from modules.dep, in load order) and the guest's
// init. Images are cached by content in a root-only directory
// (DefaultCacheDir): the key digests every input byte, so a new kernel,
// busybox or init builds a new image, and the old one is removed.
//
// # The VM
//
// Start runs qemu-system-x86_64 in a network namespace (its host's) with
// the tutorial's arguments (-name, -m 256, -smp 1, -net
// nic,model=virtio,macaddr=..., -net tap,ifname=...,script=if-up,
// downscript=if-down); TCG replaces KVM, which these machines cannot use,
// and the image's kernel and initramfs replace the cirros disk. qemu
// creates the tap and runs the if-up script with its name, which is how
// the VM joins the bridge; stopping the VM runs if-down.
//
// The guest's console (ttyS0) goes to a file. Its second serial port
// (ttyS1) is the command port: Exec sends a shell script, the guest runs
// it and answers with its exit status and output, so a check made with
// Exec (Ping, DHCP with udhcpc as cirros runs it, DefaultGateway) is the
// guest's own, never inferred from the host. A line damaged on the
// serial port is detected by the guest and sent again.
//
// Everything here needs root (taps, namespaces) and qemu; the VMs are this
// program's children, stopped by pid.
package qemu
