# sing-box / mihomo (sing-tun) TUN inbound, auto_route on, default options: tun0 with
# 172.19.0.1/30 and fdfe:dcba:9876::1/126, table 2022, rule index 9000, as NativeTun.rules()
# builds them. The host also runs Docker (bridge docker0) and forwards.
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
ip route add default via 192.168.1.1 dev eth0
ip -6 route add default via 2001:db8:1::1 dev eth0

ip link add docker0 type bridge
ip link add veth-ctr type veth peer name veth-ctr-peer
ip link set veth-ctr master docker0
ip link set veth-ctr-peer up
ip link set veth-ctr up
ip link set docker0 up
ip addr add 172.17.0.1/16 dev docker0
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv6.conf.all.forwarding=1

ip tuntap add mode tun dev tun0
ip link set tun0 mtu 9000
ip addr add 172.19.0.1/30 dev tun0
ip -6 addr add fdfe:dcba:9876::1/126 dev tun0
ip link set tun0 up
ip route add 0.0.0.0/0 dev tun0 table 2022
ip -6 route add ::/0 dev tun0 table 2022

# IPv4
ip rule add pref 9000 to 172.19.0.0/30 lookup 2022
ip rule add pref 9001 lookup 2022 suppress_prefixlength 0
ip rule add pref 9002 not dport 53 lookup main suppress_prefixlength 0
ip rule add pref 9002 iif tun0 goto 9010
ip rule add pref 9003 not iif lo lookup 2022
ip rule add pref 9003 iif lo from 0.0.0.0/32 lookup 2022
ip rule add pref 9003 iif lo from 172.19.0.0/30 lookup 2022
ip rule add pref 9010 nop
# IPv6
ip -6 rule add pref 9000 lookup 2022 suppress_prefixlength 0
ip -6 rule add pref 9001 not dport 53 lookup main suppress_prefixlength 0
ip -6 rule add pref 9001 iif tun0 goto 9010
ip -6 rule add pref 9001 iif lo from ::/1 goto 9010
ip -6 rule add pref 9001 iif lo from 8000::/1 goto 9010
ip -6 rule add pref 9002 iif lo from fdfe:dcba:9876::/126 lookup 2022
ip -6 rule add pref 9003 lookup 2022
ip -6 rule add pref 9010 nop
