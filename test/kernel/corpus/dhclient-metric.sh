# Test bed: the interface dhclient configured, and the variables dhclient hands to
# dhclient-script: a lease with an interface metric (IF_METRIC) and an MTU.
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
export reason=BOUND interface=eth0 new_ip_address=10.1.2.3 new_subnet_mask=255.255.0.0
export new_broadcast_address=10.1.255.255 new_routers=10.1.0.1 IF_METRIC=600
export new_interface_mtu=1400
# The installed script, unchanged.
. /sbin/dhclient-script
