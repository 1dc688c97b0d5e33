# Test bed: the loopback; all-in-one.nft includes "./inet-filter.nft" etc., relative to
# the directory it is loaded from.
ip link set lo up
cd /usr/share/doc/nftables/examples
# The installed ruleset, unchanged.
nft -f /usr/share/doc/nftables/examples/all-in-one.nft
