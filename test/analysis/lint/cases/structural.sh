# Structural smells: a shadowed rule, a rule to an empty table, a table nobody looks up,
# a suppress_prefixlength with nothing to suppress, a rule without pref.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip route del default via 192.168.1.1 dev eth0
ip route add 10.0.0.0/8 via 192.168.1.1 dev eth0
ip rule add to 10.0.0.0/8 blackhole pref 100
ip rule add to 10.1.0.0/16 lookup main pref 200
ip rule add lookup 300 pref 300
ip route add 172.16.0.0/12 via 192.168.1.1 table 400
ip rule add lookup main suppress_prefixlength 0 pref 500
ip rule add fwmark 0x1 lookup main
