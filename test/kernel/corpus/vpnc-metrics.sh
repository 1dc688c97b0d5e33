# Test bed: two uplinks with default routes of different metrics and a route through the tun
# (vpnc-script adds a host route to the gateway through each uplink, ordered by metric: awk
# puts the metric in front, sort -n orders, cut drops it, sed rebuilds the arguments), and
# the variables openconnect/vpnc hand to vpnc-script on connect (full tunnel: no split).
ip link set lo up
ip link add eth0 type veth peer name eth0p
ip link add eth1 type veth peer name eth1p
# IPv4 only: no IPv6 on the veths (their link-local addresses come from random MACs).
for d in eth0 eth0p eth1 eth1p; do sysctl -q -w net.ipv6.conf.$d.disable_ipv6=1; done
for d in eth0p eth1p eth0 eth1; do ip link set $d up; done
ip addr add 192.168.1.10/24 dev eth0
ip addr add 10.20.0.7/16 dev eth1
ip route add default via 192.168.1.1 dev eth0 metric 600
ip route add default via 10.20.0.1 dev eth1 metric 100
ip tuntap add mode tun dev tun0
ip link set tun0 up
ip route add default dev tun0 metric 700
export reason=connect TUNDEV=tun0 VPNGATEWAY=198.51.100.9 VPNPID=4243
export INTERNAL_IP4_ADDRESS=10.9.0.2 INTERNAL_IP4_NETMASK=255.255.255.0
export INTERNAL_IP4_NETADDR=10.9.0.0 INTERNAL_IP4_NETMASKLEN=24
# The installed script, unchanged.
. /usr/share/vpnc-scripts/vpnc-script
