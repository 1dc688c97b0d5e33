# Test bed: the loopback only.
ip link set lo up
# The chains ufw itself creates before it loads its files (ufw's backend, not its files).
iptables -N ufw-logging-deny
iptables -N ufw-skip-to-policy-input
# ufw's installed rule files, unchanged, in the order ufw loads them (-n: no flush).
iptables-restore -n < /usr/share/ufw/iptables/user.rules
iptables-restore -n < /usr/share/ufw/iptables/before.rules
iptables-restore -n < /usr/share/ufw/iptables/after.rules
