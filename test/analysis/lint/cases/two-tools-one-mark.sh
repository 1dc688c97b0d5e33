# tailscale's bypass mark 0x80000 is also the fwmark a second VPN gives its wireguard device.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev tailscale0
ip link set tailscale0 up
ip addr add 100.64.0.5/32 dev tailscale0
ip rule add fwmark 0x80000/0xff0000 lookup main pref 5210
ip rule add lookup 52 pref 5270
ip route add 100.64.0.0/10 dev tailscale0 table 52
ip link add wg1 type wireguard
ip addr add 10.8.0.2/32 dev wg1
ip link set wg1 up
wg set wg1 fwmark 0x80000
ip rule add not fwmark 0x80000 lookup 1234 pref 6000
ip route add default dev wg1 table 1234
