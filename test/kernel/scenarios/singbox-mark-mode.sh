# sing-box auto_redirect in "mark mode" (route_exclude_address_set configured): nft marks
# UDP/ICMP with 0x2023 (to the TUN), the proxy's own output carries 0x2024; a fallback rule
# at 32768 catches lookups main/default could not answer; redirect_route_linux.go adds a
# pref-1 table with local 127.0.0.1 routes per interface.
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
ip route add default via 192.168.1.1 dev eth0
ip route add 10.10.0.0/16 via 192.168.1.254 dev eth0

ip tuntap add mode tun dev tun0
ip addr add 172.19.0.1/30 dev tun0
ip -6 addr add fdfe:dcba:9876::1/126 dev tun0
ip link set tun0 up
ip route add 0.0.0.0/0 dev tun0 table 2022
ip -6 route add ::/0 dev tun0 table 2022

ip rule add pref 9000 fwmark 0x2024 goto 9002
ip rule add pref 9001 fwmark 0x2023 lookup 2022
ip rule add pref 9002 nop
ip -6 rule add pref 9000 fwmark 0x2024 goto 9002
ip -6 rule add pref 9001 fwmark 0x2023 lookup 2022
ip -6 rule add pref 9002 nop
ip rule add pref 32768 lookup 2022
ip -6 rule add pref 32768 lookup 2022

# redirect routes: a random table id with local loopback routes on every up interface
T=1871
ip route append local 127.0.0.1/32 dev eth0 table $T scope host
ip route append local 127.0.0.1/32 dev tun0 table $T scope host
ip -6 route append local ::1/128 dev eth0 table $T
ip rule add pref 1 lookup $T
ip -6 rule add pref 1 lookup $T
