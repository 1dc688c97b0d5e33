# conf.all vs conf.<dev>: the effective rp_filter is max(all, dev); src_valid_mark is an OR
# of all and dev. A typical distro (all=2 loose) with a tool that set all=1 and "relaxed"
# single devices.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
for d in b1 c1 d1 a1 a2 a3; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 10.3.0.1/24 dev a3
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip rule add pref 100 fwmark 0x1 lookup 100

sysctl -w net.ipv4.conf.all.rp_filter=1
sysctl -w net.ipv4.conf.a1.rp_filter=0
sysctl -w net.ipv4.conf.a2.rp_filter=2
sysctl -w net.ipv4.conf.a3.rp_filter=1
sysctl -w net.ipv4.conf.all.src_valid_mark=1
sysctl -w net.ipv4.conf.a1.src_valid_mark=0
