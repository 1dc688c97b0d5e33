# ifconfig repeating what a DHCP client's script repeats on renew: the address the device
# has (SIOCSIFADDR does nothing), the same netmask and broadcast (nothing), then a new
# netmask (the address is re-inserted with it) and a new broadcast; routes through the
# gateway stay as long as the address does.
ip link add v0 type veth peer name v1
ip link set v0 up
ip link set v1 up
ip addr add 192.168.60.23/24 brd 192.168.60.255 dev v0
ip route add 10.0.0.0/8 via 192.168.60.9 dev v0
ifconfig v0 192.168.60.23 netmask 255.255.255.0 broadcast 192.168.60.255
ifconfig v0 192.168.60.23
ifconfig v0 192.168.60.23 netmask 255.255.0.0
ifconfig v0 192.168.60.23 broadcast 192.168.60.127
ip addr add 10.5.0.1/16 dev v1
ifconfig v1 10.5.0.1 netmask 255.255.0.0
