# Test bed: a gateway with its uplink, and the variables charon hands to its default updown
# script (leftfirewall=yes: run as `_updown iptables`) when a site-to-site CHILD_SA between
# 10.1.0.0/16 and 10.2.0.0/16 comes up, with a virtual IP (host access rules too).
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
export PLUTO_VERSION=1.1 PLUTO_VERB=up-client PLUTO_CONNECTION=site PLUTO_INTERFACE=eth0
export PLUTO_REQID=1 PLUTO_PROTO=esp PLUTO_UNIQUEID=1
export PLUTO_ME=192.168.1.10 PLUTO_MY_ID=gw.example.org PLUTO_MY_CLIENT=10.1.0.0/16
export PLUTO_MY_PORT=0 PLUTO_MY_PROTOCOL=0 PLUTO_MY_SOURCEIP=10.1.0.1
export PLUTO_PEER=203.0.113.9 PLUTO_PEER_ID=peer.example.org PLUTO_PEER_CLIENT=10.2.0.0/16
export PLUTO_PEER_PORT=0 PLUTO_PEER_PROTOCOL=0
# The installed script, unchanged.
. /usr/lib/ipsec/_updown iptables
