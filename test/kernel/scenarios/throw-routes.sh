# throw routes end the lookup in their table and let the RPDB continue, in custom tables
# and in main (falling through to the "default" table rule at 32767).
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip route add default via 10.1.0.2

ip route add throw 203.0.113.0/24
ip route add 203.0.113.128/25 via 10.1.0.2
ip route add 203.0.113.0/25 dev a2 table 100
ip route add throw 203.0.113.0/24 table 100
ip rule add pref 100 lookup 100

ip route add throw 198.51.100.0/24 table 101
ip route add 198.51.100.64/26 via 10.2.0.2 table 101
ip route add throw default table 101
ip rule add pref 90 to 198.51.100.0/24 lookup 101

ip route add throw 192.0.2.0/24
ip route add default via 10.2.0.2 table default
ip route add throw 192.0.2.128/25 table default
