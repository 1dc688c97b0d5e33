# A wireguard device with fwmark 51820 whose tunnel rule forgot "not fwmark": its own
# encrypted packets go back into it.
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
ip rule add lookup 51820 pref 100
ip route add default dev wg0 table 51820
