# E53: only mangle OUTPUT (iptables-nft: type route) and nft type route chains re-route.
# A mark set in the filter table, or in an nft type filter chain at mangle priority, is
# carried by the packet but does not change its route.
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
ip rule add pref 101 fwmark 2 lookup 100
iptables -t filter -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 1
nft add table ip t
nft add chain ip t o '{ type filter hook output priority -150; }'
nft add rule ip t o udp dport 9998 meta mark set 2
