# Route types and rule actions: blackhole/unreachable/prohibit routes (LPM still applies
# inside them), error rule actions, local/broadcast routes added by hand, a tproxy-style
# "local default" table, multicast, /31 and network addresses.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 10.5.0.0/31 dev a2
ip route add default via 10.1.0.2

ip route add blackhole 198.51.100.0/24
ip route add unreachable 198.51.100.128/25
ip route add prohibit 198.51.100.192/26
ip route add 198.51.100.200/29 via 10.2.0.2
ip route add local 10.123.0.1 dev lo
ip route add local 10.124.0.0/24 dev lo table main
ip route add broadcast 10.1.0.77 dev a1
ip route add multicast 239.1.0.0/16 dev a1 table main
ip route add local 0.0.0.0/0 dev lo table 101
ip rule add pref 200 fwmark 0x1/0x1 lookup 101
ip rule add pref 80 from 10.1.0.1 to 10.9.0.0/16 blackhole
ip rule add pref 81 from 10.1.0.1 to 10.8.0.0/16 unreachable
ip rule add pref 82 to 10.1.0.99 prohibit
# Tables that existed and were emptied (the kernel keeps them) for the `route del` probes.
ip route add 10.77.0.0/24 dev a1 table 102
ip route del 10.77.0.0/24 dev a1 table 102
ip -6 route add 2001:db8:77::/64 dev a1 table 103
ip -6 route flush table 103
