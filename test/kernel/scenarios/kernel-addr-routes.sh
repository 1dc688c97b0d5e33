# The routes the kernel makes for addresses, as `ip route show table all` lists them, and the
# addresses as `ip addr` prints them (real setups where routelab differed):
# - IPv6 forwarding on: a subnet-router anycast route per prefix (addrconf_join_anycast),
#   `anycast fe80::` on every device with a link-local, none for /127 and /128 or for a
#   prefix that is all zeros (::3/64);
# - an IPv6 /128 gets a prefix route `X dev D proto kernel metric 256` like any other length;
# - `ff00::/8` only where addrconf_add_mroute ran: a device that came up with carrier, or an
#   IPv6 address added while the device was up; none on a carrier-less tun without one;
# - `::2` prints as `::2` (inet_ntop's IPv4 form needs word 5 = 0xffff, or words 0-5 zero and
#   word 6 non-zero);
# - IPv4: no `brd` on an address unless `brd` was given (the broadcast routes come from
#   fib_add_ifaddr: prefix|~mask for a primary shorter than /31), none on lo's 127.0.0.1.
ip link set lo up
sysctl -w net.ipv6.conf.all.forwarding=1
ip link add a1 address 02:00:00:00:01:01 type veth peer name b1
ip link set b1 address 02:00:00:00:01:02
# b1 without IPv6: one `anycast fe80::` (the order of two would follow random DAD delays)
sysctl -w net.ipv6.conf.b1.disable_ipv6=1
ip link set a1 up
ip link set b1 up
ip addr add 10.0.0.1/30 dev a1
ip addr add 10.0.1.1/31 dev a1
ip addr add 10.0.2.1/24 brd + dev a1
ip addr add 10.0.2.9/24 dev a1
ip addr add 10.0.3.1/24 brd - dev a1
ip addr add 10.0.4.1/28 brd 10.0.4.7 dev a1
ip addr add 192.0.2.1/32 dev lo
ip addr add 10.9.9.1/24 dev lo
ip -6 addr add 2001:db8:1::1/64 dev a1 nodad
ip -6 addr add 2001:db8:2::1/128 dev a1 nodad
ip -6 addr add 2001:db8:3::1/127 dev a1 nodad
ip -6 addr add ::2/128 dev a1 nodad
ip -6 addr add ::3/64 dev a1 nodad
ip -6 addr add ::ffff:10.1.2.3/128 dev a1 nodad
ip -6 addr add ::1.2.3.4/128 dev a1 nodad
ip -6 addr add 2001:db8:9::1/64 dev lo
ip -6 addr add 2001:db8:a::1/128 dev lo
# t0: up without carrier and without an IPv6 address: no ff00::/8
ip tuntap add mode tun dev t0
ip link set t0 up
ip addr add 10.8.0.1/30 dev t0
# t1: an IPv6 address added while up: ff00::/8 (addrconf_add_dev)
ip tuntap add mode tun dev t1
ip link set t1 up
ip -6 addr add 2001:db8:5::1/64 dev t1
