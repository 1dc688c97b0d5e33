# A TPROXY gateway (kernel-semantics.md 3.5, E58): LAN traffic to the Internet is diverted
# in mangle PREROUTING to a transparent proxy on 127.0.0.1:12345 (tproxy-gateway.peers
# starts it); mark 1 + `local default dev lo table 100` delivers it locally.
ip link set lo up
ip link add lan0 type veth peer name lanp
ip link add wan0 type veth peer name wanp
for d in lan0 lanp wan0 wanp; do ip link set $d up; done
ip addr add 192.168.1.1/24 dev lan0
ip addr add 203.0.113.2/24 dev wan0
ip route add default via 203.0.113.1
sysctl -w net.ipv4.ip_forward=1
ip rule add pref 100 fwmark 0x1/0x1 lookup 100
ip route add local default dev lo table 100
iptables -t mangle -N PROXY
iptables -t mangle -A PROXY -d 192.168.0.0/16 -j RETURN
iptables -t mangle -A PROXY -d 127.0.0.0/8 -j RETURN
# nobody listens on 12399: TPROXY drops
iptables -t mangle -A PROXY -p udp --dport 5000 -j TPROXY --on-port 12399 --on-ip 127.0.0.1 --tproxy-mark 0x1/0x1
iptables -t mangle -A PROXY -p udp -j TPROXY --on-port 12345 --on-ip 127.0.0.1 --tproxy-mark 0x1/0x1
iptables -t mangle -A PROXY -p tcp -j TPROXY --on-port 12345 --on-ip 127.0.0.1 --tproxy-mark 0x1/0x1
iptables -t mangle -A PREROUTING -i lan0 -j PROXY
iptables -t nat -A POSTROUTING -o wan0 -j MASQUERADE
