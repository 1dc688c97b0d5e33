# Two ISPs behind one router; LAN clients in the upper half of 192.168.1.0/24 use ISP 2:
# mangle PREROUTING marks them 3, `fwmark 3 lookup 3` sends them to table 3. Both uplinks
# MASQUERADE. Loose rp_filter lets ISP 2's replies in (main's default is ISP 1).
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
ip route add default via 203.0.113.1 dev wan1
ip route add default via 198.51.100.1 dev wan2 table 3
ip route add 192.168.1.0/24 dev lan0 table 3
ip rule add pref 1000 fwmark 3 lookup 3
iptables -t mangle -A PREROUTING -i lan0 -m iprange --src-range 192.168.1.128-192.168.1.255 -j MARK --set-mark 3
iptables -t nat -A POSTROUTING -o wan1 -j MASQUERADE
iptables -t nat -A POSTROUTING -o wan2 -j MASQUERADE
