# tailscaled on Linux (netfilter mode on): masked fwmarks (0x80000 bypass, 0x40000 subnet
# route, mask 0xff0000), prefs 5210-5270, table 52 with peers, MagicDNS, an accepted subnet
# route, an exit node and "throw" routes for LAN access. IPv4 and IPv6.
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad
ip route add default via 192.168.1.1 dev eth0
# IPv4-only uplink: no IPv6 default in main
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv6.conf.all.forwarding=1

ip tuntap add mode tun dev tailscale0
ip link set tailscale0 up
ip addr add 100.101.102.103/32 dev tailscale0
ip -6 addr add fd7a:115c:a1e0::1/128 dev tailscale0

for fam in -4 -6; do
  ip $fam rule add pref 5210 fwmark 0x80000/0xff0000 table main
  ip $fam rule add pref 5230 fwmark 0x80000/0xff0000 table default
  ip $fam rule add pref 5250 fwmark 0x80000/0xff0000 type unreachable
  ip $fam rule add pref 5270 table 52
done

ip route replace 100.100.100.100/32 dev tailscale0 table 52
ip route replace 100.64.0.5/32 dev tailscale0 table 52
ip route replace 100.64.0.6/32 dev tailscale0 table 52
ip route replace 10.50.0.0/16 dev tailscale0 table 52
ip route replace 0.0.0.0/0 dev tailscale0 table 52
ip route replace throw 192.168.1.0/24 table 52
ip route replace throw 10.50.7.0/24 table 52
ip -6 route replace fd7a:115c:a1e0::/48 dev tailscale0 table 52
ip -6 route replace ::/0 dev tailscale0 table 52
ip -6 route replace throw 2001:db8:1::/64 table 52
