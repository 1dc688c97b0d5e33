# Routes over links without carrier: a TUN nobody reads (tun0), one with
# ignore_routes_with_linkdown=1 (tun1), a veth whose peer went down (a3: NO-CARRIER), and an
# admin-down veth (a2), which deletes its routes and leaves multipath hops dead.
# A fixed multipath hash seed (the kernel's per-boot random one would make 10.83.0.0/16 pick
# either gateway).
sysctl -q -w net.ipv4.fib_multipath_hash_seed=7
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
for d in b1 c1 d1 a1 a2 a3; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 10.3.0.1/24 dev a3
ip -6 addr add fd01::1/64 dev a1 nodad
ip route add default via 10.1.0.2

ip tuntap add mode tun dev tun0
ip tuntap add mode tun dev tun1
ip link set tun0 up
ip link set tun1 up
ip addr add 10.8.0.2/24 dev tun0
ip addr add 10.9.0.2/24 dev tun1
ip -6 addr add fd08::2/64 dev tun0
ip -6 addr add fd09::2/64 dev tun1
sysctl -w net.ipv4.conf.tun1.ignore_routes_with_linkdown=1
sysctl -w net.ipv6.conf.tun1.ignore_routes_with_linkdown=1

ip route add 10.80.0.0/16 via 10.8.0.1 metric 10
ip route add 10.80.0.0/16 via 10.1.0.2 metric 20
ip route add 10.81.0.0/16 via 10.9.0.1 metric 10
ip route add 10.81.0.0/16 via 10.1.0.2 metric 20
ip route add 10.82.0.0/16 via 10.2.0.2
ip route add 10.82.0.0/16 via 10.1.0.2 metric 50
ip route add 10.83.0.0/16 nexthop via 10.1.0.2 nexthop via 10.2.0.2
ip route add 10.84.0.0/16 via 10.3.0.2
ip route add 10.85.0.0/16 nexthop via 10.9.0.1 nexthop via 10.8.0.1
ip route add default via 10.2.0.2 table 100
ip rule add pref 100 to 10.86.0.0/16 lookup 100
ip -6 route add fd80::/48 via fd08::1 metric 10
ip -6 route add fd80::/48 via fd01::2 metric 20
ip -6 route add fd81::/48 via fd09::1 metric 10
ip -6 route add fd81::/48 via fd01::2 metric 20

ip link set d1 down
ip link set a2 down
