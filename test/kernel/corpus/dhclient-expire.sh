# Test bed: the interface dhclient configured, and the variables dhclient hands to
# dhclient-script: a lease that expires after it was bound (BOUND, then EXPIRE).
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
export reason=BOUND interface=eth0 new_ip_address=198.51.100.20
export new_subnet_mask=255.255.255.0 new_routers=198.51.100.1
# The installed script, unchanged, in a subshell (it ends with exit).
( . /sbin/dhclient-script )
export reason=EXPIRE old_ip_address=198.51.100.20 old_subnet_mask=255.255.255.0
export old_routers=198.51.100.1
. /sbin/dhclient-script
