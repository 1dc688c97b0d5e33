# The host before `wg-quick up`: an uplink with IPv4 and IPv6 default routes (no DAD, so
# link-local addresses have their local routes at once, as routelab answers after DAD).
sysctl -qw net.ipv6.conf.all.accept_dad=0
sysctl -qw net.ipv6.conf.default.accept_dad=0
ip link add v0 type veth peer name v1
ip link set v0 address 02:00:00:00:00:01
ip link set v1 address 02:00:00:00:00:02
# The far end has no IPv6: the order the kernel adds both ends' link-local routes in
# depends on its event timing.
sysctl -qw net.ipv6.conf.v1.disable_ipv6=1
ip link set v0 up
ip link set v1 up
ip addr add 192.168.1.2/24 dev v0
ip route add default via 192.168.1.1 dev v0
ip -6 addr add 2001:db8::2/64 dev v0 nodad
ip -6 route add default via 2001:db8::1 dev v0
