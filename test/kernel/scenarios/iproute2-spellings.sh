# Numbers and addresses spelled the ways iproute2 reads them (lib/utils.c): every number
# goes through strtoul base 0 (010 is 8, 0x10 is 16), every IPv4 octet too (get_addr_ipv4:
# 010.1.0.0 is 8.1.0.0, 0x0b.0.0.1 is 11.0.0.1), short forms fill zeros on the right
# (12/8 is 12.0.0.0/8), a prefix length may be octal, hex or a dotted mask. tos is
# rtnl_dsfield_a2n, base 16 (tos 010 is 0x10); ipproto is decimal (inet_proto_a2n).
ip link set lo up
ip link add a1 type veth peer name b1
ip link set b1 up
ip link set a1 up
ip addr add 10.1.0.1/24 dev a1
ip -6 addr add fd00::1/64 dev a1 nodad
# forwarding on, so the `iif` probes show which table the rules chose
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.254
# destinations in octal, hex and short forms, all in main
ip route add 010.1.0.0/16 via 10.1.0.2
ip route add 0x0b.0.0.0/010 via 10.1.0.3
ip route add 12/8 via 0x0a.1.0.4
ip route add 13.1/0x10 via 012.01.0.5
ip route add 14.0.0.0/255.255.0.0 via 10.1.0.6 metric 010
ip route add 14.0.0.0/255.255.0.0 via 10.1.0.7 metric 0x10
ip route add 017.0.0.1 via 10.1.0.8 proto 010
# tables by hex and octal number
ip route add default via 10.1.0.100 table 0x64
ip route add default via 10.1.0.101 table 010
ip route add 20.0.0.0/8 via 10.1.0.102 table 0x64 tos 010
ip route add 21.0.0.0/8 dev a1 table 010 scope 0xfd
ip route add 23.0.0.0/8 via 10.1.0.103 table 0x64
# IPv6: the length is get_netmask (base 0), the address inet_pton
ip -6 route add 2001:db8::/0x20 via fd00::2 metric 010
ip -6 route add 2001:db8:1::/060 via fd00::3
# rules: pref, fwmark/mask, table, tos, protocol, ipproto, uid range all spelled oddly
ip rule add pref 010 fwmark 0x10/0xff lookup 0x64
ip rule add pref 0x20 from 010.2.0.0/0x10 lookup 010
ip rule add pref 0x30 to 0x16.0.0.0/8 tos 10 lookup 0x64 protocol 010
ip rule add pref 060 ipproto 017 dport 53 lookup 010
ip rule add pref 070 uidrange 1000-1999 lookup 0x64 suppress_prefixlength 0x0
