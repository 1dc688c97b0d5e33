# A full-tunnel VPN on tun0 with a bypass for uid 1000 marked in OUTPUT and routed out eth0
# by the mark, but no MASQUERADE on eth0: the re-routed packets keep tun0's source.
# packet: {"uid": 1000, "dst": "198.51.100.7", "dport": 9999, "proto": "udp"}
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev tun0
ip link set tun0 up
ip addr add 10.8.0.2/24 dev tun0
ip route add 203.0.113.5 via 192.168.1.1 dev eth0
ip route add 0.0.0.0/1 dev tun0
ip route add 128.0.0.0/1 dev tun0
ip route add default via 192.168.1.1 dev eth0 table 100
ip rule add fwmark 0x1 lookup 100 pref 100
iptables -t mangle -A OUTPUT -m owner --uid-owner 1000 -j MARK --set-mark 0x1
