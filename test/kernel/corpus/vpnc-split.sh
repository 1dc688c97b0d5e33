# Test bed: an uplink with a default route, a tun for the VPN, and the variables
# openconnect/vpnc hand to vpnc-script on connect (split tunnel: two included networks).
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev tun0
export reason=connect TUNDEV=tun0 VPNGATEWAY=203.0.113.5 VPNPID=4242
export INTERNAL_IP4_ADDRESS=10.8.0.2 INTERNAL_IP4_NETMASK=255.255.255.0
export INTERNAL_IP4_NETADDR=10.8.0.0 INTERNAL_IP4_NETMASKLEN=24 INTERNAL_IP4_MTU=1400
export CISCO_SPLIT_INC=2
export CISCO_SPLIT_INC_0_ADDR=10.10.0.0 CISCO_SPLIT_INC_0_MASK=255.255.0.0
export CISCO_SPLIT_INC_0_MASKLEN=16
export CISCO_SPLIT_INC_1_ADDR=172.16.0.0 CISCO_SPLIT_INC_1_MASK=255.240.0.0
export CISCO_SPLIT_INC_1_MASKLEN=12
# The installed script, unchanged.
. /usr/share/vpnc-scripts/vpnc-script
