#!/bin/sh
# udhcpc's script, as cirros has one: configure eth0 from the lease, and
# print the lease so that the host reads it from the guest's own output.
case "$1" in
deconfig)
	ip addr flush dev "$interface"
	;;
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	if [ -n "$router" ]; then
		ip route add default via "${router%% *}" dev "$interface"
	fi
	echo "lease ip=$ip mask=$mask router=${router%% *} serverid=$serverid lease=$lease dns=$(echo $dns | tr ' ' ',')"
	;;
esac
exit 0
