#!/bin/busybox sh
# /init of an ovskit guest: a busybox system that brings its NIC up, takes
# the address the host gave on the kernel command line, and runs commands
# that the host sends over its second serial port (ttyS1), answering each
# with its exit status and its output. The first serial port (ttyS0) is the
# console.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin /var/run
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
arg() { sed -n "s/.*\<ovskit\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
name=$(arg name)
[ -n "$name" ] && hostname "$name"
for m in $(cat /etc/ovskit/modules); do
	insmod "/lib/modules/$m" || echo "ovskit-guest: insmod $m failed"
done
ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 200 ]; do usleep 50000; i=$((i + 1)); done
ip link set eth0 up
addr=$(arg addr)
[ -n "$addr" ] && ip addr add "$addr" dev eth0
echo "ovskit-guest: $(hostname) up after $(cut -d' ' -f1 /proc/uptime) s"
# The command port stays open from here on: closing a serial port and
# opening it again resets the UART, which loses what was in its FIFO.
exec 3<>/dev/ttyS1
stty raw -echo <&3
echo "ovskit-ready $(cut -d' ' -f1 /proc/uptime)" >&3
# One command per line: "ID BASE64 ID", answered by "ovskit-result ID
# STATUS BASE64". A line that is not one (damaged on the way) is answered
# by "ovskit-garbled", and the host sends its command again: it did not
# run.
while true; do
	if ! read -r id cmd id2 <&3; then
		usleep 100000
		continue
	fi
	case "$id" in
	'' | *[!0-9]*)
		echo "ovskit-garbled" >&3
		continue
		;;
	esac
	if [ "$id" != "$id2" ]; then
		echo "ovskit-garbled" >&3
		continue
	fi
	script=$(echo "$cmd" | base64 -d 2>/dev/null) || {
		echo "ovskit-garbled" >&3
		continue
	}
	out=$(echo "$script" | sh 2>&1)
	rc=$?
	echo "ovskit-result $id $rc $(printf '%s' "$out" | base64 | tr -d '\n')" >&3
done
