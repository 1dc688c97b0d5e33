# IPv6 ignores the RPDB until a rule has been *added* in the namespace: deleting the default
# rules (local at 0, main at 32766) changes nothing. IPv4's default table rule removed too.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
ip -6 route add default via 2001:db8:1::1 dev eth0
ip -6 route add 2001:db8:77::/48 via 2001:db8:1::77 dev eth0 table 200
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1

ip -6 rule del pref 0
ip -6 rule del pref 32766
ip rule del pref 32767
