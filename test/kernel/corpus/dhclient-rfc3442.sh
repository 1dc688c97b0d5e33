# Test bed: the interface dhclient configured, and the variables dhclient hands to
# dhclient-script when a lease is bound (address, mask, router, a classless static route).
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
export reason=BOUND interface=eth0 new_ip_address=192.168.50.23
export new_subnet_mask=255.255.255.0 new_broadcast_address=192.168.50.255
export new_network_number=192.168.50.0
export new_rfc3442_classless_static_routes="24 10 20 30 192 168 50 254 0 192 168 50 1"
# The installed script, unchanged.
. /sbin/dhclient-script
