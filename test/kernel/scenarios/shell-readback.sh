#!/bin/bash
# A script that reads back what it set up, as setup scripts do: routes copied line by line
# from `ip -o route show` through process substitution into an array, the uplink's address
# from `ip -o -4 addr show`, and decisions taken on `iptables-save` and `nft list ruleset`.
# routelab runs it with its shell; the kernel with bash -e. Every value it reads comes from
# the tools' output, so a byte routelab prints differently changes the rules or the routes.
set -e
# A fixed multipath hash seed: without one the kernel keys the hash with a random per-boot
# value and the multipath probe would pick either gateway.
sysctl -q -w net.ipv4.fib_multipath_hash_seed=7
ip link set lo up
ip link add eth0 type veth peer name eth0p
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
ip addr add 192.168.7.2/24 dev eth0
ip route add default via 192.168.7.1 dev eth0
ip route add 10.20.0.0/16 via 192.168.7.1 dev eth0 metric 7
ip route add 10.30.0.0/16 nexthop via 192.168.7.1 dev eth0 nexthop via 192.168.7.3 dev eth0

# The main table into table 200, one line per route (-o keeps a multipath route on one line,
# its nexthops after a backslash).
n=0
while read -r line; do
  routes[n]=${line//\\/}
  n=$((n + 1))
done < <(ip -o route show table main)
for ((k = 0; k < n; k++)); do
  ip route add table 200 ${routes[k]}
done

# Field 4 of `ip -o -4 addr show dev eth0` is the address with its prefix length.
set -- $(ip -o -4 addr show dev eth0)
ip rule add from "${4%/*}" lookup 200 pref 100

iptables -t mangle -A PREROUTING -i eth0 -j MARK --set-mark 0x7
if iptables-save -t mangle | grep -q -- '-j MARK --set-xmark 0x7/0xffffffff'; then
  ip rule add fwmark 0x7 lookup 200 pref 110
fi
appended=$(iptables-save | grep -c '^-A')
ip rule add fwmark 0x8 lookup 300 pref $((200 + appended))

nft add table inet rl
nft add chain inet rl out '{ type route hook output priority mangle; }'
if nft list ruleset | grep -q 'type route hook output priority mangle'; then
  ip rule add fwmark 0x9 lookup 200 pref 120
fi
