# goto semantics: jump to the first rule with the target pref; the target is match-tested
# and, if it does not match, evaluation continues AFTER it; goto to a missing pref is
# "[unresolved]" (a no-op); deleting a target re-resolves to the next rule with that pref;
# adding a target later resolves the goto.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link set b1 up
ip link set a1 up
ip addr add 10.1.0.1/24 dev a1
ip route add default via 10.1.0.254
for t in 200 300 310 320 330 340 350; do
  ip route add default via 10.1.0.$((t / 10)) table $t
done

ip rule add pref 10 iif lo goto 100
ip rule add pref 20 from 10.9.0.0/16 goto 500
ip rule add pref 30 lookup 200
ip rule add pref 100 fwmark 0x1 lookup 300
ip rule add pref 101 ipproto tcp goto 160
ip rule add pref 102 fwmark 0x2 goto 150
ip rule add pref 103 to 10.33.0.0/16 goto 180
ip rule add pref 150 from 1.1.1.1 lookup 310
ip rule add pref 151 fwmark 0x2/0x2 lookup 320
ip rule add pref 160 dport 443 lookup 330
ip rule add pref 160 ipproto tcp lookup 340
ip rule add pref 170 nop
ip rule add pref 175 to 10.31.0.0/16 goto 190
ip rule add pref 180 to 10.33.0.0/16 ipproto udp lookup 350
ip rule add pref 181 to 10.33.0.0/16 goto 400

# goto whose target is deleted and later re-added
ip rule add pref 185 to 10.32.0.0/16 goto 195
ip rule add pref 195 to 10.32.0.0/16 lookup 300
ip rule add pref 195 to 10.32.0.0/16 lookup 310
ip rule del pref 195 to 10.32.0.0/16 lookup 300
ip rule add pref 176 to 10.34.0.0/16 goto 196
ip rule add pref 196 to 10.34.0.0/16 lookup 320
ip rule del pref 196
ip rule add pref 400 to 10.33.0.0/16 lookup 200
