# sing-box / mihomo style nftables marking: an inet table with a bypass set; everything
# else gets mark 0x2d0 (a type route chain for the host's own traffic, a filter chain in
# prerouting for forwarded traffic) and `fwmark 0x2d0 lookup 2022` sends it into the TUN.
# The proxy's own sockets carry SO_MARK 0x2024 and are left alone.
# tun0 is a veth here (a TUN without a reader cannot emit packets; see clash-uid.sh).
ip link set lo up
ip link add eth0 type veth peer name uplink
ip link add lan0 type veth peer name lanp
ip link add tun0 type veth peer name tunp
for d in eth0 uplink lan0 lanp tun0 tunp; do ip link set $d up; done
ip addr add 192.168.31.194/24 dev eth0
ip addr add 192.168.2.1/24 dev lan0
ip addr add 172.19.0.1/30 dev tun0
ip route add default via 192.168.31.1
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.tun0.rp_filter=2
ip rule add pref 9001 fwmark 0x2d0 lookup 2022
ip route add default dev tun0 table 2022
nft -f - <<'NFT'
table inet sing-box {
  set bypass4 {
    type ipv4_addr
    flags interval
    elements = { 0.0.0.0/8, 10.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12,
                 192.168.0.0/16, 224.0.0.0/4, 240.0.0.0/4, 1.0.0.0/24 }
  }
  chain output {
    type route hook output priority mangle; policy accept;
    meta mark 0x2024 return
    ip daddr @bypass4 return
    meta l4proto { tcp, udp } meta mark set 0x2d0
  }
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    iifname "tun0" return
    ip daddr @bypass4 return
    meta l4proto { tcp, udp } meta mark set 0x2d0
  }
}
NFT
