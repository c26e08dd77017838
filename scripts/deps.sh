#!/usr/bin/env bash
# Installs what ovskit's tests and labs need, when it is missing. Idempotent;
# used by `make deps`, `make test`, `make labs` and .ci/run.
set -euo pipefail

need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1; }
have ovsdb-server  || need_pkgs+=(openvswitch-switch)
have ovs-vswitchd  || need_pkgs+=(openvswitch-switch)
have dnsmasq       || need_pkgs+=(dnsmasq-base)
have ip            || need_pkgs+=(iproute2)
have iptables      || need_pkgs+=(iptables)
have ethtool       || need_pkgs+=(ethtool)
# busybox-static (not busybox, with which it conflicts): its udhcpc serves
# the DHCP tests, and the static binary is the VM guests' whole userland.
dpkg -s busybox-static >/dev/null 2>&1 || need_pkgs+=(busybox-static)
have dhclient      || need_pkgs+=(isc-dhcp-client)
have tcpdump       || need_pkgs+=(tcpdump)
have dot           || need_pkgs+=(graphviz)
# The labs with real VMs: qemu (TCG), and the kernel they boot (Debian's
# cloud kernel: virtio as modules, which the guest image carries).
have qemu-system-x86_64 || need_pkgs+=(qemu-system-x86)
compgen -G '/boot/vmlinuz-*-cloud-amd64' >/dev/null || need_pkgs+=(linux-image-cloud-amd64)
# The container backend of ovsdb/ovstest: dockerd, started by the harness
# itself inside a network namespace of its own, never as a system service.
have dockerd || need_pkgs+=(docker.io)
# OVN 23.03: the NB/SB schemas, ovn-northd, ovn-nbctl (the differential's
# oracle) and ovn-controller. Their services are never started (policy-rc.d
# below); the harness runs private instances.
have ovn-northd     || need_pkgs+=(ovn-central)
have ovn-controller || need_pkgs+=(ovn-host)
# Open vSwitch's source, for its test suite's data: the OpenFlow tests
# replay tests/ovs-ofctl.at's flows against ovs-ofctl.
[ -e /usr/src/openvswitch/openvswitch.tar.gz ] || need_pkgs+=(openvswitch-source)
# make test-peers runs that suite itself (configured, not compiled: it runs
# the installed daemons); its snoop case starts ovs-testcontroller.
have gcc  || need_pkgs+=(gcc)
have make || need_pkgs+=(make)
have ovs-testcontroller || need_pkgs+=(openvswitch-testcontroller)
have python3 || need_pkgs+=(python3)
# OVN's ovn-nbctl.at (testdata/upstream) is generated with autom4te.
have autom4te || need_pkgs+=(autoconf)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing ${need_pkgs[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "deps: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # No package may start its service (docker.io's would make bridges and
  # firewall rules in the machine's own network namespace): invoke-rc.d
  # asks policy-rc.d, and 101 means "not allowed".
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need_pkgs[@]}" | sort -u) >/dev/null
fi

# Debian's package would start the system's OVS under systemd; these
# machines have no systemd, and ovskit never uses the system instance.
if ! have go; then
  if [ -x /usr/local/go/bin/go ]; then
    echo "deps: add /usr/local/go/bin to PATH" >&2
  else
    echo "deps: Go is missing (expected at /usr/local/go)" >&2
  fi
  exit 1
fi
# Go modules are pinned in go.mod/go.sum; fetch them once.
go mod download
echo "deps: ok"
