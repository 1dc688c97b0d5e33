# Clash (mihomo) as a uid-based standalone transparent proxy (examples/clash-uid-standalone.sh).
# The proxy runs as uid 129; its own traffic must not loop into clash0.
#
# Real packets: a TUN with no reader cannot emit anything, so clash0 is a veth here whose
# far end lives in a peer namespace (clash0.peers: `peer clash0`), standing in for the
# proxy's TUN reader. Everything else is the example unchanged.
ip link set lo up
ip link add eth0 type veth peer name lan0
ip link set lan0 up
ip link set eth0 up
ip addr add 192.168.31.194/24 dev eth0
ip route add default via 192.168.31.1 dev eth0
sysctl -w net.ipv4.ip_forward=1

# clash0: a veth instead of `ip tuntap add mode tun dev clash0`
ip link add clash0 type veth peer name clash0p
ip link set clash0p up
ip link set clash0 up
ip addr add 198.18.0.1/30 dev clash0

ip rule add fwmark 129 lookup 129
ip route add default dev clash0 table 129
sysctl -w net.ipv4.conf.clash0.rp_filter=2

iptables -t mangle -N CLASH
for net in 0.0.0.0/8 10.0.0.0/8 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.168.0.0/16 224.0.0.0/4 240.0.0.0/4; do
  iptables -t mangle -A CLASH -d $net -j RETURN
done
iptables -t mangle -A CLASH -j MARK --set-mark 129
iptables -t mangle -A PREROUTING -j CLASH
iptables -t mangle -A OUTPUT -m owner ! --uid-owner 129 -j CLASH
