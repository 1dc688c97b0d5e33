# DNS hijack with iptables REDIRECT: LAN queries to any resolver and the host's own queries
# (except the resolver's, uid 53) go to the local DNS server on port 5353.
ip link set lo up
ip link add lan0 type veth peer name lanp
ip link add wan0 type veth peer name wanp
for d in lan0 lanp wan0 wanp; do ip link set $d up; done
ip addr add 192.168.1.1/24 dev lan0
ip addr add 203.0.113.2/24 dev wan0
ip route add default via 203.0.113.1
sysctl -w net.ipv4.ip_forward=1
iptables -t nat -A PREROUTING -i lan0 -p udp --dport 53 -j REDIRECT --to-ports 5353
iptables -t nat -A PREROUTING -i lan0 -p tcp --dport 53 -j REDIRECT --to-ports 5353
iptables -t nat -A OUTPUT -m owner ! --uid-owner 53 -p udp --dport 53 -j REDIRECT --to-ports 5353
iptables -t nat -A POSTROUTING -o wan0 -j MASQUERADE
