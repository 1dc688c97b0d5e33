# Test bed: the interface as an earlier lease left it (address, a default route through the
# old router, a static route that must stay), and the variables udhcpc hands to its
# dispatcher script when the lease is renewed with a new router.
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
ip addr add 192.168.60.23/24 brd 192.168.60.255 dev eth0
ip route add default via 192.168.60.9 dev eth0
ip route add 10.0.0.0/8 via 192.168.60.9 dev eth0
export interface=eth0 ip=192.168.60.23 subnet=255.255.255.0 broadcast=192.168.60.255
export router=192.168.60.1 lease=3600
# The installed script, unchanged.
. /etc/udhcpc/default.script renew
