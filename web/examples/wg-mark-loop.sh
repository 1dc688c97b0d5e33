# The page's broken example (web/src/examples.ts): a WireGuard full tunnel set up by hand.
# wg0 marks its own encrypted packets with fwmark 51820 (0xca6c), but the tunnel's rule
# forgot "not fwmark 51820", so they are routed back into wg0: a loop. `routelab lint` finds
# it; wg-mark-fixed.sh beside this file is the fix, and
#   routelab diff --load web/examples/wg-mark-loop.sh --against web/examples/wg-mark-fixed.sh
# shows exactly the packets it moves. (Not a kernel-suite scenario: it needs a WireGuard
# device, which the suite's namespaces do not have; the lint fixture
# test/analysis/lint/cases/wg-mark-loop.sh is the same setup.)
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip link add wg0 type wireguard
ip addr add 10.0.0.2/32 dev wg0
ip link set wg0 up
wg set wg0 fwmark 51820
ip rule add lookup 51820 pref 100
ip route add default dev wg0 table 51820
