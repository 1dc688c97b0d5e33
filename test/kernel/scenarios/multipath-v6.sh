# IPv6 ECMP: the hash policy is per family (net.ipv6.fib_multipath_hash_policy, here L4)
# while the seed sysctl lives under net.ipv4 and applies to both families. Also IPv6
# "append" of an equal-metric route with another gateway builds a multipath route.
ip link set lo up
sysctl -w net.ipv4.fib_multipath_hash_seed=4242
sysctl -w net.ipv4.fib_multipath_hash_policy=0
sysctl -w net.ipv6.fib_multipath_hash_policy=1
sysctl -w net.ipv6.conf.all.forwarding=1

ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
for d in b1 c1 d1 a1 a2 a3; do ip link set $d up; done
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
ip -6 addr add fd03::1/64 dev a3 nodad
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2

ip -6 route add default nexthop via fd01::2 dev a1 weight 1 nexthop via fd02::2 dev a2 weight 2
ip -6 route add 2001:db8:60::/48 via fd01::2 dev a1 metric 10
ip -6 route append 2001:db8:60::/48 via fd03::2 dev a3 metric 10
ip route add 10.60.0.0/16 nexthop via 10.1.0.2 nexthop via 10.2.0.2
