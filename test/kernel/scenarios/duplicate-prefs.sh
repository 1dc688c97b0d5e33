# Several rules at the same pref (allowed when they differ), insertion order among equals,
# automatic prefs (second rule's pref - 1), first-match delete.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link set b1 up
ip link set a1 up
ip addr add 10.1.0.1/24 dev a1
ip route add default via 10.1.0.254
for t in 100 101 102 300 301 302; do
  ip route add default via 10.1.0.$((t - 90)) table $t
done
ip route add 10.77.0.0/16 via 10.1.0.77 table 103

ip rule add pref 500 from 10.9.0.0/16 lookup 100
ip rule add pref 500 from 10.9.0.0/16 lookup 101
ip rule add pref 500 from 10.9.0.0/16 lookup 102 protocol static
ip rule add pref 500 from 10.9.1.0/24 lookup 100
ip rule del from 10.9.0.0/16
ip rule add pref 600 to 10.60.0.0/16 lookup 300
ip rule add pref 600 from 1.1.1.1 to 10.60.0.0/16 lookup 301
ip rule add pref 600 fwmark 0x1 to 10.60.0.0/16 lookup 302
# unnumbered rules: 499, 498, 497
ip rule add to 10.61.0.0/16 lookup 300
ip rule add to 10.61.0.0/16 lookup 301
ip rule add to 10.62.0.0/16 lookup 103
ip rule add pref 499 to 10.62.0.0/16 lookup 302
