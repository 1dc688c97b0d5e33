# E64 (goto/RETURN) and E61 (MARK/CONNMARK arithmetic) in mangle OUTPUT.
#   OUTPUT -j A; OUTPUT --or-mark 0x100; A: -g B, --or-mark 0x10; B: --or-mark 0x1, RETURN, --or-mark 0x2
#   => RETURN in B returns to OUTPUT (the caller of A): 0x101.
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in a1 a2 b1 c1; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
iptables -t mangle -N A
iptables -t mangle -N B
iptables -t mangle -A OUTPUT -p udp --dport 9999 -j A
iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --or-mark 0x100
iptables -t mangle -A A -g B
iptables -t mangle -A A -j MARK --or-mark 0x10
iptables -t mangle -A B -j MARK --or-mark 0x1
iptables -t mangle -A B -j RETURN
iptables -t mangle -A B -j MARK --or-mark 0x2
# E61: SO_MARK 0xabcd -> 0x...e1f
iptables -t mangle -A OUTPUT -p udp --dport 9998 -j MARK --set-xmark 0x12/0xf0
iptables -t mangle -A OUTPUT -p udp --dport 9998 -j CONNMARK --set-xmark 0x5500/0xffffffff
iptables -t mangle -A OUTPUT -p udp --dport 9998 -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff
iptables -t mangle -A OUTPUT -p udp --dport 9998 -j CONNMARK --restore-mark --nfmask 0xf000 --ctmask 0x0f00
# and/xor
iptables -t mangle -A OUTPUT -p tcp --dport 9998 -j MARK --and-mark 0xff00
iptables -t mangle -A OUTPUT -p tcp --dport 9998 -j MARK --xor-mark 0x3
ip rule add pref 100 fwmark 0x101 lookup 100
