# Once an IPv6 rule has been added (even if deleted again), the IPv6 RPDB is consulted:
# with the main rule deleted only the local table still answers.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
ip -6 route add default via 2001:db8:1::1 dev eth0
ip -6 route add 2001:db8:77::/48 via 2001:db8:1::77 dev eth0 table 200

ip -6 rule add pref 100 lookup 200
ip -6 rule del pref 100
ip -6 rule del pref 32766
ip -6 rule add pref 40000 to 2001:db8:77::/48 lookup 200
