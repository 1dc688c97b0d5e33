# E13: IPv6 re-routes keep the socket's uid (ip6_route_me_harder uses sock_net_uid), so a
# mark change in mangle OUTPUT does not lose the uidrange rule, unlike IPv4 (uid-reroute).
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
sysctl -w net.ipv6.conf.all.forwarding=1
ip -6 route add default via fd01::2
ip -6 route add default via fd02::2 table 100
ip -6 rule add pref 50 uidrange 1000-1000 lookup 100
ip6tables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 0x5
ip6tables -t mangle -A PREROUTING -i a1 -p udp --dport 9999 -j MARK --set-mark 0x6
