# Devices of the kinds routelab models that this kernel has (ifb, macvlan, veth, tun),
# fixed MACs so both sides print the same, routes of several protocols, scopes and types.
sysctl -qw net.ipv6.conf.all.accept_dad=0
sysctl -qw net.ipv6.conf.default.accept_dad=0
ip link add v0 type veth peer name v1
ip link set v0 address 02:00:00:00:00:01
ip link set v1 address 02:00:00:00:00:02
sysctl -qw net.ipv6.conf.v1.disable_ipv6=1
ip link add xifb type ifb
ip link set xifb up
ip link add link v0 name mv0 type macvlan
ip link set mv0 address 02:00:00:00:00:04
sysctl -qw net.ipv6.conf.mv0.disable_ipv6=1
ip link add link v0 name mv1 type macvlan mode private
ip link set mv1 address 02:00:00:00:00:05
sysctl -qw net.ipv6.conf.mv1.disable_ipv6=1
ip link set mv0 up
ip tuntap add t0 mode tun
ip link set t0 up
ip link set v0 up
ip link set v1 up
ip link set mv1 up
# `brd +`: routelab gives every address a broadcast, this kernel only when asked.
ip addr add 192.168.1.2/24 brd + dev v0
ip addr add 10.0.0.1/8 brd + dev v1 label v1:x
ip route add default via 192.168.1.1
ip route add 1.0.0.0/8 dev v1 proto static src 10.0.0.1
ip route add blackhole 2.0.0.0/8
ip route add 3.0.0.0/8 nexthop via 192.168.1.1 nexthop dev v1
ip route add 4.0.0.0/8 via 192.168.1.1 proto 99 metric 5
ip -6 route add blackhole 2001:db8::/32
ip rule add pref 100 fwmark 0x1 lookup 100
ip rule add pref 200 from 10.0.0.0/8 lookup main
ip rule add pref 300 fwmark 0x1/0xff lookup 300
