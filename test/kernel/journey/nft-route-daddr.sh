# E53/E55 without NAT: an nft route chain that rewrites the destination address re-routes
# the packet (ip_route_me_harder runs when saddr, daddr, mark or tos changed).
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add 10.98.0.0/24 via 10.2.0.2
nft -f - <<'NFT'
table ip rr {
  chain out {
    type route hook output priority mangle; policy accept;
    udp dport 9000 ip daddr set 10.98.0.1
    udp dport 9001 ip dscp set cs1
  }
}
NFT
