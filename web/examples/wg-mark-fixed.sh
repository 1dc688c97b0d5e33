# wg-mark-loop.sh (beside this file) fixed as wg-quick does it: the tunnel's rule skips
# packets that carry wg0's own fwmark 51820 (0xca6c), so the encrypted packets leave by eth0.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip link add wg0 type wireguard
ip addr add 10.0.0.2/32 dev wg0
ip link set wg0 up
wg set wg0 fwmark 51820
ip rule add not fwmark 51820 lookup 51820 pref 100
ip route add default dev wg0 table 51820
