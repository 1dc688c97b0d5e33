# A wireguard tunnel takes the IPv4 default; IPv6 is up on eth0 with a global address.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
ip -6 route add default via 2001:db8:1::1 dev eth0
ip link add wg0 type wireguard
ip addr add 10.0.0.2/32 dev wg0
ip link set wg0 up
ip rule add not fwmark 51820 table 51820 pref 32764
ip rule add table main suppress_prefixlength 0 pref 32763
ip route add default dev wg0 table 51820
sysctl -w net.ipv4.conf.all.src_valid_mark=1
