# Test bed: the interface busybox udhcpc configured, and the variables udhcpc hands to its
# dispatcher script when a lease is bound (address, mask, broadcast, router, name servers).
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
export interface=eth0 ip=192.168.60.23 subnet=255.255.255.0 broadcast=192.168.60.255
export router="192.168.60.1 192.168.60.2" dns=192.168.60.1 domain=lan lease=3600 mtu=1400
# The installed script, unchanged.
. /etc/udhcpc/default.script bound
