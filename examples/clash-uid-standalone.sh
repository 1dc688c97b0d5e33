#!/bin/sh
# Clash (mihomo) as a uid-based standalone transparent proxy on one Linux host.
#
# The proxy process runs as uid 129 (user "clash") and owns a TUN device, clash0.
# A mangle chain CLASH lets private ranges through and marks everything else 129
# (PREROUTING for forwarded/LAN traffic, OUTPUT for this host's own traffic except
# the proxy's: otherwise its own upstream connections would loop back into clash0).
# Marked packets look up table 129, whose only route is the TUN device.
#
# Try:  routelab --load examples/clash-uid-standalone.sh route get 1.1.1.1 mark 129
#       routelab --load examples/clash-uid-standalone.sh explain 1.1.1.1 mark 129

# --- The host (already there on a real machine; created here so that this script also
#     runs unchanged in a network namespace for routelab's kernel tests)
ip link set lo up
ip link add eth0 type veth peer name lan0
ip link set lan0 up
ip link set eth0 up
ip addr add 192.168.31.194/24 dev eth0
ip route add default via 192.168.31.1 dev eth0
sysctl -w net.ipv4.ip_forward=1

# --- Clash's TUN device (clash creates it; with no reader attached it has no carrier)
ip tuntap add mode tun dev clash0
ip link set clash0 up
ip addr add 198.18.0.1/30 dev clash0

# --- Policy routing: marked packets go to the TUN
ip rule add fwmark 129 lookup 129
ip route add default dev clash0 table 129

# Replies come back on clash0 with their real source addresses; a strict reverse-path
# check would drop them (the way back to 1.1.1.1 is eth0). Relax it on clash0.
sysctl -w net.ipv4.conf.clash0.rp_filter=2

# --- Netfilter: mark what should be proxied
iptables -t mangle -N CLASH
for net in 0.0.0.0/8 10.0.0.0/8 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.168.0.0/16 224.0.0.0/4 240.0.0.0/4; do
  iptables -t mangle -A CLASH -d $net -j RETURN
done
iptables -t mangle -A CLASH -j MARK --set-mark 129
iptables -t mangle -A PREROUTING -j CLASH
iptables -t mangle -A OUTPUT -m owner ! --uid-owner 129 -j CLASH
