# Every default IPv4 rule deleted (pref 0 included, allowed on current kernels), then only
# "lookup main" put back at 32000: own addresses are no longer "local". IPv6 untouched.
ip link set lo up
ip link add a1 type veth peer name b1
ip link set b1 up
ip link set a1 up
ip addr add 10.1.0.1/24 dev a1
ip -6 addr add fd01::1/64 dev a1 nodad
ip route add default via 10.1.0.2
ip rule del pref 0
ip rule del pref 32766
ip rule del pref 32767
ip rule add pref 32000 to 10.1.0.0/24 lookup main
