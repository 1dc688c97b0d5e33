# Tailscale came first (prefs 5210-5270, table 52), then wg-quick added its unnumbered
# rules: the kernel's auto pref (second rule's pref - 1) puts them at 5209/5208, AHEAD of
# Tailscale (tailscale/tailscale#975).
ip link set lo up

ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0 proto dhcp metric 100

# tailscaled
ip tuntap add mode tun dev tailscale0
ip link set tailscale0 up
ip addr add 100.101.102.103/32 dev tailscale0
ip rule add pref 5210 fwmark 0x80000/0xff0000 table main
ip rule add pref 5230 fwmark 0x80000/0xff0000 table default
ip rule add pref 5250 fwmark 0x80000/0xff0000 type unreachable
ip rule add pref 5270 table 52
ip route replace 100.100.100.100/32 dev tailscale0 table 52
ip route replace 100.64.0.7/32 dev tailscale0 table 52
ip route replace 10.50.0.0/16 dev tailscale0 table 52

# wg-quick up wg0 (full tunnel)
ip tuntap add mode tun dev wg0
ip -4 address add 10.0.0.2/32 dev wg0
ip link set mtu 1420 up dev wg0
ip -4 rule add not fwmark 51820 table 51820
ip -4 rule add table main suppress_prefixlength 0
ip -4 route add 0.0.0.0/0 dev wg0 table 51820
sysctl -q -w net.ipv4.conf.all.src_valid_mark=1
