# wg-quick full tunnel, IPv4 (AllowedIPs = 0.0.0.0/0), exactly as wg-quick's add_default()
# installs it on a clean host: unnumbered rules, so the kernel picks prefs 32765 / 32764.
# wg0 is a tun standing in for the WireGuard device (no reader => NO-CARRIER, routes linkdown).
ip link set lo up

# physical uplink: eth0 (veth, peer kept in this namespace for carrier)
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0 proto dhcp metric 100
# a docker bridge and a second LAN route that must keep working (suppress_prefixlength 0)
ip link add docker0 type bridge
ip link set docker0 up
ip addr add 172.17.0.1/16 dev docker0
ip route add 10.20.0.0/16 via 192.168.1.254 dev eth0

# wg-quick up wg0
ip tuntap add mode tun dev wg0
ip -4 address add 10.0.0.2/32 dev wg0
ip link set mtu 1420 up dev wg0
ip -4 rule add not fwmark 51820 table 51820
ip -4 rule add table main suppress_prefixlength 0
ip -4 route add 0.0.0.0/0 dev wg0 table 51820
sysctl -q -w net.ipv4.conf.all.src_valid_mark=1
