# E17: a rule on `iif lo ipproto udp dport 9999` sends the socket's lookup to table 100.
# After a mangle mark change the re-route flow carries no protocol/ports (flow dissection
# is off: the only rule with ports also has `iif lo`), so the rule stops matching and the
# packet goes to main (a1), keeping a2's source. iif-lo-ports-fldissect adds one more rule.
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
iptables -t mangle -A OUTPUT -m owner --uid-owner 1000 -p udp --dport 9999 -j MARK --set-mark 0x5
