# Test bed: the loopback only.
ip link set lo up
# The installed ruleset, unchanged.
nft -f /usr/share/doc/nftables/examples/ipv6-filter.nft
