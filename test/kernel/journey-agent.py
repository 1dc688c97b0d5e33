#!/usr/bin/env python3
"""Far-side agent of the real-packet journey suite (test/kernel/journey.kernel.test.ts).

Runs inside a peer namespace, on the far end of one of the host's veths:

    ip netns exec PEER python3 journey-agent.py IFNAME

It owns the link through an AF_PACKET socket, so the peer's own kernel never has to route,
answer or accept anything (the harness drops every IP packet in the peer's PREROUTING):

* answers every ARP request and IPv6 neighbour solicitation for any address with its own MAC
  (so routes `via GW` and on-link routes `dev X` both resolve), except DAD/gratuitous probes;
* records every TCP/UDP frame that arrives (not the ones it sends) as a JSON line
  {"ev":"rx", "if", "fam", "proto", "saddr", "daddr", "sport", "dport", "tos", "ttl", "flags"};
* on {"op":"reply","proto":P,"port":N} (stdin) it answers the next arriving P packet whose
  source port is N as the far end would: UDP datagram back, or SYN-ACK to a SYN;
* on {"op":"reset"} it forgets pending reply requests;
* on {"op":"inject",...} (stdin) it sends one crafted frame to the host (a packet that
  "arrives" on the host's interface: any source address, TOS, TCP SYN or UDP).

Every event is one JSON object per line on stdout (flushed). Python 3 stdlib only.
"""
import json
import os
import random
import select
import socket
import struct
import sys

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4

ifname = sys.argv[1]
mymac = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
sock.bind((ifname, 0))
replies = {}  # (proto, port) -> True


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def l4_csum(fam, src, dst, proto, seg):
    if fam == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    else:
        pseudo = src + dst + struct.pack("!I3xB", len(seg), proto)
    c = csum(pseudo + seg)
    return c if c != 0 or proto != 17 else 0xFFFF


def ip_bytes(fam, a):
    return socket.inet_pton(socket.AF_INET if fam == 4 else socket.AF_INET6, a)


def build_l4(fam, proto, src, dst, sport, dport, flags="S", seq=None, ack=0, payload=b"rlj"):
    if proto == 17:
        seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        c = l4_csum(fam, src, dst, 17, seg)
        return seg[:6] + struct.pack("!H", c) + seg[8:]
    fl = {"S": 0x02, "SA": 0x12, "A": 0x10, "R": 0x04, "RA": 0x14}[flags]
    seq = random.getrandbits(32) if seq is None else seq
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, fl, 64240, 0, 0)
    c = l4_csum(fam, src, dst, 6, seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def build_ip(fam, proto, src, dst, l4, tos=0, ttl=64):
    if fam == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(l4), random.getrandbits(16), 0x4000, ttl, proto, 0, src, dst)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        return ETH_P_IP, hdr + l4
    vtf = (6 << 28) | (tos << 20)
    return ETH_P_IPV6, struct.pack("!IHBB16s16s", vtf, len(l4), proto, ttl, src, dst) + l4


def send_frame(dstmac, ethertype, payload):
    sock.send(dstmac + mymac + struct.pack("!H", ethertype) + payload)


def parse_ip(ethertype, p):
    """-> dict with fam, proto, saddr, daddr (bytes and text), l4 offset, tos, ttl, or None."""
    if ethertype == ETH_P_IP and len(p) >= 20:
        ihl = (p[0] & 0x0F) * 4
        return {"fam": 4, "proto": p[9], "src": p[12:16], "dst": p[16:20], "l4": p[ihl:], "tos": p[1], "ttl": p[8]}
    if ethertype == ETH_P_IPV6 and len(p) >= 40:
        vtf = struct.unpack("!I", p[0:4])[0]
        return {"fam": 6, "proto": p[6], "src": p[8:24], "dst": p[24:40], "l4": p[40:], "tos": (vtf >> 20) & 0xFF, "ttl": p[7]}
    return None


def handle_arp(eth_src, p):
    if len(p) < 28:
        return
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", p[:8])
    if op != 1 or ptype != ETH_P_IP:
        return
    sha, spa, tpa = p[8:14], p[14:18], p[24:28]
    if spa == tpa or spa == b"\0\0\0\0":
        return  # gratuitous ARP / address conflict probe: not ours to answer
    reply = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 2) + mymac + tpa + sha + spa
    send_frame(eth_src, ETH_P_ARP, reply)


def handle_ns(eth_src, ip):
    l4 = ip["l4"]
    if len(l4) < 24 or ip["src"] == b"\0" * 16:
        return  # DAD probes (from ::) must stay unanswered, or the host's address fails DAD
    target = l4[8:24]
    if target[0] == 0xFF:
        return
    body = struct.pack("!BBHI", 136, 0, 0, 0x60000000) + target + struct.pack("!BB", 2, 1) + mymac
    c = l4_csum(6, target, ip["src"], 58, body)
    body = body[:2] + struct.pack("!H", c) + body[4:]
    et, pkt = build_ip(6, 58, target, ip["src"], body, ttl=255)
    send_frame(eth_src, et, pkt)


def handle_ip(eth_src, ethertype, p, pkttype):
    ip = parse_ip(ethertype, p)
    if ip is None:
        return
    if ip["fam"] == 6 and ip["proto"] == 58 and len(ip["l4"]) >= 1 and ip["l4"][0] == 135:
        handle_ns(eth_src, ip)
        return
    if ip["proto"] not in (6, 17) or len(ip["l4"]) < 8:
        return
    l4 = ip["l4"]
    sport, dport = struct.unpack("!HH", l4[:4])
    af = socket.AF_INET if ip["fam"] == 4 else socket.AF_INET6
    ev = {
        "ev": "rx", "if": ifname, "fam": ip["fam"], "proto": "tcp" if ip["proto"] == 6 else "udp",
        "saddr": socket.inet_ntop(af, ip["src"]), "daddr": socket.inet_ntop(af, ip["dst"]),
        "sport": sport, "dport": dport, "tos": ip["tos"], "ttl": ip["ttl"], "pkttype": pkttype,
    }
    tcpflags = None
    if ip["proto"] == 6 and len(l4) >= 14:
        tcpflags = l4[13]
        ev["flags"] = tcpflags
    emit(ev)
    key = (ip["proto"], sport)
    if key not in replies:
        return
    if ip["proto"] == 6 and tcpflags is not None and not (tcpflags & 0x02 and not tcpflags & 0x10):
        return  # answer the SYN only
    del replies[key]
    if ip["proto"] == 6:
        seq = struct.unpack("!I", l4[4:8])[0]
        seg = build_l4(ip["fam"], 6, ip["dst"], ip["src"], dport, sport, flags="SA", ack=(seq + 1) & 0xFFFFFFFF)
    else:
        seg = build_l4(ip["fam"], 17, ip["dst"], ip["src"], dport, sport, payload=b"rlj-reply")
    et, pkt = build_ip(ip["fam"], ip["proto"], ip["dst"], ip["src"], seg, tos=0)
    send_frame(eth_src, et, pkt)
    emit({"ev": "replied", "if": ifname, "proto": ev["proto"], "saddr": ev["daddr"], "daddr": ev["saddr"], "sport": dport, "dport": sport})


def command(line):
    try:
        c = json.loads(line)
    except ValueError:
        emit({"ev": "error", "error": f"bad command {line!r}"})
        return
    op = c.get("op")
    if op == "reply":
        replies[(6 if c["proto"] == "tcp" else 17, int(c["port"]))] = True
        emit({"ev": "ok", "id": c.get("id")})
    elif op == "inject":
        fam = 6 if ":" in c["daddr"] else 4
        proto = 6 if c["proto"] == "tcp" else 17
        src, dst = ip_bytes(fam, c["saddr"]), ip_bytes(fam, c["daddr"])
        seg = build_l4(fam, proto, src, dst, int(c["sport"]), int(c["dport"]), flags="S")
        et, pkt = build_ip(fam, proto, src, dst, seg, tos=int(c.get("tos", 0)))
        send_frame(bytes.fromhex(c["dstmac"].replace(":", "")), et, pkt)
        emit({"ev": "injected", "id": c.get("id")})
    elif op == "reset":
        replies.clear()
        emit({"ev": "ok", "id": c.get("id")})
    elif op == "ping":
        emit({"ev": "pong", "id": c.get("id")})
    else:
        emit({"ev": "error", "error": f"unknown op {op!r}"})


def main():
    emit({"ev": "ready", "if": ifname, "mac": mymac.hex(":")})
    buf = b""
    stdin = sys.stdin.fileno()
    while True:
        r, _, _ = select.select([sock, stdin], [], [], 5.0)
        if sock in r:
            data, addr = sock.recvfrom(65535)
            if addr[2] != PACKET_OUTGOING and len(data) >= 14:
                ethertype = struct.unpack("!H", data[12:14])[0]
                if ethertype == ETH_P_ARP:
                    handle_arp(data[6:12], data[14:])
                else:
                    handle_ip(data[6:12], ethertype, data[14:], addr[2])
        if stdin in r:
            chunk = os.read(stdin, 65536)
            if not chunk:
                return  # the harness closed our stdin: done
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip():
                    command(line.decode())


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
