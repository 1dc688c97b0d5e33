# DNS hijack with nftables `redirect` in an inet table (IPv4 and IPv6), sing-box style.
ip link set lo up
ip link add lan0 type veth peer name lanp
ip link add wan0 type veth peer name wanp
for d in lan0 lanp wan0 wanp; do ip link set $d up; done
ip addr add 192.168.1.1/24 dev lan0
ip addr add 203.0.113.2/24 dev wan0
ip -6 addr add fd00:1::1/64 dev lan0 nodad
ip -6 addr add 2001:db8:1::2/64 dev wan0 nodad
ip route add default via 203.0.113.1
ip -6 route add default via 2001:db8:1::1
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv6.conf.all.forwarding=1
nft -f - <<'NFT'
table inet hijack {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "lan0" meta l4proto { tcp, udp } th dport 53 redirect to :5353
  }
  chain out {
    type nat hook output priority -100; policy accept;
    meta skuid != 53 udp dport 53 redirect to :5353
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" masquerade
  }
}
NFT
