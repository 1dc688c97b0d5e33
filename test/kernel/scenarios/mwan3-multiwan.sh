# OpenWrt mwan3 with three uplinks: wan (id 1), wanb (id 2), lte (id 3, currently down so
# its table is empty). mmx_mask 0x3f00; routes mirrored into per-interface tables by
# mwan3rtmon; 0x3d00 = blackhole, 0x3e00 = unreachable, 0x3f00 = "default" (main).
ip link set lo up
sysctl -w net.ipv4.ip_forward=1

ip link add wan type veth peer name wan-peer
ip link add wanb type veth peer name wanb-peer
ip link add lte type veth peer name lte-peer
ip link add lan1 type veth peer name lan1-peer
ip link add br-lan type bridge
for d in wan-peer wanb-peer lan1-peer wan wanb lan1; do ip link set $d up; done
ip link set lan1 master br-lan && ip link set br-lan up

ip addr add 100.64.10.2/30 dev wan
ip addr add 203.0.113.34/29 dev wanb
ip addr add 10.64.0.2/30 dev lte
ip addr add 192.168.1.1/24 dev br-lan

ip route add default via 100.64.10.1 dev wan proto static metric 10
ip route add default via 203.0.113.33 dev wanb proto static metric 20

# mwan3rtmon: per-interface tables get the connected routes plus their own default
for t in 1 2; do
  ip route add 192.168.1.0/24 dev br-lan proto kernel scope link src 192.168.1.1 table $t
  ip route add 100.64.10.0/30 dev wan proto kernel scope link src 100.64.10.2 table $t
  ip route add 203.0.113.32/29 dev wanb proto kernel scope link src 203.0.113.34 table $t
done
ip route add default via 100.64.10.1 dev wan proto static metric 10 table 1
ip route add default via 203.0.113.33 dev wanb proto static metric 20 table 2

id=1; dev=wan
ip rule add pref $((1000+id)) iif $dev lookup $id
ip rule add pref $((2000+id)) fwmark $((id*256))/0x3f00 lookup $id
ip rule add pref $((3000+id)) fwmark $((id*256))/0x3f00 unreachable
id=2; dev=wanb
ip rule add pref $((1000+id)) iif $dev lookup $id
ip rule add pref $((2000+id)) fwmark $((id*256))/0x3f00 lookup $id
ip rule add pref $((3000+id)) fwmark $((id*256))/0x3f00 unreachable
id=3; dev=lte
ip rule add pref $((1000+id)) iif $dev lookup $id
ip rule add pref $((2000+id)) fwmark $((id*256))/0x3f00 lookup $id
ip rule add pref $((3000+id)) fwmark $((id*256))/0x3f00 unreachable
ip rule add pref 2061 fwmark 0x3d00/0x3f00 blackhole
ip rule add pref 2062 fwmark 0x3e00/0x3f00 unreachable

# lte lost its link: admin down removes its routes
ip link set lte down
