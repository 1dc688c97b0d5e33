# clash/mihomo TUN selected by mark: every packet not owned by the proxy (uid 129) is marked
# 129 (iptables mangle OUTPUT, not needed here) and "fwmark 129 lookup 129" sends it to the
# TUN. rp_filter is strict and only "relaxed" on clash0 -- but the effective value is
# max(all, dev), and replies coming back on clash0 (from the servers the TUN reaches) are
# unmarked: their reverse-path lookup (mark 0) takes main, out eth0, so strict rp_filter
# drops them.
ip link set lo up
sysctl -w net.ipv4.conf.all.rp_filter=1
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev clash0
ip link set clash0 up
ip addr add 198.18.0.1/16 dev clash0
ip rule add fwmark 129 lookup 129 pref 8000
ip route add default dev clash0 table 129
sysctl -w net.ipv4.conf.clash0.rp_filter=0
