# E59: accept ends only the current base chain. An nft chain at priority -300 accepts, the
# iptables mangle chain at -150 still runs and its mark still re-routes. drop is final.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip rule add pref 100 fwmark 0x42 lookup 100
nft add table ip early
nft add chain ip early out '{ type filter hook output priority -300; }'
nft add rule ip early out udp dport 9999 accept
nft add rule ip early out udp dport 9997 drop
nft add chain ip early post '{ type filter hook postrouting priority -300; }'
nft add rule ip early post tcp dport 443 accept
iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 0x42
iptables -t mangle -A OUTPUT -p udp --dport 9997 -j MARK --set-mark 0x42
iptables -t filter -A OUTPUT -p tcp --dport 443 -j ACCEPT
iptables -t filter -A OUTPUT -p tcp -j DROP
iptables -t mangle -A POSTROUTING -p tcp --dport 443 -j MARK --set-mark 0x9
