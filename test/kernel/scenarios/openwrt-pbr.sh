# OpenWrt pbr (mossdef-org) on a router whose OpenVPN-style client pushed def1 routes
# (0.0.0.0/1 + 128.0.0.0/1 via wg0): fw_mask 0x00ff0000, uplink_mark 0x00010000, one table
# per interface (256 wan, 257 wg0, 258 ovpn with strict enforcement while down), a local
# WireGuard server's sport rule, and "lookup main suppress_prefixlength 1" added last.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1

ip link add wan type veth peer name wan-peer
ip link add lan1 type veth peer name lan1-peer
ip link add br-lan type bridge
for d in wan-peer lan1-peer wan lan1; do ip link set $d up; done
ip link set lan1 master br-lan
ip link set br-lan up
ip addr add 100.64.10.2/30 dev wan
ip addr add 192.168.1.1/24 dev br-lan
ip route add default via 100.64.10.1 dev wan

ip tuntap add mode tun dev wg0
ip link set wg0 up
ip addr add 10.7.0.2/24 dev wg0
ip route add 0.0.0.0/1 dev wg0
ip route add 128.0.0.0/1 dev wg0

# pbr start
ip -4 route replace default via 100.64.10.1 dev wan table 256
ip -4 rule add fwmark 0x010000/0x00ff0000 table 256 priority 30000
ip -4 route replace default dev wg0 table 257
ip -4 rule add fwmark 0x020000/0x00ff0000 table 257 priority 29999
ip -4 route replace unreachable default table 258
ip -4 rule add fwmark 0x030000/0x00ff0000 table 258 priority 29998
ip rule add sport 51820 table 256 priority 29997
ip -4 rule add lookup main suppress_prefixlength 1 priority 29996
