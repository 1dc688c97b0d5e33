# Input path: per-device forwarding (the INGRESS device decides), local and broadcast
# delivery, martian sources and destinations, route_localnet, accept_local.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
for d in b1 c1 d1 a1 a2 a3; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 10.3.0.1/24 dev a3
ip addr add 10.99.0.1/32 dev lo
ip route add default via 10.1.0.2
ip route add 10.50.0.0/16 via 10.2.0.2
ip route add blackhole 10.66.0.0/16
ip route add unreachable 10.67.0.0/16
ip route add prohibit 10.68.0.0/16
ip route add throw 10.69.0.0/16

sysctl -w net.ipv4.conf.a1.forwarding=1
sysctl -w net.ipv4.conf.a2.forwarding=0
sysctl -w net.ipv4.conf.a3.forwarding=1
sysctl -w net.ipv4.conf.a3.route_localnet=1
sysctl -w net.ipv4.conf.a3.accept_local=1
