# Sticky routing with CONNMARK: a port forward answered on the uplink it came in on.
# New connections arriving on wan2 get ct mark 2; the LAN server's replies restore it as
# their packet mark and `fwmark 2 lookup 2` sends them back out of wan2 (main: wan1).
ip link set lo up
ip link add wan1 type veth peer name isp1
ip link add wan2 type veth peer name isp2
ip link add lan0 type veth peer name lanp
for d in wan1 wan2 lan0 isp1 isp2 lanp; do ip link set $d up; done
ip addr add 203.0.113.2/24 dev wan1
ip addr add 198.51.100.2/24 dev wan2
ip addr add 192.168.1.1/24 dev lan0
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.all.rp_filter=2
ip route add default via 203.0.113.1
ip route add default via 198.51.100.1 table 2
ip rule add pref 1000 fwmark 2 lookup 2
iptables -t nat -A PREROUTING -i wan1 -p tcp --dport 80 -j DNAT --to-destination 192.168.1.10
iptables -t nat -A PREROUTING -i wan2 -p tcp --dport 80 -j DNAT --to-destination 192.168.1.10
iptables -t mangle -A PREROUTING -i wan2 -m conntrack --ctstate NEW -j CONNMARK --set-mark 2
iptables -t mangle -A PREROUTING -i lan0 -j CONNMARK --restore-mark
iptables -t mangle -A OUTPUT -j CONNMARK --restore-mark
iptables -t nat -A POSTROUTING -o wan1 -j MASQUERADE
iptables -t nat -A POSTROUTING -o wan2 -j MASQUERADE
