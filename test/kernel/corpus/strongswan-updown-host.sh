# Test bed: a host with its uplink, and the variables charon hands to its default updown
# script (leftfirewall=yes: run as `_updown iptables`) when a host-to-host CHILD_SA for UDP
# port 1701 (L2TP over IPsec) comes up; then the same SA going down again removes its rules.
ip link set lo up
ip link add eth0 type veth peer name eth0p
# IPv4 only: no IPv6 on the veth (its link-local address comes from a random MAC).
sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1
sysctl -q -w net.ipv6.conf.eth0p.disable_ipv6=1
ip link set eth0p up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
export PLUTO_VERSION=1.1 PLUTO_CONNECTION=l2tp PLUTO_INTERFACE=eth0
export PLUTO_REQID=2 PLUTO_PROTO=esp PLUTO_UNIQUEID=2
export PLUTO_ME=192.168.1.10 PLUTO_MY_ID=192.168.1.10 PLUTO_MY_CLIENT=192.168.1.10/32
export PLUTO_MY_PORT=1701 PLUTO_MY_PROTOCOL=17
export PLUTO_PEER=198.51.100.7 PLUTO_PEER_ID=198.51.100.7 PLUTO_PEER_CLIENT=198.51.100.7/32
export PLUTO_PEER_PORT=0 PLUTO_PEER_PROTOCOL=17
# The installed script, unchanged, each run in a subshell as charon runs it in a process of
# its own: up for this SA and for a second one (IKE's port 500), then down for this one.
(PLUTO_VERB=up-host; . /usr/lib/ipsec/_updown iptables)
(PLUTO_VERB=up-host PLUTO_REQID=3 PLUTO_MY_PORT=500 PLUTO_PEER_PORT=500
  . /usr/lib/ipsec/_updown iptables)
(PLUTO_VERB=down-host; . /usr/lib/ipsec/_updown iptables)
