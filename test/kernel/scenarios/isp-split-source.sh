# Home router with two ISPs (LARTC "split access"): ISP1 is the default, the upper half of
# the LAN (192.168.1.128/25) and anything marked 3 leave through ISP2 (table 3), and
# replies sourced from an ISP's own address go back out through that ISP.
ip link set lo up

ip link add wan1 type veth peer name wan1-peer
ip link add wan2 type veth peer name wan2-peer
ip link add lan1 type veth peer name lan1-peer
ip link add br-lan type bridge
for dev in wan1-peer wan2-peer lan1-peer wan1 wan2 lan1; do
  ip link set $dev up
done
ip link set lan1 master br-lan
ip link set br-lan up

sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.all.rp_filter=2

ISP1_IP=100.64.10.2
ISP1_GW=100.64.10.1
ISP2_IP=203.0.113.34
ISP2_GW=203.0.113.33
ip addr add $ISP1_IP/30 dev wan1
ip addr add $ISP2_IP/29 dev wan2
ip addr add 192.168.1.1/24 dev br-lan

# main: ISP1 is the default
ip route add default via $ISP1_GW dev wan1

# table 1: ISP1 only (for replies from ISP1's address)
ip route add 100.64.10.0/30 dev wan1 src $ISP1_IP table 1
ip route add default via $ISP1_GW table 1
# table 3: ISP2, with the LAN route copied so LAN-to-LAN stays local
ip route add 203.0.113.32/29 dev wan2 src $ISP2_IP table 3
ip route add 192.168.1.0/24 dev br-lan table 3
ip route add default via $ISP2_GW table 3

ip rule add from $ISP1_IP table 1 pref 100
ip rule add from $ISP2_IP table 3 pref 101
ip rule add from 192.168.1.128/25 lookup 3 pref 200
ip rule add fwmark 3 lookup 3 pref 201
