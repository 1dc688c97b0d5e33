# wg-quick's rules with rp_filter strict but without net.ipv4.conf.all.src_valid_mark=1.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
sysctl -w net.ipv4.conf.all.rp_filter=1
ip link add wg0 type wireguard
ip addr add 10.0.0.2/32 dev wg0
ip link set wg0 up
ip rule add not fwmark 51820 table 51820 pref 32764
ip rule add table main suppress_prefixlength 0 pref 32763
ip route add default dev wg0 table 51820
