#!/usr/bin/env python3
"""Local sender of the real-packet journey suite: one packet from a real socket in the host
namespace, as the process of a `trace` line would send it.

    ip netns exec HOST setpriv --reuid U --regid G --clear-groups \
        --inh-caps +net_admin,+net_raw --ambient-caps +net_admin,+net_raw \
        python3 journey-send.py '{"dst":..., "dport":..., "proto":"udp", ...}'

Options (JSON): dst, dport, proto (udp|tcp), sport, from (bind address, IP_FREEBIND so a
foreign address fails at the route lookup like `ip route get ... from`), oif
(SO_BINDTODEVICE), mark (SO_MARK), tos (IP_TOS / IPV6_TCLASS), reply (wait for the far
side's answer), wait_ms.

UDP is an unconnected sendto(); TCP is a non-blocking connect() (its SYN is the packet).
Prints one JSON line: {"ok":true,...} or {"ok":false,"errno":"ENETUNREACH","error":"Network is unreachable"}.
"""
import errno
import json
import os
import select
import socket
import sys
import time

SO_MARK = 36
SO_BINDTODEVICE = 25
IP_FREEBIND = 15
IPV6_TCLASS = 67

o = json.loads(sys.argv[1])
fam = socket.AF_INET6 if ":" in o["dst"] else socket.AF_INET
tcp = o.get("proto", "udp") == "tcp"
wait = o.get("wait_ms", 700) / 1000.0
out = {"uid": os.getuid(), "gid": os.getgid()}


def fail(e, stage):
    out.update({"ok": False, "stage": stage, "errno": errno.errorcode.get(e.errno, str(e.errno)), "error": os.strerror(e.errno)})
    print(json.dumps(out))
    sys.exit(0)


s = socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
try:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if o.get("mark") is not None:
        s.setsockopt(socket.SOL_SOCKET, SO_MARK, int(o["mark"]))
    if o.get("oif"):
        s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, o["oif"].encode())
    if o.get("tos") is not None:
        if fam == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, int(o["tos"]))
        else:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_TCLASS, int(o["tos"]))
    if o.get("from"):
        s.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
    s.bind((o.get("from") or ("::" if fam == socket.AF_INET6 else "0.0.0.0"), int(o.get("sport", 0))))
except OSError as e:
    fail(e, "setup")

dst = (o["dst"], int(o["dport"]))
if not tcp:
    try:
        s.sendto(b"rlj", dst)
    except OSError as e:
        fail(e, "send")
    out["ok"] = True
    if o.get("reply"):
        r, _, _ = select.select([s], [], [], wait)
        if r:
            try:
                data, frm = s.recvfrom(2048)
                out["reply"] = {"from": frm[0], "port": frm[1], "data": data.decode(errors="replace")}
            except OSError as e:
                out["reply_error"] = os.strerror(e.errno)
else:
    s.setblocking(False)
    rc = s.connect_ex(dst)
    if rc not in (0, errno.EINPROGRESS):
        fail(OSError(rc, os.strerror(rc)), "connect")
    out["ok"] = True
    try:
        out["local"] = s.getsockname()[0]
    except OSError:
        pass
    if o.get("reply"):
        _, w, _ = select.select([], [s], [], wait)
        if w:
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err == 0:
                out["reply"] = {"connected": True}
            else:
                out["reply_error"] = os.strerror(err)
    else:
        time.sleep(0.01)
print(json.dumps(out))
