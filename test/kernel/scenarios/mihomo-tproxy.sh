# mihomo's own TPROXY helper (listener/tproxy): PROXY_FWMARK = PROXY_ROUTE_TABLE = 0x2d0,
# "local default dev <inbound interface>" (not dev lo), forwarding on. Next to it the
# classic tproxy recipe with mark 1 and "local 0.0.0.0/0 dev lo table 100".
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.2/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip link add docker0 type bridge
ip link set docker0 up
ip addr add 172.17.0.1/16 dev docker0
sysctl -w net.ipv4.ip_forward=1

ip -f inet rule add fwmark 0x2d0 lookup 0x2d0
ip -f inet route add local default dev eth0 table 0x2d0

ip rule add fwmark 0x1/0x1 lookup 100 pref 200
ip route add local 0.0.0.0/0 dev lo table 100
