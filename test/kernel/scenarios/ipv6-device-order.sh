# The same kernel prefix on several devices: every device with a link-local has its own
# fe80::/64 (table main) and multicast ff00::/8 (table local), with forwarding an
# `anycast fe80::`, and a prefix on several devices its own prefix and anycast routes. The
# kernel keeps them in the order it inserted them (fib6_add_rt2node appends behind equal
# metrics) and a lookup without oif takes the first (find_rr_leaf: equal scores, first wins):
# - `ip link set X up` on a veth whose peer is up: X's routes go in before the peer's
#   (veth_open: netif_carrier_on(dev) before the peer's; addrconf runs per device);
# - X down and up again: the peer keeps its routes (linkdown) and X's come back last;
# - a prefix on several devices: in the order the addresses were added;
# - forwarding on later: the anycast routes join in device order (addrconf_forward_change);
# - disable_ipv6 1 then 0 drops the device's addresses and routes; they come back last;
# - a device that never came up keeps the local route of a nodad address (DAD completes at
#   once: addrconf_dad_begin), but has no prefix route (fib6_nh_init: -ENETDOWN).
# MACs are fixed and DAD is off so that link-local addresses (and sources) are known.
ip link set lo up
sysctl -w net.ipv6.conf.default.accept_dad=0
ip link add a1 type veth peer name b1
ip link add c1 type veth peer name d1
ip link add e1 type veth peer name f1
ip link set a1 address 02:00:00:00:0a:01
ip link set b1 address 02:00:00:00:0b:01
ip link set c1 address 02:00:00:00:0c:01
ip link set d1 address 02:00:00:00:0d:01
ip link set b1 up
ip link set a1 up
ip link set c1 up
ip link set d1 up
ip tuntap add mode tun dev t1
ip link set t1 up
ip addr add 2001:db8:1::1/64 dev t1
ip addr add 2001:db8:1::2/64 dev c1
ip addr add 2001:db8:1::3/64 dev a1
ip link set a1 down
ip link set a1 up
ip addr add 2001:db8:1::3/64 dev a1
ip addr add 2001:db8:e::1/64 dev e1 nodad
sysctl -w net.ipv6.conf.all.forwarding=1
sysctl -w net.ipv6.conf.d1.disable_ipv6=1
sysctl -w net.ipv6.conf.d1.disable_ipv6=0
# Routes of one metric on several devices (append without a gateway: no ECMP siblings,
# rt6_qualify_for_ecmp): the router preference ranks before the oif (rt6_score_route), the
# oif (or, input, the iif) before the order, and a lower metric before all.
ip -6 route add 2001:db8:5::/64 dev a1 pref low
ip -6 route append 2001:db8:5::/64 dev c1 pref high
ip -6 route append 2001:db8:5::/64 dev b1
ip -6 route add 2001:db8:6::/64 dev a1
ip -6 route append 2001:db8:6::/64 dev c1
ip -6 route add 2001:db8:6::/64 dev d1 metric 2000
