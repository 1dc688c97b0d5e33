# Forwarding with rp_filter: a1 strict (1) with src_valid_mark, a3 loose (2), a2 off.
# Sources in 10.50.0.0/16 are marked 1; their way back is only in table 100 (via a1).
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
for d in a1 a2 a3 b1 c1 d1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 10.3.0.1/24 dev a3
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.all.rp_filter=0
sysctl -w net.ipv4.conf.a1.rp_filter=1
sysctl -w net.ipv4.conf.a3.rp_filter=2
sysctl -w net.ipv4.conf.a1.src_valid_mark=1
ip route add default via 10.2.0.2
ip route add 10.50.0.0/16 via 10.1.0.2 table 100
ip route add default via 10.2.0.2 table 100
ip rule add pref 100 fwmark 1 lookup 100
iptables -t mangle -A PREROUTING -i a1 -s 10.50.0.0/16 -j MARK --set-mark 1
iptables -t mangle -A PREROUTING -i a3 -s 10.50.0.0/16 -j MARK --set-mark 1
