# ECMP over three uplinks with weights, L3 hash (policy 0), fixed hash seed so the kernel's
# choice is deterministic; a second table with a dead hop (admin-down device).
ip link set lo up
sysctl -w net.ipv4.fib_multipath_hash_seed=12345
sysctl -w net.ipv4.fib_multipath_hash_policy=0
sysctl -w net.ipv4.ip_forward=1

ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
ip link add a4 type veth peer name e1
ip link add lan type veth peer name lan-peer
for d in b1 c1 d1 e1 lan-peer a1 a2 a3 a4 lan; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 10.3.0.1/24 dev a3
ip addr add 10.4.0.1/24 dev a4
ip addr add 192.168.1.1/24 dev lan

ip route add 10.60.0.0/16 nexthop via 10.1.0.2 weight 1 nexthop via 10.2.0.2 weight 1
ip route add default \
    nexthop via 10.1.0.2 dev a1 weight 3 \
    nexthop via 10.2.0.2 dev a2 weight 1 \
    nexthop via 10.3.0.2 dev a3 weight 1
ip route add 10.61.0.0/16 table 100 nexthop via 10.3.0.2 nexthop via 10.4.0.2
ip rule add pref 100 to 10.61.0.0/16 lookup 100
ip link set a4 down
