# Source address selection: primary vs secondary addresses, several subnets on one device,
# /31 and /32 addresses, noprefixroute, a service address on lo, and routes with "src".
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done

ip addr add 10.1.0.1/24 dev a1
ip addr add 10.1.5.1/24 dev a1
ip addr add 10.1.0.100/24 dev a1
ip addr add 10.1.7.0/31 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 192.168.50.1/32 dev a2
ip addr add 192.168.52.1/24 dev a2 noprefixroute
ip addr add 10.99.0.1/32 dev lo

ip route add default via 10.1.0.2 dev a1
ip route add 10.72.0.0/16 via 10.1.5.2
ip route add 10.70.0.0/16 via 10.1.0.2 src 10.2.0.1
ip route add 10.71.0.0/16 via 10.1.0.2 src 10.99.0.1
ip route add 10.73.0.0/16 dev a1
ip route add 10.74.0.0/16 dev a2 src 192.168.50.1
ip route add 10.75.0.0/16 via 10.1.7.1 dev a1
ip route add 10.76.0.0/16 via 10.1.0.2 src 10.1.0.100
ip route add default via 10.2.0.2 dev a2 table 100 src 10.2.0.1
ip rule add pref 100 from 10.1.0.100 lookup 100
