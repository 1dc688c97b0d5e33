# Clash Premium TUN (auto-route: true) on a side router: device utun with the fake-IP
# range 198.18.0.0/16, table 1970566510 (= "utun" read as a big-endian u32), rules 9500-9530
# as they appear in users' dumps.
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.2/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
sysctl -w net.ipv4.ip_forward=1

ip tuntap add mode tun dev utun
ip link set utun up
ip addr add 198.18.0.1/16 dev utun
ip route add default dev utun table 1970566510
ip rule add pref 9500 not dport 53 lookup main suppress_prefixlength 0
ip rule add pref 9510 not iif lo lookup 1970566510
ip rule add pref 9520 from 0.0.0.0 iif lo uidrange 0-4294967294 lookup 1970566510
ip rule add pref 9530 from 198.18.0.1 iif lo uidrange 0-4294967294 lookup 1970566510
