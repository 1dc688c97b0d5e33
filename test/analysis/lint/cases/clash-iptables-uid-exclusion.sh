# clash by mark, set in OUTPUT by iptables for every uid but the proxy's (129): correct.
ip link set lo up
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
iptables -t mangle -N CLASH
iptables -t mangle -A CLASH -d 127.0.0.0/8 -j RETURN
iptables -t mangle -A CLASH -d 192.168.0.0/16 -j RETURN
iptables -t mangle -A CLASH -m owner --uid-owner 129 -j RETURN
iptables -t mangle -A CLASH -j MARK --set-mark 129
iptables -t mangle -A OUTPUT -j CLASH
