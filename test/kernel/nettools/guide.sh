# net-tools lines as older Fake-IP / VPN guides write them, on a veth uplink and a tun.
ip link add v0 type veth peer name v1
ip link set v0 up
ip link set v1 up
ip addr add 192.168.1.2/24 dev v0
ip tuntap add utun mode tun
route add -net 198.18.0.0/16 dev utun || true
ip link set utun up
route add -net 198.18.0.0/16 dev utun
route add -net 10.0.0.0 netmask 255.0.0.0 gw 192.168.1.1
route add default gw 192.168.1.1
route add default gw 192.168.1.1 dev v0 metric 5
route add -host 1.2.3.4 dev v0
route add 5.6.7.8 dev v0
route add -net 20.0.0.0/8 reject
route add -net 10.1.0.0/16 gw 9.9.9.9 || true
route del -net 10.0.0.0 netmask 255.0.0.0
route del default
route del -net 99.0.0.0/8 || true
ifconfig utun 10.9.0.1 netmask 255.255.255.0 up
ifconfig utun mtu 1400
ifconfig v1 10.2.0.1
ifconfig v1 10.3.0.1/16
ifconfig v1 172.16.5.1 netmask 255.255.255.255
