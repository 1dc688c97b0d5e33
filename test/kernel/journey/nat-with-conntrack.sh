# E56, second half: the same nat rules, plus one rule that needs conntrack
# (-m conntrack in raw OUTPUT): now every new flow goes through the nat chains, also
# forwarded ones.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
iptables -t nat -A OUTPUT -p udp --dport 9999
iptables -t nat -A POSTROUTING -p udp --dport 9999
iptables -t nat -A PREROUTING -p udp --dport 9999
iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 0x7
iptables -t raw -I OUTPUT -m conntrack --ctstate NEW,UNTRACKED
