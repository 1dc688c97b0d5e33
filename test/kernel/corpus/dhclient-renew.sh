# Test bed: the interface dhclient configured, and the variables dhclient hands to
# dhclient-script: a lease bound, then renewed at a new address (REBOOT, then RENEW).
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
export reason=REBOOT interface=eth0 new_ip_address=192.0.2.10
export new_subnet_mask=255.255.255.0 new_routers=192.0.2.1
# The installed script, unchanged, in a subshell (it ends with exit).
( . /sbin/dhclient-script )
export reason=RENEW old_ip_address=192.0.2.10 new_ip_address=192.0.2.10
export new_routers=192.0.2.254 old_routers=192.0.2.1
. /sbin/dhclient-script
