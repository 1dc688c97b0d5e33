# The fixed variant of clash-src-valid-mark-strict.sh, as wg-quick fixes its own: strict
# rp_filter and src_valid_mark on, the mark saved on the connection in OUTPUT and restored
# on its replies in PREROUTING. A reply on clash0 then carries mark 129, its reverse lookup
# goes to table 129 and back out clash0: rp_filter passes it.
ip link set lo up
sysctl -w net.ipv4.conf.all.rp_filter=1
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev clash0
ip link set clash0 up
ip addr add 198.18.0.1/16 dev clash0
ip rule add fwmark 129 lookup 129 pref 8000
ip route add default dev clash0 table 129
sysctl -w net.ipv4.conf.clash0.rp_filter=0
sysctl -w net.ipv4.conf.all.src_valid_mark=1
iptables -t mangle -A OUTPUT -j CONNMARK --save-mark
iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark
