# Two uplinks; ISP2 should carry only marked traffic (fwmark 0x2 lookup isp2), but the
# rule lost its mark: everything, the replies of a login that came in over ISP1 included,
# leaves by ISP2.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip link add eth1 type veth peer name eth1-peer
ip link set eth1-peer up
ip link set eth1 up
ip addr add 10.0.2.10/24 dev eth1
ip route add default via 10.0.2.1 dev eth1 table 200
ip rule add lookup 200 pref 100
