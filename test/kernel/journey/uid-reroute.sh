# E12: IPv4 re-routes with uid 0. A uidrange rule chose table 100 for uid 1000; after a
# mangle OUTPUT mark change the re-route no longer matches it and uses main (a1), while
# the source chosen by the first lookup (a2's) stays.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip rule add pref 50 uidrange 1000-1000 lookup 100
iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 0x5
iptables -t mangle -A OUTPUT -p udp --dport 9997 -j MARK --set-mark 0x0
