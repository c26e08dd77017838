package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"runtime"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Veth describes a veth pair: Name in the namespace the method is called
// on, Peer in PeerNS (the same namespace if nil).
type Veth struct {
	Name, Peer   string
	PeerNS       *NS
	MAC, PeerMAC string // optional, "52:54:00:00:00:01"
	MTU          int    // optional
	// ForOVS turns TX checksum offload off on both ends: with OVS's
	// userspace datapath a veth that leaves checksums to the NIC sends UDP
	// (DHCP) with bad checksums, which is silently dropped.
	ForOVS bool
}

// SafeName reports whether name is 1 to 15 of the characters A-Z a-z 0-9
// _ -: usable alike as a namespace name, a link name (at most IFNAMSIZ-1
// bytes) and a path component, and as the prefix of such names.
func SafeName(name string) bool {
	if name == "" || len(name) > 15 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func checkLinkName(name string) error {
	if name == "" || len(name) > 15 {
		return fmt.Errorf("link name %q: want 1 to 15 bytes: %w", name, fs.ErrInvalid)
	}
	return nil
}

// AddVeth creates a veth pair with each end directly in its namespace
// under its name, and sets both ends up.
// Equivalent to: ip link add NAME type veth peer name PEER netns PEERNS; ip link set NAME up
func (ns *NS) AddVeth(v Veth) error {
	if err := checkLinkName(v.Name); err != nil {
		return err
	}
	if err := checkLinkName(v.Peer); err != nil {
		return err
	}
	peerNS := v.PeerNS
	if peerNS == nil {
		peerNS = ns
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = v.Name
	if v.MTU > 0 {
		attrs.MTU = v.MTU
	}
	if v.MAC != "" {
		hw, err := net.ParseMAC(v.MAC)
		if err != nil {
			return fmt.Errorf("veth %s: mac %q: %w", v.Name, v.MAC, fs.ErrInvalid)
		}
		attrs.HardwareAddr = hw
	}
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: v.Peer, PeerNamespace: netlink.NsFd(peerNS.handle)}
	if v.PeerMAC != "" {
		hw, err := net.ParseMAC(v.PeerMAC)
		if err != nil {
			return fmt.Errorf("veth %s: peer mac %q: %w", v.Name, v.PeerMAC, fs.ErrInvalid)
		}
		veth.PeerHardwareAddr = hw
	}
	if err := ns.nl.LinkAdd(veth); err != nil {
		return wrap(fmt.Sprintf("add veth %s/%s in %s", v.Name, v.Peer, ns.Name), err)
	}
	if v.MTU > 0 {
		if err := peerNS.SetMTU(v.Peer, v.MTU); err != nil {
			return err
		}
	}
	if v.ForOVS {
		if err := ns.SetTxChecksum(v.Name, false); err != nil {
			return err
		}
		if err := peerNS.SetTxChecksum(v.Peer, false); err != nil {
			return err
		}
	}
	if err := ns.LinkUp(v.Name); err != nil {
		return err
	}
	return peerNS.LinkUp(v.Peer)
}

// AddTap creates a persistent tap device (for qemu and the like).
// Equivalent to: ip tuntap add NAME mode tap
func (ns *NS) AddTap(name string) error {
	if err := checkLinkName(name); err != nil {
		return err
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = name
	tap := &netlink.Tuntap{LinkAttrs: attrs, Mode: netlink.TUNTAP_MODE_TAP, Flags: netlink.TUNTAP_NO_PI | netlink.TUNTAP_ONE_QUEUE | netlink.TUNTAP_VNET_HDR}
	tap.NonPersist = false
	// The tap is created by an ioctl on /dev/net/tun, in the namespace of
	// the calling thread.
	err := ns.Do(func() error { return netlink.LinkAdd(tap) })
	for _, f := range tap.Fds {
		f.Close()
	}
	return wrap("add tap "+name+" in "+ns.Name, err)
}

// AddBridge creates a Linux bridge and sets it up.
// Equivalent to: ip link add NAME type bridge; ip link set NAME up
func (ns *NS) AddBridge(name string) error {
	if err := checkLinkName(name); err != nil {
		return err
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = name
	if err := ns.nl.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
		return wrap("add bridge "+name+" in "+ns.Name, err)
	}
	return ns.LinkUp(name)
}

// Enslave attaches a link to a Linux bridge.
// Equivalent to: ip link set LINK master BRIDGE
func (ns *NS) Enslave(link, bridge string) error {
	l, err := ns.link(link)
	if err != nil {
		return err
	}
	b, err := ns.link(bridge)
	if err != nil {
		return err
	}
	return wrap("enslave "+link+" to "+bridge, ns.nl.LinkSetMaster(l, b))
}

func (ns *NS) link(name string) (netlink.Link, error) {
	l, err := ns.nl.LinkByName(name)
	if err != nil {
		return nil, wrap(fmt.Sprintf("link %s in %s", name, ns.Name), err)
	}
	return l, nil
}

// LinkExists reports whether the namespace has a link called name.
func (ns *NS) LinkExists(name string) (bool, error) {
	_, err := ns.link(name)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Links returns the names of the namespace's links.
// Equivalent to: ip link show
func (ns *NS) Links() ([]string, error) {
	ls, err := ns.nl.LinkList()
	if err != nil {
		return nil, wrap("list links in "+ns.Name, err)
	}
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Attrs().Name
	}
	return out, nil
}

// DelLink deletes a link (a veth's peer goes with it).
// Equivalent to: ip link del NAME
func (ns *NS) DelLink(name string) error {
	l, err := ns.link(name)
	if err != nil {
		return err
	}
	return wrap("delete link "+name, ns.nl.LinkDel(l))
}

// LinkUp sets a link up.
// Equivalent to: ip link set NAME up
func (ns *NS) LinkUp(name string) error {
	l, err := ns.link(name)
	if err != nil {
		return err
	}
	return wrap("set "+name+" up", ns.nl.LinkSetUp(l))
}

// LinkDown sets a link down.
// Equivalent to: ip link set NAME down
func (ns *NS) LinkDown(name string) error {
	l, err := ns.link(name)
	if err != nil {
		return err
	}
	return wrap("set "+name+" down", ns.nl.LinkSetDown(l))
}

// SetMAC sets a link's Ethernet address.
// Equivalent to: ip link set NAME address MAC
func (ns *NS) SetMAC(name, mac string) error {
	hw, err := net.ParseMAC(mac)
	if err != nil {
		return fmt.Errorf("mac %q: %w", mac, fs.ErrInvalid)
	}
	l, err := ns.link(name)
	if err != nil {
		return err
	}
	return wrap("set mac of "+name, ns.nl.LinkSetHardwareAddr(l, hw))
}

// MAC returns a link's Ethernet address.
func (ns *NS) MAC(name string) (string, error) {
	l, err := ns.link(name)
	if err != nil {
		return "", err
	}
	return l.Attrs().HardwareAddr.String(), nil
}

// SetMTU sets a link's MTU.
// Equivalent to: ip link set NAME mtu N
func (ns *NS) SetMTU(name string, mtu int) error {
	l, err := ns.link(name)
	if err != nil {
		return err
	}
	return wrap("set mtu of "+name, ns.nl.LinkSetMTU(l, mtu))
}

// ethtool ioctl (linux/ethtool.h, linux/sockios.h).
const (
	siocEthtool    = 0x8946
	ethtoolGTxCsum = 0x16
	ethtoolSTxCsum = 0x17
)

type ethtoolValue struct{ cmd, data uint32 }

type ifreqData struct {
	name [unix.IFNAMSIZ]byte
	data unsafe.Pointer
	_    [16]byte
}

func (ns *NS) ethtool(name string, v *ethtoolValue) error {
	return ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		var ifr ifreqData
		copy(ifr.name[:], name)
		ifr.data = unsafe.Pointer(v)
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), siocEthtool, uintptr(unsafe.Pointer(&ifr)))
		runtime.KeepAlive(v)
		if errno != 0 {
			return errno
		}
		return nil
	})
}

// SetTxChecksum turns TX checksum offload on or off (the ethtool ioctl,
// not the ethtool program).
// Equivalent to: ethtool -K NAME tx off
func (ns *NS) SetTxChecksum(name string, on bool) error {
	v := ethtoolValue{cmd: ethtoolSTxCsum}
	if on {
		v.data = 1
	}
	return wrap("set tx checksum of "+name, ns.ethtool(name, &v))
}

// TxChecksum reports whether TX checksum offload is on.
// Equivalent to: ethtool -k NAME | grep tx-checksumming
func (ns *NS) TxChecksum(name string) (bool, error) {
	v := ethtoolValue{cmd: ethtoolGTxCsum}
	if err := ns.ethtool(name, &v); err != nil {
		return false, wrap("get tx checksum of "+name, err)
	}
	return v.data != 0, nil
}
