# TUN auto-route: the proxy (uid 1000) is exempted, but a DNS hijack rule above the
# exemption catches the proxy's own DNS queries too.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev tun0
ip link set tun0 up
ip addr add 172.19.0.1/30 dev tun0
ip rule add ipproto udp dport 53 lookup 2022 pref 8998
ip rule add uidrange 1000-1000 lookup main pref 8999
ip rule add lookup 2022 pref 9100
ip route add default dev tun0 table 2022
