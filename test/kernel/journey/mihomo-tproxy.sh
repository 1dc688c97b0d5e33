# mihomo's TPROXY helper (listener/tproxy/tproxy_iptables.go, see proxy-routing-anchors.md 3)
# on a one-armed gateway: LAN clients use 192.168.1.2 (eth0) as their router; the
# inbound interface is eth0. PROXY_FWMARK = PROXY_ROUTE_TABLE = 0x2d0, routing-mark 255,
# tproxy-port 7893, dns-port 1053 (both started by mihomo-tproxy.peers).
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.2/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
sysctl -w net.ipv4.ip_forward=1

ip -f inet rule add fwmark 0x2d0 lookup 0x2d0
ip -f inet route add local default dev eth0 table 0x2d0

BYPASS="0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.0.0.0/24 192.0.2.0/24 192.88.99.0/24 192.168.0.0/16 198.51.100.0/24 203.0.113.0/24 224.0.0.0/4 240.0.0.0/4 255.255.255.255/32"

iptables -t mangle -N mihomo_divert
iptables -t mangle -A mihomo_divert -j MARK --set-mark 0x2d0
iptables -t mangle -A mihomo_divert -j ACCEPT
iptables -t mangle -N mihomo_prerouting
iptables -t mangle -A mihomo_prerouting -s 172.17.0.0/16 -j RETURN
iptables -t mangle -A mihomo_prerouting -p udp --dport 53 -j ACCEPT
iptables -t mangle -A mihomo_prerouting -p tcp --dport 53 -j ACCEPT
iptables -t mangle -A mihomo_prerouting -m addrtype --dst-type LOCAL -j RETURN
for net in $BYPASS; do
  iptables -t mangle -A mihomo_prerouting -d $net -j RETURN
done
iptables -t mangle -A mihomo_prerouting -p tcp -m socket -j mihomo_divert
iptables -t mangle -A mihomo_prerouting -p udp -m socket -j mihomo_divert
iptables -t mangle -A mihomo_prerouting -p tcp -j TPROXY --on-port 7893 --tproxy-mark 0x2d0/0x2d0
iptables -t mangle -A mihomo_prerouting -p udp -j TPROXY --on-port 7893 --tproxy-mark 0x2d0/0x2d0
iptables -t mangle -A PREROUTING -j mihomo_prerouting

iptables -t nat -I PREROUTING ! -s 172.17.0.0/16 ! -d 127.0.0.0/8 -p tcp --dport 53 -j REDIRECT --to 1053
iptables -t nat -I PREROUTING ! -s 172.17.0.0/16 ! -d 127.0.0.0/8 -p udp --dport 53 -j REDIRECT --to 1053
iptables -t nat -A POSTROUTING -o eth0 -m addrtype ! --src-type LOCAL -j MASQUERADE

iptables -t mangle -N mihomo_output
iptables -t mangle -A mihomo_output -m mark --mark 255 -j RETURN
iptables -t mangle -A mihomo_output -p udp -m multiport --dports 53,123,137 -j ACCEPT
iptables -t mangle -A mihomo_output -p tcp --dport 53 -j ACCEPT
iptables -t mangle -A mihomo_output -m addrtype --dst-type LOCAL -j RETURN
iptables -t mangle -A mihomo_output -m addrtype --dst-type BROADCAST -j RETURN
for net in $BYPASS; do
  iptables -t mangle -A mihomo_output -d $net -j RETURN
done
iptables -t mangle -A mihomo_output -p tcp -j MARK --set-mark 0x2d0
iptables -t mangle -A mihomo_output -p udp -j MARK --set-mark 0x2d0
iptables -t mangle -I OUTPUT -o eth0 -j mihomo_output

iptables -t nat -N mihomo_dns_output
iptables -t nat -A mihomo_dns_output -m mark --mark 255 -j RETURN
iptables -t nat -A mihomo_dns_output -s 172.17.0.0/16 -j RETURN
iptables -t nat -A mihomo_dns_output -p udp -j REDIRECT --to-ports 1053
iptables -t nat -A mihomo_dns_output -p tcp -j REDIRECT --to-ports 1053
iptables -t nat -I OUTPUT -p tcp --dport 53 -j mihomo_dns_output
iptables -t nat -I OUTPUT -p udp --dport 53 -j mihomo_dns_output
