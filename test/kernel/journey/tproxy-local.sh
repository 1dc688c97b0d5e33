# E60: the host's own traffic through a TPROXY: mark 1 in mangle OUTPUT re-routes it to
# `local default dev lo table 101`; the packet loops through lo, enters PREROUTING with
# iif lo and its mark, and TPROXY hands it to the proxy on 127.0.0.1:12345.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip rule add pref 200 fwmark 0x1/0x1 lookup 101
ip route add local default dev lo table 101
iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 1
iptables -t mangle -A OUTPUT -p tcp --dport 9999 -j MARK --set-mark 1
iptables -t mangle -A PREROUTING -i lo -p udp --dport 9999 -m mark --mark 1 -j TPROXY --on-port 12345 --on-ip 127.0.0.1
iptables -t mangle -A PREROUTING -i lo -p tcp --dport 9999 -m mark --mark 1 -j TPROXY --on-port 12345 --on-ip 127.0.0.1
