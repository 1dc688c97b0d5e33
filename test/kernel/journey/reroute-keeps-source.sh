# E52: a mark set in mangle OUTPUT re-routes the packet, but its source address was chosen
# by the first lookup (a1's) and is kept: it leaves a2 with 10.1.0.1.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip rule add pref 100 fwmark 1 lookup 100
iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 1
