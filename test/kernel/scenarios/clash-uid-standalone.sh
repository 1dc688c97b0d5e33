# Standalone clash with a TUN named clash0, selected by mark: iptables (not needed here)
# marks every packet NOT owned by the proxy user (uid 129) with 129; "fwmark 129 lookup 129"
# sends them to clash0. rp_filter was "relaxed on clash0" -- but conf.all stays strict, and
# the effective value is max(all, dev).
ip link set lo up
sysctl -w net.ipv4.conf.all.rp_filter=1
sysctl -w net.ipv4.conf.default.rp_filter=1

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0

ip tuntap add mode tun dev clash0
ip link set clash0 up
ip addr add 198.18.0.1/16 dev clash0

PROXY_MARK=129
ip rule add fwmark $PROXY_MARK lookup $PROXY_MARK
ip route add default dev clash0 table $PROXY_MARK
sysctl -w net.ipv4.conf.clash0.rp_filter=0
