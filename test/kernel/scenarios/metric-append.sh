# Route ordering inside a prefix: metric, append (after equal entries), replace, change and
# delete of one of several equal-prefix routes; IPv6 append builds ECMP (fixed hash seed).
ip link set lo up
sysctl -w net.ipv4.fib_multipath_hash_seed=99
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad

ip route add 10.50.0.0/16 via 10.1.0.2 metric 100
ip route add 10.50.0.0/16 via 10.2.0.2 metric 50
ip route append 10.50.0.0/16 via 10.1.0.3 metric 50
ip route add 10.51.0.0/16 via 10.1.0.2 metric 50
ip route append 10.51.0.0/16 via 10.2.0.3 metric 50
ip route del 10.51.0.0/16 via 10.1.0.2 metric 50
ip route replace 10.53.0.0/16 via 10.1.0.2
ip route replace 10.53.0.0/16 via 10.2.0.2
ip route add 10.54.0.0/16 via 10.1.0.2 metric 10
ip route change 10.54.0.0/16 via 10.2.0.4 metric 10
ip route add 10.55.0.0/16 via 10.1.0.2 metric 5 table 100
ip route add 10.55.0.0/16 via 10.2.0.2 metric 7 table 100
ip route del 10.55.0.0/16 table 100
ip rule add pref 100 to 10.55.0.0/16 lookup 100

ip -6 route add 2001:db8:50::/48 via fd01::2 metric 100
ip -6 route add 2001:db8:50::/48 via fd02::2 metric 50
ip -6 route add 2001:db8:51::/48 via fd01::2 metric 50
ip -6 route append 2001:db8:51::/48 via fd02::2 metric 50
ip -6 route replace 2001:db8:52::/48 via fd01::2
ip -6 route replace 2001:db8:52::/48 via fd02::2
