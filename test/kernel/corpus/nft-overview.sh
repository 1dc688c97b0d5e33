# Test bed: the interfaces the ruleset names (veth pairs, both ends here).
ip link set lo up
ip link add eth0 type veth peer name eth1
ip link add eth2 type veth peer name eth3
ip link add bond0 type veth peer name bond1
# The installed ruleset, unchanged.
nft -f /usr/share/doc/nftables/examples/overview.nft
