# Real setups where routelab's journey differed from the kernel:
# - A mangle OUTPUT mark re-routes the packet (ip_route_me_harder changes the skb's dst
#   only): the rest of the OUTPUT hook still has state->out = the first route's device, so
#   the filter table's `-o a1` matches and `-o a2` does not; POSTROUTING sees a2.
# - A datagram for 224.0.0.1 (all hosts, joined by every IPv4 device) arriving on a1 is
#   delivered (ip_route_input_mc), not forwarded.
# - A UDP send to a broadcast address from a socket without SO_BROADCAST fails with EACCES
#   (udp_sendmsg), although `ip route get` answers the broadcast route.
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
iptables -t mangle -A OUTPUT -p udp --dport 7001 -j MARK --set-mark 0x42
iptables -t filter -A OUTPUT -p udp --dport 7001 -o a2 -j DROP
iptables -t filter -A OUTPUT -p udp --dport 7001 -o a1 -j ACCEPT
iptables -t filter -A OUTPUT -p udp --dport 7002 -o a1 -j ACCEPT
