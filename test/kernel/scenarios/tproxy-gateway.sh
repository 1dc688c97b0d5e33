# A transparent-proxy gateway (clash/mihomo, v2ray, sing-box "tproxy" mode): PREROUTING marks
# what the proxy takes and TPROXY assigns it the proxy's listening socket; `ip rule fwmark`
# sends the marked packets to a table whose `local 0.0.0.0/0 dev lo` delivers them here.
# lan0 is the LAN the gateway serves with iptables (mark 0x1/0x1, port 7893), lan1 a second
# LAN served by an nft table (mark 0x2, port 7894). wg-quick-style restores of the conn mark
# (CONNMARK --restore-mark, `meta mark set ct mark`) give first packets mark 0 on those bits;
# a raw-table anti-spoofing drop and a DNAT port forward sit in front.
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.2/24 dev eth0
ip route add default via 192.168.1.1 dev eth0

ip link add lan0 type veth peer name lan0-peer
ip link set lan0-peer up
ip link set lan0 up
ip addr add 10.0.0.1/24 dev lan0

ip link add lan1 type veth peer name lan1-peer
ip link set lan1-peer up
ip link set lan1 up
ip addr add 10.1.0.1/24 dev lan1

sysctl -w net.ipv4.ip_forward=1

ip rule add fwmark 0x1/0x1 lookup 100 pref 200
ip route add local 0.0.0.0/0 dev lo table 100
ip rule add fwmark 0x2 lookup 101 pref 201
ip route add local default dev lo table 101
# a bypass placed before the fwmark rules: what TPROXY took there is forwarded, so dropped
ip rule add to 100.64.0.0/10 lookup main pref 150

# packets from the uplink claiming a LAN source; wg-quick's guard of an interface address
iptables -t raw -A PREROUTING -i eth0 -s 10.0.0.0/8 -j DROP
iptables -t raw -A PREROUTING ! -i lan1 -d 10.1.0.1 -m addrtype ! --src-type LOCAL -j DROP

iptables -t mangle -N DIVERT
iptables -t mangle -A DIVERT -j MARK --set-mark 1
iptables -t mangle -A DIVERT -j ACCEPT
iptables -t mangle -A PREROUTING -p udp -j CONNMARK --restore-mark --nfmask 0xff00 --ctmask 0xff00
iptables -t mangle -A PREROUTING -p tcp -m socket -j DIVERT
iptables -t mangle -A PREROUTING -m addrtype --dst-type LOCAL -j RETURN
iptables -t mangle -A PREROUTING -d 10.0.0.0/8 -j RETURN
iptables -t mangle -A PREROUTING -d 192.168.0.0/16 -j RETURN
iptables -t mangle -A PREROUTING -d 224.0.0.0/4 -j RETURN
iptables -t mangle -A PREROUTING -i lan0 -p tcp -j TPROXY --on-port 7893 --tproxy-mark 0x1/0x1
iptables -t mangle -A PREROUTING -i lan0 -p udp -j TPROXY --on-port 7893 --tproxy-mark 0x1/0x1

# a port forward from the uplink to a LAN host
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:22

nft -f - <<'NFT'
table inet proxy {
  chain pre {
    type filter hook prerouting priority mangle + 1; policy accept;
    iifname != "lan1" return
    meta mark set ct mark
    fib daddr type { local, broadcast } return
    ip daddr { 10.0.0.0/8, 192.168.0.0/16, 224.0.0.0/4, 255.255.255.255 } return
    ip saddr 10.1.0.128/25 tcp dport 25 drop
    meta l4proto tcp tproxy ip to :7894 meta mark set 0x2 accept
  }
}
NFT
