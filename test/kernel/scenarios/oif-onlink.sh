# Output lookups with an oif (SO_BINDTODEVICE / ip route get ... oif): oif rules, nexthops
# filtered by device inside each table, and the IPv4 on-link fallback that turns any lookup
# failure (also prohibit/unreachable/blackhole) into "dev <oif>". IPv6 has no fallback.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
ip link add a4 type veth peer name e1
for d in b1 c1 d1 e1 a1 a2 a3 a4; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 10.3.0.1/24 dev a3
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
ip route add default via 10.1.0.2
ip -6 route add default via fd01::2
ip route add default via 10.2.0.2 table 200
ip -6 route add default via fd02::2 table 200
ip tuntap add mode tun dev tun0
ip link set tun0 up
ip addr add 10.8.0.2/24 dev tun0

ip rule add pref 10 oif a1 lookup 200
ip -6 rule add pref 10 oif a1 lookup 200
ip rule add pref 81 from 10.2.0.1 unreachable
ip rule add pref 82 to 10.1.0.77 prohibit
ip rule add pref 83 to 10.1.0.78 blackhole
ip -6 rule add pref 82 to fd99::1 prohibit
ip route add blackhole 198.51.100.0/24
ip route add unreachable 198.51.101.0/24
ip route add prohibit 198.51.102.0/24
ip link set a3 down
