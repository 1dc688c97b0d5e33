# Gateways that are our own addresses and sources picked at the route's scope.
# - fib_check_nh_v4_gw resolves a gateway through any route of at least scope link, a local
#   one included: `via 127.0.0.1 dev lo` (a tproxy/clash idiom) and `via <own address>` are
#   accepted; the nexthop gets scope host, so lookups answer without `via`.
# - fib_info_update_nhc_saddr asks inet_select_addr at the route's scope: a `dev lo` route
#   (scope link) skips 127.0.0.1 (scope host) for a global address on lo; a gateway route
#   (scope universe) skips a link-scope address of its device.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a5 type veth peer name b5
for d in a1 b1 a5 b5; do ip link set $d up; done
ip addr add 10.0.0.1/30 dev a1
ip addr add 10.5.0.1/24 dev a5 scope link
ip addr add 192.0.2.1/32 dev lo
ip route append default via 127.0.0.1 dev lo table 100
ip route add default via 127.0.0.1 table 102
ip route add default via 10.9.9.9 dev lo onlink table 103
ip route add default via 10.0.0.1 table 107
ip route add 10.60.0.0/16 via 10.0.0.1
ip route add 10.61.0.0/16 via 10.0.0.1 scope link
ip route add 10.63.0.0/16 via 127.0.0.1
ip route add 10.6.0.0/16 via 10.5.0.2
ip route add 10.7.0.0/16 dev a5
ip route add 10.8.8.0/24 dev lo scope host
ip route add 198.51.100.0/24 dev lo
ip rule add pref 100 to 203.0.113.0/24 lookup 100
ip rule add pref 102 to 203.0.114.0/24 lookup 102
ip rule add pref 107 to 203.0.117.0/24 lookup 107
