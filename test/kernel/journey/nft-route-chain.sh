# E53 (nft): a chain of type route re-routes when it changes the mark (or an address).
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip route add 10.98.0.0/24 via 10.2.0.2
ip rule add pref 100 fwmark 0x10/0xf0 lookup 100
nft -f - <<'NFT'
table ip rr {
  chain out {
    type route hook output priority mangle; policy accept;
    udp dport 9999 meta mark set mark or 0x10
    tcp dport 443 meta mark set 0x11
    udp dport 9998 meta mark set 0x1 counter
  }
}
NFT
