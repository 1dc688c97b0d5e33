# Gateway checks against reject routes. IPv4 (fib_check_nh_v4_gw): the lookup runs at
# scope link, so a blackhole (scope universe) never answers it: with a shorter route on a
# device the gateway resolves there, with none it is "Nexthop has invalid gateway". IPv6
# (ip6_route_check_nh): the route's own table, then main; a reject route (or one that needs
# a gateway itself) as the answer is EHOSTUNREACH, "No route to host", unless `dev` binds the
# lookup to a device (RT6_LOOKUP_F_IFACE) and lo's reject routes drop out of it.
ip link set lo up
ip link add a1 type veth peer name b1
ip link set b1 up
ip link set a1 up
ip addr add 10.1.0.1/24 dev a1
ip -6 addr add 2001:db8:1::1/64 dev a1 nodad
ip route add blackhole 10.9.0.0/16
ip route add unreachable 10.8.0.0/16
ip -6 route add blackhole 2001:db8:9::/48
ip -6 route add unreachable 2001:db8:8::/48
ip -6 route add prohibit 2001:db8:7::/48
ip -6 route add blackhole 2001:db8:6::/48 table 100
ip -6 route add 2001:db8:20::/48 via 2001:db8:1::99
# No shorter route yet: every one of these is refused.
ip route add 10.40.0.0/16 via 10.9.0.1 2>/dev/null || true
ip -6 route add 2001:db8:40::/48 via 2001:db8:9::1 2>/dev/null || true
ip -6 route add 2001:db8:41::/48 via 2001:db8:9::1 dev a1 2>/dev/null || true
ip -6 route add 2001:db8:42::/48 via 2001:db8:6::1 table 100 2>/dev/null || true
ip route add default dev a1
ip -6 route add default dev a1
# IPv4 past the blackhole; IPv6 only with `dev`, or past table 100's blackhole to main.
ip route add 10.50.0.0/16 via 10.9.0.1
ip route add 10.51.0.0/16 via 10.8.0.1 dev a1
ip -6 route add 2001:db8:50::/48 via 2001:db8:9::1 2>/dev/null || true
ip -6 route add 2001:db8:51::/48 via 2001:db8:8::1 2>/dev/null || true
ip -6 route add 2001:db8:52::/48 via 2001:db8:9::1 dev a1
ip -6 route add 2001:db8:53::/48 via 2001:db8:7::1 dev a1
ip -6 route add 2001:db8:55::/48 via 2001:db8:6::1 table 100
# a gateway whose route needs a gateway itself
ip -6 route add 2001:db8:56::/48 via 2001:db8:20::1 2>/dev/null || true
