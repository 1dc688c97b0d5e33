# The local table rule moved off pref 0 (common for tproxy/anycast setups): rules placed
# before it can send traffic for our own addresses elsewhere. Both families.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
ip route add default via 10.1.0.2
ip -6 route add default via fd01::2

ip rule add pref 100 lookup local
ip rule del pref 0
ip -6 rule add pref 100 lookup local
ip -6 rule del pref 0

ip route add default via 10.2.0.2 dev a2 table 200
ip -6 route add default via fd02::2 dev a2 table 200
ip rule add pref 50 fwmark 0x1 lookup 200
ip -6 rule add pref 50 fwmark 0x1 lookup 200
ip rule add pref 60 iif a2 lookup 200
ip rule add pref 70 to 10.1.0.1 ipproto tcp dport 8080 lookup 200
