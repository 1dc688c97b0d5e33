# E55: a DNAT in nat OUTPUT re-routes the packet: 10.99.0.1 is routed via a1, the new
# destination 10.98.0.1 via a2. The source chosen by the first lookup (a1's) is kept.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip route add 10.98.0.0/24 via 10.2.0.2
iptables -t nat -A OUTPUT -p udp -d 10.99.0.1 --dport 9999 -j DNAT --to-destination 10.98.0.1
iptables -t nat -A OUTPUT -p tcp -d 10.99.0.1 --dport 80 -j DNAT --to-destination 10.98.0.7:8080
iptables -t nat -A POSTROUTING -o a2 -p tcp -j MASQUERADE
