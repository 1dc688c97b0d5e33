# A hand-written multi-ISP policy on a router: blackhole/prohibit/unreachable rule actions,
# port-range, protocol, tos and inverted selectors, goto chains and nop.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1

ip link add isp1 type veth peer name isp1-peer
ip link add isp2 type veth peer name isp2-peer
ip link add lan type veth peer name lan-peer
for d in isp1-peer isp2-peer lan-peer isp1 isp2 lan; do ip link set $d up; done
ip addr add 100.64.1.2/24 dev isp1
ip addr add 100.65.1.2/24 dev isp2
ip addr add 192.168.1.1/24 dev lan
ip addr add 10.66.0.1/16 dev lan

ip route add default via 100.64.1.1 dev isp1
ip route add default via 100.64.1.1 dev isp1 table 10
ip route add default via 100.65.1.1 dev isp2 table 20
ip route add 192.168.1.0/24 dev lan table 20

ip rule add pref 100 from 10.66.0.0/16 blackhole
ip rule add pref 110 to 198.51.100.0/24 prohibit
ip rule add pref 120 iif lan to 203.0.113.0/24 unreachable
ip rule add pref 200 ipproto tcp dport 80-443 goto 300
ip rule add pref 210 ipproto udp dport 5000-6000 lookup 20
ip rule add pref 220 sport 1024-1030 lookup 20
ip rule add pref 230 tos 0x10 lookup 20
ip rule add pref 240 not ipproto tcp dport 22 lookup 10
ip rule add pref 250 nop
ip rule add pref 260 fwmark 0x10/0x10 lookup 20
ip rule add pref 300 from 192.168.1.0/25 lookup 10
ip rule add pref 301 lookup 20
