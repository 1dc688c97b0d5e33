# sing-box TUN, auto_route with include_uid [1000], exclude_interface [docker0] and
# strict_route on an IPv4-only TUN. sing-tun turns the include list into excluded ranges
# (0-999, 1001-4294967294) at pref 9000, shifts the rest, and adds an IPv6 "unreachable"
# rule (strict_route, no IPv6 address on the TUN).
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
ip route add default via 192.168.1.1 dev eth0
ip -6 route add default via 2001:db8:1::1 dev eth0

ip link add docker0 type bridge
ip link set docker0 up
ip addr add 172.17.0.1/16 dev docker0
sysctl -w net.ipv4.ip_forward=1

ip tuntap add mode tun dev tun0
ip addr add 172.19.0.1/30 dev tun0
ip link set tun0 up
ip route add 0.0.0.0/0 dev tun0 table 2022

ip rule add pref 9000 uidrange 0-999 goto 9010
ip rule add pref 9000 uidrange 1001-4294967294 goto 9010
ip rule add pref 9001 iif docker0 goto 9010
ip -6 rule add pref 9000 unreachable
ip rule add pref 9002 to 172.19.0.0/30 lookup 2022
ip rule add pref 9003 lookup 2022 suppress_prefixlength 0
ip rule add pref 9004 not dport 53 lookup main suppress_prefixlength 0
ip rule add pref 9004 iif tun0 goto 9010
ip rule add pref 9005 not iif lo lookup 2022
ip rule add pref 9005 iif lo from 0.0.0.0/32 lookup 2022
ip rule add pref 9005 iif lo from 172.19.0.0/30 lookup 2022
ip rule add pref 9010 nop
