# E57: the order of hooks and tables, with a counting rule in every table at every hook
# (nat only sees new flows, and only with conntrack: -m conntrack in raw enables it).
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
for c in PREROUTING OUTPUT; do iptables -t raw -A $c -p udp --dport 9999 -m conntrack --ctstate NEW; done
for c in PREROUTING INPUT FORWARD OUTPUT POSTROUTING; do iptables -t mangle -A $c -p udp --dport 9999; done
for c in PREROUTING INPUT OUTPUT POSTROUTING; do iptables -t nat -A $c -p udp --dport 9999; done
for c in INPUT FORWARD OUTPUT; do iptables -t filter -A $c -p udp --dport 9999; done
for c in INPUT FORWARD OUTPUT; do iptables -t security -A $c -p udp --dport 9999; done
