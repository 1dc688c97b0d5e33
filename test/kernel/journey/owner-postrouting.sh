# E65: the owner match works in OUTPUT and POSTROUTING (local packets only). A mark set in
# mangle POSTROUTING is too late to re-route. gid-owner in OUTPUT does re-route.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip rule add pref 100 fwmark 0x9 lookup 100
ip rule add pref 101 fwmark 0x7 lookup 100
iptables -t mangle -A POSTROUTING -m owner --uid-owner 1000 -j MARK --set-mark 0x7
iptables -t mangle -A POSTROUTING -m owner --socket-exists -j MARK --or-mark 0x100
iptables -t mangle -A OUTPUT -m owner --gid-owner 2000 -j MARK --set-mark 0x9
iptables -t mangle -A OUTPUT -m owner --uid-owner 3000-3999 -j MARK --set-mark 0x9
