#!/bin/sh
# A transparent-proxy setup written the way public clash/xray/sing-box scripts are: settings
# with defaults, functions taking positional parameters, if/case, $(…) and $((…)), cleanup
# lines the kernel refuses behind 2>/dev/null || true, echo > /proc/sys, and wg-quick's
# `cat <<EOF | nft -f -` idiom. routelab runs it with its shell; the kernel with bash -e.
set -e

TABLE=${TABLE:-100}
MARK=${MARK:-0x1}
LAN_IF="${LAN_IF:-eth0}"
MODE=${1:-tproxy}
BYPASS="10.0.0.0/8 172.16.0.0/12 192.168.0.0/16"

log() { printf '[setup] %s\n' "$*"; }

add_if() {
  local name=$1 addr=$2
  shift 2
  if ! ip link show "$name" >/dev/null 2>&1; then
    ip link add "$name" type veth peer name "$name-peer"
    ip link set "$name-peer" up
  fi
  ip link set "$name" up
  ip addr add "$addr" dev "$name"
  [ $# -gt 0 ] && ip route add default via "$1" dev "$name"
  return 0
}

cleanup() {
  nft delete table inet clash 2>/dev/null || true
  ip rule del fwmark "$MARK" lookup "$TABLE" 2>/dev/null || true
  ip route flush table "$TABLE" 2>/dev/null || true
  ip route flush cache
}

ip link set lo up
cleanup
add_if "$LAN_IF" 192.168.1.2/24 192.168.1.1
add_if wan1 203.0.113.2/24

echo 1 > /proc/sys/net/ipv4/ip_forward
sysctl -q -w net.ipv4.conf.all.rp_filter=0

case "$MODE" in
  tproxy)
    ip rule add fwmark "$MARK" lookup "$TABLE" pref $((TABLE * 10))
    ip route add local 0.0.0.0/0 dev lo table "$TABLE"
    ;;
  tun | redir)
    log "mode $MODE"
    ;;
  *)
    echo "unknown mode" >&2
    exit 1
    ;;
esac

# per-destination bypass: one rule per network, priorities counted up
pref=$((TABLE * 10 - ${#BYPASS}))
for net in $BYPASS; do
  pref=$((pref + 1))
  ip rule add to "$net" lookup main pref "$pref"
done

# a second table named by a computed id
T2=$(printf '%d' "$((0x2d0))")
ip route add default via 203.0.113.1 dev wan1 table "$T2"
ip rule add fwmark "$(printf '0x%x' "$T2")" lookup "$T2" pref 300

cat <<EOF | nft -f -
table inet clash {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    ip daddr { 127.0.0.0/8, 224.0.0.0/4 } return
    meta l4proto { tcp, udp } meta mark set $MARK
  }
}
EOF
log done
