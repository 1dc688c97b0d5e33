# Test bed: the loopback only.
ip link set lo up
# The chains ufw itself creates before it loads its files (ufw's backend, not its files).
ip6tables -N ufw6-logging-deny
ip6tables -N ufw6-skip-to-policy-input
# ufw's installed rule files, unchanged, in the order ufw loads them (-n: no flush).
ip6tables-restore -n < /usr/share/ufw/iptables/user6.rules
ip6tables-restore -n < /usr/share/ufw/iptables/before6.rules
ip6tables-restore -n < /usr/share/ufw/iptables/after6.rules
