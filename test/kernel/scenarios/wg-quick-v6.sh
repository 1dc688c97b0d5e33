# wg-quick full tunnel, dual stack (AllowedIPs = 0.0.0.0/0, ::/0): add_default() runs per
# family, unnumbered rules (auto prefs 32765/32764), routes added after the rules.
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
ip route add default via 192.168.1.1 dev eth0 metric 100
ip -6 route add default via 2001:db8:1::1 dev eth0 metric 1024
# an extra IPv6 LAN behind a router, must stay outside the tunnel
ip -6 route add 2001:db8:99::/48 via 2001:db8:1::fe dev eth0

ip tuntap add mode tun dev wg0
ip -4 address add 10.0.0.2/32 dev wg0
ip -6 address add fd00:a::2/128 dev wg0
ip link set mtu 1420 up dev wg0

ip -6 rule add not fwmark 51820 table 51820
ip -6 rule add table main suppress_prefixlength 0
ip -6 route add ::/0 dev wg0 table 51820

ip -4 rule add not fwmark 51820 table 51820
ip -4 rule add table main suppress_prefixlength 0
ip -4 route add 0.0.0.0/0 dev wg0 table 51820
sysctl -q -w net.ipv4.conf.all.src_valid_mark=1
