# Received IPv6 packets (`route get DST from SRC iif DEV`): ip6_route_input_lookup passes the
# ingress device as ip6_pol_route's oif. Link-local, multicast and ::1 destinations are bound
# to it (rt6_need_strict: RT6_LOOKUP_F_IFACE); other lookups prefer its routes within a
# fib6 node (rt6_score_route), below the router preference. iif, from and fwmark rules,
# error routes, local and anycast delivery. Forwarding is on, but off on a3: the lookup does
# not read it (ip6_forward does, after it).
ip link set lo up
sysctl -w net.ipv6.conf.all.forwarding=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
for d in b1 c1 d1 a1 a2 a3; do ip link set $d up; done
sysctl -w net.ipv6.conf.a3.forwarding=0
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
ip -6 addr add fd03::1/64 dev a3 nodad
ip -6 addr add fd99::1/128 dev lo
ip -6 route add default via fd01::2 dev a1
ip -6 route add fd50::/48 via fd02::2 dev a2
ip -6 route add fd70::/48 via fe80::2 dev a3
# one prefix, one metric, two devices: the ingress device's route is preferred
ip -6 route add fd60::/48 dev a2
ip -6 route append fd60::/48 dev a3
# ... unless the other's router preference is higher
ip -6 route add fd61::/48 dev a2 pref high
ip -6 route append fd61::/48 dev a3 pref low
ip -6 route add blackhole fd66::/64
ip -6 route add unreachable fd66:1::/64
ip -6 route add prohibit fd66:2::/64
ip -6 route add throw fd66:3::/64

ip -6 route add default via fd02::2 dev a2 table 100
ip -6 route add fd60::/48 dev a3 table 100
ip -6 rule add pref 100 iif a1 from fd01:0:0:0:8000::/65 lookup 100
ip -6 rule add pref 110 iif a3 fwmark 0x1 lookup 100
ip -6 rule add pref 120 iif a2 to fd50::/48 prohibit
ip -6 rule add pref 130 iif a2 from fd02::66 blackhole
