# The wg-quick trap: a kill switch left "unreachable default" (and blackhole/prohibit
# ranges) in main. wg-quick's "lookup main suppress_prefixlength 0" cannot suppress error
# routes, so unmarked traffic never reaches table 51820.
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
# kill switch: no real default, only the pinned endpoint
ip route add 203.0.113.7/32 via 192.168.1.1 dev eth0
ip route add unreachable default
ip route add blackhole 10.99.0.0/16
ip route add prohibit 10.98.0.0/16
ip route add 10.98.1.0/24 via 192.168.1.254

ip tuntap add mode tun dev wg0
ip -4 address add 10.0.0.2/32 dev wg0
ip link set mtu 1420 up dev wg0
ip -4 rule add not fwmark 51820 table 51820
ip -4 rule add table main suppress_prefixlength 0
ip -4 route add 0.0.0.0/0 dev wg0 table 51820
sysctl -q -w net.ipv4.conf.all.src_valid_mark=1
