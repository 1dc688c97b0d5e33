# IPv6 policy routing: source rules (which never match lookups without a source), to/fwmark/
# uidrange/iif/oif/proto selectors, an inverted source rule, rule actions and route types.
ip link set lo up
sysctl -w net.ipv6.conf.all.forwarding=1

ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd01::5/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
ip -6 addr add fd99::1/128 dev lo
ip -6 route add default via fd01::2 dev a1

ip -6 route add default via fd02::2 dev a2 table 100
ip -6 route add default via fd01::2 dev a1 table 110
ip -6 route add 2001:db8:f00::/48 via fd02::2 dev a2 table 110
ip -6 route add 2001:db8:e00::/48 via fd02::2 dev a2 table 120
ip -6 route add blackhole fd66::/64
ip -6 route add unreachable fd66:1::/64
ip -6 route add prohibit fd66:2::/64
ip -6 route add throw fd66:3::/64
ip -6 route add fd66:3:1::/48 via fd02::2

ip -6 rule add pref 100 from fd01::/64 lookup 100
ip -6 rule add pref 110 to 2001:db8:f00::/48 lookup 110
ip -6 rule add pref 120 fwmark 0x10 lookup 100
ip -6 rule add pref 130 uidrange 2000-2999 lookup 100
ip -6 rule add pref 140 iif lo ipproto tcp dport 22 lookup 100
ip -6 rule add pref 150 oif a2 lookup 100
ip -6 rule add pref 60 from fd01::5 iif a2 blackhole
ip -6 rule add pref 61 from fd01::6 iif a2 unreachable
ip -6 rule add pref 62 from fd01::7 iif a2 prohibit
ip -6 rule add pref 170 not from fd03::/64 lookup 120
ip -6 rule add pref 63 to fd99::1 iif a2 prohibit
