# ECMP with the L4 hash (policy 1: addresses, protocol and ports), fixed seed.
ip link set lo up
sysctl -w net.ipv4.fib_multipath_hash_seed=777
sysctl -w net.ipv4.fib_multipath_hash_policy=1
sysctl -w net.ipv4.ip_forward=1

ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add lan type veth peer name lan-peer
for d in b1 c1 lan-peer a1 a2 lan; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 192.168.1.1/24 dev lan

ip route add default nexthop via 10.1.0.2 weight 1 nexthop via 10.2.0.2 weight 1
