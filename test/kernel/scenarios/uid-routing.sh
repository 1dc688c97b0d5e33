# uidrange rules: output lookups use the socket uid (ip route get: the uid argument or the
# caller's), input/forwarded lookups always use uid 0.
ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
ip route add default via 10.1.0.2
ip -6 route add default via fd01::2
ip route add default via 10.2.0.2 table 200
ip route add default via 10.2.0.3 table 201
ip route add default via 10.2.0.4 table 202
ip -6 route add default via fd02::2 table 200

ip rule add pref 10 uidrange 1000-2000 lookup 200
ip rule add pref 20 uidrange 0-0 to 10.30.0.0/16 lookup 201
ip rule add pref 25 uidrange 65534-65534 prohibit
# "not" inverts the whole rule: every uid outside 0-999 (also (uid_t)-1) goes to 202
ip rule add pref 30 not uidrange 0-999 lookup 202
ip -6 rule add pref 10 uidrange 1000-2000 lookup 200
