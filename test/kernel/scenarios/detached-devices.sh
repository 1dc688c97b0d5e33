# Rules naming devices that do not exist (yet): shown "[detached]" and never equal to any
# flow's iif/oif -- so "not iif <absent>" matches everything. A device created later
# attaches the rule.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link set b1 up
ip link set a1 up
ip addr add 10.1.0.1/24 dev a1
ip route add default via 10.1.0.2
ip route add default via 10.1.0.200 table 200
ip route add 10.70.0.0/16 via 10.1.0.201 table 201
ip route add default via 10.1.0.202 table 202

ip rule add pref 10 iif ghost0 lookup 200
ip rule add pref 11 oif ghost1 lookup 200
ip rule add pref 12 not iif ghost2 lookup 201
ip rule add pref 13 iif late0 lookup 202
ip rule add pref 14 oif late0 lookup 203
ip link add late0 type veth peer name late0-peer
ip link set late0-peer up
ip link set late0 up
ip addr add 10.7.0.1/24 dev late0
ip route add default via 10.7.0.203 dev late0 table 203
