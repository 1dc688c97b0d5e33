# TOS routes (longest prefix first, then tos, compared with mask 0x1c) and tos/dsfield rules.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip route add default via 10.1.0.2

ip route add 10.51.0.0/16 tos 0x10 via 10.2.0.2
ip route add 10.51.0.0/16 via 10.1.0.2
ip route add 10.51.1.0/24 via 10.1.0.3
ip route add 10.52.0.0/16 tos 0x08 via 10.2.0.2
ip route add 10.53.0.0/16 tos 0x04 via 10.2.0.2 metric 10
ip route add 10.53.0.0/16 tos 0x04 via 10.1.0.4 metric 5
ip route add default via 10.2.0.9 table 200
ip route add default via 10.2.0.8 table 201
ip rule add pref 100 tos 0x0c lookup 200
ip rule add pref 110 dsfield 0x1c lookup 201
