# E17, second half: the same, plus an unrelated port rule (pref 61). Any rule with a port
# or ipproto selector turns on flow dissection for the netns; then the re-route flow
# carries the ports and pref 60 matches again.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip rule add pref 60 iif lo ipproto udp dport 9999 lookup 100
ip rule add pref 61 ipproto tcp dport 1 lookup 999
iptables -t mangle -A OUTPUT -m owner --uid-owner 1000 -p udp --dport 9999 -j MARK --set-mark 0x5
