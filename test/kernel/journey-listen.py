#!/usr/bin/env python3
"""Host-side listeners of the real-packet journey suite (a transparent proxy, a DNS server...):
the sockets a scenario expects to find on the host (`listen` lines in `<family>.peers`).

    ip netns exec HOST python3 journey-listen.py '[{"proto":"udp","addr":"127.0.0.1","port":12345,"transparent":true}, ...]'

Prints {"ev":"ready"} once every socket is open, then one JSON line per datagram received or
connection accepted: {"ev":"rx","proto","local","port","from","fport","origdst"?}. Nothing is
ever sent back (replies from the host would be extra packets in the trace).
"""
import json
import os
import select
import socket
import struct
import sys

IP_TRANSPARENT = 19
IP_RECVORIGDSTADDR = 20
IPV6_TRANSPARENT = 75
IPV6_RECVORIGDSTADDR = 74

specs = json.loads(sys.argv[1])
socks = {}
for sp in specs:
    fam = socket.AF_INET6 if ":" in sp["addr"] else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if sp["proto"] == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sp.get("transparent"):
        if fam == socket.AF_INET:
            s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
        else:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_TRANSPARENT, 1)
    if sp["proto"] == "udp":
        if fam == socket.AF_INET:
            s.setsockopt(socket.SOL_IP, IP_RECVORIGDSTADDR, 1)
        else:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVORIGDSTADDR, 1)
    s.bind((sp["addr"], int(sp["port"])))
    if sp["proto"] == "tcp":
        s.listen(64)
        s.setblocking(False)
    socks[s.fileno()] = (s, sp)


def emit(o):
    sys.stdout.write(json.dumps(o) + "\n")
    sys.stdout.flush()


def origdst(fam, cmsgs):
    for level, typ, data in cmsgs:
        if fam == socket.AF_INET and level == socket.SOL_IP and typ == IP_RECVORIGDSTADDR:
            port = struct.unpack("!H", data[2:4])[0]
            return socket.inet_ntop(socket.AF_INET, data[4:8]), port
        if fam == socket.AF_INET6 and level == socket.IPPROTO_IPV6 and typ == IPV6_RECVORIGDSTADDR:
            port = struct.unpack("!H", data[2:4])[0]
            return socket.inet_ntop(socket.AF_INET6, data[8:24]), port
    return None


emit({"ev": "ready"})
stdin = sys.stdin.fileno()
while True:
    r, _, _ = select.select(list(socks) + [stdin], [], [], 5.0)
    for fd in r:
        if fd == stdin:
            if not os.read(stdin, 4096):
                sys.exit(0)
            continue
        s, sp = socks[fd]
        if sp["proto"] == "udp":
            data, anc, _, frm = s.recvmsg(2048, 256)
            od = origdst(s.family, anc)
            emit({"ev": "rx", "proto": "udp", "local": sp["addr"], "port": sp["port"], "from": frm[0], "fport": frm[1], **({"origdst": od[0], "origport": od[1]} if od else {})})
        else:
            try:
                c, frm = s.accept()
            except BlockingIOError:
                continue
            loc = c.getsockname()
            emit({"ev": "rx", "proto": "tcp", "local": sp["addr"], "port": sp["port"], "from": frm[0], "fport": frm[1], "origdst": loc[0], "origport": loc[1]})
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
