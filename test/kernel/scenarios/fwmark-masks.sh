# fwmark selector corner cases: "fwmark 0" (no mask => matches everything) versus
# "fwmark 0/0xffffffff" (only unmarked), masked values, inverted marks, "fwmark 0x1/0".
# An inverted rule with a destination comes last. Every table routes via a different gateway so the answer shows which rule matched.
ip link set lo up
ip link add a1 type veth peer name b1
ip link set b1 up
ip link set a1 up
ip addr add 10.1.0.1/24 dev a1
ip route add default via 10.1.0.254
for t in 210 220 230 240 250 260 270 280; do
  ip route add default via 10.1.0.$((t - 200)) table $t
done
ip rule add pref 10 fwmark 0xff lookup 210
ip rule add pref 20 fwmark 0x10/0xf0 lookup 220
ip rule add pref 30 fwmark 0x100/0x100 lookup 230
ip rule add pref 40 fwmark 0/0xffffffff to 10.40.0.0/16 lookup 240
ip rule add pref 50 fwmark 0/0xff00 to 10.50.0.0/16 lookup 250
ip rule add pref 70 fwmark 0x1/0 to 10.70.0.0/16 lookup 270
ip rule add pref 80 fwmark 0 to 10.80.0.0/16 lookup 280
ip rule add pref 90 fwmark 0xffffffff lookup 210
# "not" inverts the whole conjunction: this matches every flow outside 10.60.0.0/16 too
ip rule add pref 95 not fwmark 0x5/0xf to 10.60.0.0/16 lookup 260
