# wg-quick up wg0 with AllowedIPs = 0.0.0.0/0 (nft variant, proxy-routing-anchors.md 1),
# plus strict rp_filter. wg0 is a veth here (its far end stands for the decrypted side of
# the tunnel); the encrypted traffic is a UDP socket with SO_MARK 51820 to the endpoint.
ip link set lo up
ip link add eth0 type veth peer name uplink
ip link set uplink up
ip link set eth0 up
ip addr add 192.168.31.194/24 dev eth0
ip route add default via 192.168.31.1
sysctl -w net.ipv4.conf.all.rp_filter=1

ip link add wg0 type veth peer name wgp
ip link set wgp up
ip -4 address add 10.0.0.2/32 dev wg0
ip link set mtu 1420 up dev wg0
ip -4 rule add not fwmark 51820 table 51820
ip -4 rule add table main suppress_prefixlength 0
ip -4 route add 0.0.0.0/0 dev wg0 table 51820
sysctl -q net.ipv4.conf.all.src_valid_mark=1
nft -f - <<'EOF2'
add table ip wg-quick-wg0
add chain ip wg-quick-wg0 preraw { type filter hook prerouting priority -300; }
add chain ip wg-quick-wg0 premangle { type filter hook prerouting priority -150; }
add chain ip wg-quick-wg0 postmangle { type filter hook postrouting priority -150; }
add rule ip wg-quick-wg0 preraw iifname != "wg0" ip daddr 10.0.0.2 fib saddr type != local drop
add rule ip wg-quick-wg0 postmangle meta l4proto udp mark 51820 ct mark set mark
add rule ip wg-quick-wg0 premangle meta l4proto udp meta mark set ct mark
EOF2
