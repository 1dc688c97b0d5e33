# Test bed: the loopback only (the script names eth0, eth1, tun+ and tap+ in its matches,
# which iptables accepts for interfaces that do not exist).
ip link set lo up
# The installed sample script, unchanged.
. /usr/share/doc/openvpn/examples/sample-config-files/firewall.sh
