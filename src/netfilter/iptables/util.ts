/**
 * Small parsers shared by the iptables front-end: libxtables number parsing
 * (`strtoul` with base 0), ports and services, protocols, host/mask specs, and the
 * error type every parser throws. Isomorphic: no Node APIs; the host's `/etc/services`,
 * `/etc/protocols`, `/etc/passwd` are replaced by built-in tables (overridable via env).
 * @module
 */
import type { IssueCode } from "../../core/issue.js";
import type { Addr, Family } from "../../addr/ip.js";
import { parseAddr, v4, v6, MASK128, fmt4, fmt6 } from "../../addr/ip.js";

/** Exit statuses of iptables (include/xtables.h enum xtables_exittype + 1 for kernel errors). */
export const EXIT = { OTHER: 1, PARAMETER: 2, VERSION: 3, RESOURCE: 4 } as const;

/**
 * A rejected command. `message` is what iptables prints on stderr without the
 * "Try `iptables -h' ..." line; `arg` is the argv index of the offending word.
 */
export class IptError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly code: IssueCode,
    public arg?: number,
    public readonly expected?: string,
    /** Whether iptables prints the "Try `iptables -h'" line after it (PARAMETER_PROBLEM). */
    public readonly tryHelp: boolean = status === EXIT.PARAMETER,
  ) {
    super(message);
  }
}

/** Program identity used in messages: `iptables` / `ip6tables` (or `-restore`). */
export interface Prog {
  name: string;
  family: Family;
}
export const VERSION = "1.8.9";
export function progPrefix(p: Prog): string {
  return `${p.name} v${VERSION} (nf_tables): `;
}

/** xtables_error(PARAMETER_PROBLEM, ...). */
export function paramError(
  p: Prog,
  msg: string,
  arg?: number,
  code: IssueCode = "iptables.parameter",
  expected?: string,
): IptError {
  return new IptError(progPrefix(p) + msg, EXIT.PARAMETER, code, arg, expected);
}

/**
 * xtables_strtoul: strtoull(base 0) that must consume the whole string (or stop at
 * a delimiter when `allowRest`); returns [value, rest] or undefined.
 */
export function strtoul(
  s: string,
  min: number,
  max: number,
  allowRest = false,
): [number, string] | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let v: number;
  if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
  else if (body.length > 1 && body[0] === "0") v = parseInt(body, 8);
  else v = parseInt(body, 10);
  if (m[1] === "-" && v !== 0) return undefined; // wraps to a huge value: out of range
  const rest = s.slice(m[0].length);
  if (!allowRest && rest !== "") return undefined;
  if (v < min || v > max || !Number.isFinite(v)) return undefined;
  return [v, rest];
}

/** /etc/services (Debian 12 netbase): "name:port:protomask" (1 tcp, 2 udp, 4 sctp), aliases included. */
const SERVICES_TEXT =
  "Clearcase:371:2 acr-nema:104:1 afpovertcp:548:1 afs3-bos:7007:2 afs3-callback:7001:2 afs3-fileserver:7000:2 afs3-kaserver:7004:2 afs3-prserver:7002:2 afs3-rmtsys:7009:2 afs3-update:7008:2 afs3-vlserver:7003:2 afs3-volser:7005:2 amanda:10080:1 amandaidx:10082:1 amidxtape:10083:1 amqp:5672:5 amqps:5671:1 asf-rmcp:623:2 asp:27374:3 auth:113:1 authentication:113:1 babel:6696:2 bacula-dir:9101:1 bacula-fd:9102:1 bacula-sd:9103:1 bbs:7000:1 bgp:179:1 bgpd:2605:1 biff:512:2 binkp:24554:1 bootpc:68:2 bootps:67:2 canna:5680:1 cfengine:5308:1 chargen:19:3 cisco-sccp:2000:1 clc-build-daemon:8990:1 clearcase:371:2 cmd:514:1 cmip-agent:164:3 cmip-man:163:3 codaauth2:370:3 codasrv-se:2433:3 codasrv:2432:3 comsat:512:2 csync2:30865:1 cvspserver:2401:1 daap:3689:1 datametrics:1645:3 daytime:13:3 db-lsp:17500:1 dcap:22125:1 dhcpv6-client:546:2 dhcpv6-server:547:2 dicom:11112:1 dict:2628:1 dircproxy:57000:1 discard:9:3 distcc:3632:1 domain-s:853:3 domain:53:3 echo:4:3 epmap:135:1 epmd:4369:1 exec:512:1 f5-globalsite:2792:1 f5-iquery:4353:1 fax:4557:1 fido:60179:1 finger:79:1 font-service:7100:1 freeciv:5556:1 fsp:21:2 fspd:21:2 ftp-data:20:1 ftp:21:1 ftps-data:989:1 ftps:990:1 gdomap:538:3 gds-db:3050:1 gds_db:3050:1 git:9418:1 gnunet:2086:3 gnutella-rtr:6347:3 gnutella-svc:6346:3 gopher:70:1 gpsd:2947:1 gris:2135:1 groupwise:1677:1 gsidcap:22128:1 gsiftp:2811:1 gsigatekeeper:2119:1 hkp:11371:1 hprop:754:1 http-alt:8080:1 http:80:1 https:443:3 hylafax:4559:1 iax:4569:2 icp:3130:2 icpv2:3130:2 ident:113:1 imap2:143:1 imap:143:1 imaps:993:1 ingreslock:1524:1 ipp:631:1 iprop:2121:1 ipsec-nat-t:4500:2 ipx:213:2 ircd:6667:1 ircs-u:6697:1 isakmp:500:2 iscsi-target:3260:1 isisd:2608:1 isns:3205:3 iso-tsap:102:1 jabber-client:5222:1 jabber-server:5269:1 kamanda:10081:1 kdc:750:3 kerberos-adm:749:1 kerberos-iv:750:3 kerberos-master:751:3 kerberos-sec:88:3 kerberos4:750:3 kerberos5:88:3 kerberos:88:3 kerberos_master:751:2 kermit:1649:1 klogin:543:1 kpasswd:464:3 krb-prop:754:1 krb5:88:3 krb5_prop:754:1 krb_prop:754:1 krcmd:544:1 kshell:544:1 l2f:1701:2 l2tp:1701:2 ldap:389:3 ldaps:636:3 ldp:646:3 loc-srv:135:1 login:513:1 lotusnote:1352:1 lotusnotes:1352:1 lrrd:4949:1 mail:25:1 mailq:174:1 mdns:5353:2 microsoft-ds:445:1 moira-db:775:1 moira-update:777:1 moira-ureg:779:2 moira_db:775:1 moira_update:777:1 moira_ureg:779:2 mon:2583:3 ms-sql-m:1434:2 ms-sql-s:1433:1 ms-wbt-server:3389:1 mtn:4691:1 munin:4949:1 mysql-proxy:6446:1 mysql:3306:1 nbd:10809:1 nbp:2:0 netbios-dgm:138:2 netbios-ns:137:2 netbios-ssn:139:1 netstat:15:1 nfs:2049:3 nicname:43:1 nntp:119:1 nntps:563:1 nqs:607:1 nrpe:5666:1 nsca:5667:1 ntalk:518:2 ntp:123:2 ntske:4460:1 null:9:3 nut:3493:3 old-radacct:1646:3 old-radius:1645:3 omniorb:8088:1 openvpn:1194:3 ospf6d:2606:1 ospfapi:2607:1 ospfd:2604:1 passwd-server:752:2 passwd_server:752:2 pawserv:345:1 pop-3:110:1 pop3:110:1 pop3s:995:1 poppassd:106:1 portmapper:111:3 postgres:5432:1 postgresql:5432:1 predict:1210:2 printer:515:1 proofd:1093:1 ptp-event:319:2 ptp-general:320:2 puppet:8140:1 qmqp:628:1 qmtp:209:1 qotd:17:1 quote:17:1 radacct:1813:3 radius-acct:1813:3 radius:1812:3 radmin-port:4899:1 readnews:119:1 redis:6379:1 remctl:4373:1 ripd:2602:1 ripngd:2603:1 rmiregistry:1099:1 rmtcfg:1236:1 rootd:1094:1 route:520:2 routed:520:2 router:520:2 rpc2portmap:369:3 rplay:5555:2 rptp:5556:1 rsync:873:1 rtcm-sc104:2101:3 rtmp:1:0 rtsp:554:3 sa-msg-port:1646:3 saft:487:1 sane-port:6566:1 sane:6566:1 saned:6566:1 sge-execd:6445:1 sge-qmaster:6444:1 sge_execd:6445:1 sge_qmaster:6444:1 sgi-cad:17004:1 sgi-cmsd:17001:2 sgi-crsd:17002:2 sgi-gcd:17003:2 shell:514:1 sieve:4190:1 silc:706:1 sink:9:3 sip-tls:5061:3 sip:5060:3 skkserv:1178:1 smtp:25:1 smtps:465:1 smux:199:1 snmp-trap:162:3 snmp:161:3 snmptrap:162:3 snntp:563:1 snpp:444:1 socks:1080:1 source:19:3 spamd:783:1 spooler:515:1 ssh:22:1 ssmtp:465:1 submission:587:1 submissions:465:1 subversion:3690:1 sunrpc:111:3 supfiledbg:1127:1 supfilesrv:871:1 suucp:4031:1 svn:3690:1 svrloc:427:3 syslog-tls:6514:1 syslog:514:3 sysrqd:4094:1 systat:11:1 tacacs:49:3 talk:517:2 tap:113:1 tcpmux:1:1 telnet:23:1 telnets:992:1 tfido:60177:1 tftp:69:2 time:37:3 timserver:37:3 tinc:655:3 tproxy:8081:1 tsap:102:1 ttytst:19:3 untp:119:1 urd:465:1 users:11:1 uucp:540:1 uucpd:540:1 venus-se:2431:3 venus:2430:3 wais:210:1 webcache:8080:1 webmin:10000:1 who:513:2 whod:513:2 whois:43:1 wnn6:22273:1 www:80:1 x11-0:6000:1 x11-1:6001:1 x11-2:6002:1 x11-3:6003:1 x11-4:6004:1 x11-5:6005:1 x11-6:6006:1 x11-7:6007:1 x11:6000:1 xdmcp:177:2 xfs:7100:1 xinetd:9098:1 xmms2:9667:1 xmpp-client:5222:1 xmpp-server:5269:1 xtel:1313:1 xtelw:1314:1 z3950:210:1 zabbix-agent:10050:1 zabbix-trapper:10051:1 zebra:2601:1 zebrasrv:2600:1 zephyr-clt:2103:2 zephyr-hm:2104:2 zephyr-srv:2102:2 zip:6:0 zope-ftp:8021:1 zope:9673:1 zserv:346:1";
const SERVICES = new Map<string, [number, number]>();
for (const e of SERVICES_TEXT.split(" ")) {
  const [n, p, m] = e.split(":");
  SERVICES.set(n!, [Number(p), Number(m)]);
}

/**
 * xtables_parse_port: number (base 0) or service name for `proto` (getservbyname; any
 * protocol when undefined); undefined when invalid.
 */
export function parsePortNum(s: string, env?: IptEnv, proto?: string): number | undefined {
  const n = strtoul(s, 0, 65535);
  if (n) return n[0];
  const custom = env?.services?.[s];
  if (custom !== undefined) return custom;
  const e = SERVICES.get(s);
  if (!e) return undefined;
  const bit =
    proto === undefined ? 7 : proto === "tcp" ? 1 : proto === "udp" ? 2 : proto === "sctp" ? 4 : 0;
  return e[1] & bit ? e[0] : undefined;
}

/** xtables_chain_protos, then /etc/protocols (first name per number). */
const CHAIN_PROTOS: Array<[string, number]> = [
  ["tcp", 6],
  ["sctp", 132],
  ["udp", 17],
  ["udplite", 136],
  ["icmp", 1],
  ["ipv6-icmp", 58],
  ["icmpv6", 58],
  ["esp", 50],
  ["ah", 51],
  ["ipv6-mh", 135],
  ["mh", 135],
  ["all", 0],
];
const ETC_PROTOCOLS: Array<[string, number]> = [
  ["ip", 0],
  ["hopopt", 0],
  ["icmp", 1],
  ["igmp", 2],
  ["ggp", 3],
  ["ipencap", 4],
  ["st", 5],
  ["tcp", 6],
  ["egp", 8],
  ["igp", 9],
  ["pup", 12],
  ["udp", 17],
  ["hmp", 20],
  ["xns-idp", 22],
  ["rdp", 27],
  ["iso-tp4", 29],
  ["dccp", 33],
  ["xtp", 36],
  ["ddp", 37],
  ["idpr-cmtp", 38],
  ["ipv6", 41],
  ["ipv6-route", 43],
  ["ipv6-frag", 44],
  ["idrp", 45],
  ["rsvp", 46],
  ["gre", 47],
  ["esp", 50],
  ["ah", 51],
  ["skip", 57],
  ["ipv6-icmp", 58],
  ["ipv6-nonxt", 59],
  ["ipv6-opts", 60],
  ["rspf", 73],
  ["vmtp", 81],
  ["eigrp", 88],
  ["ospf", 89],
  ["ax.25", 93],
  ["ipip", 94],
  ["etherip", 97],
  ["encap", 98],
  ["pim", 103],
  ["ipcomp", 108],
  ["vrrp", 112],
  ["l2tp", 115],
  ["isis", 124],
  ["sctp", 132],
  ["fc", 133],
  ["mobility-header", 135],
  ["udplite", 136],
  ["mpls-in-ip", 137],
  ["manet", 138],
  ["hip", 139],
  ["shim6", 140],
  ["wesp", 141],
  ["rohc", 142],
  ["ethernet", 143],
];

/** xtables_parse_protocol (input already lower-cased); undefined when unknown. */
export function parseProtocol(s: string): number | undefined {
  const n = strtoul(s, 0, 255);
  if (n) return n[0];
  if (s === "all") return 0;
  for (const [name, num] of ETC_PROTOCOLS) if (name === s) return num;
  for (const [name, num] of CHAIN_PROTOS) if (name === s) return num;
  return undefined;
}

/** proto_to_name(proto, 0) as iptables-save prints `-p`. */
export function protoName(n: number): string | undefined {
  for (const [name, num] of CHAIN_PROTOS) if (num === n) return name;
  for (const [name, num] of ETC_PROTOCOLS) if (num === n) return name;
  return undefined;
}

/** Name resolution the real host would do (users, groups, services, hosts). */
export interface IptEnv {
  users?: Record<string, number>;
  groups?: Record<string, number>;
  services?: Record<string, number>;
  /** Host names -> addresses (getaddrinfo); `localhost` is built in. */
  hosts?: Record<string, string[]>;
}

export const DEFAULT_USERS: Record<string, number> = {
  root: 0,
  daemon: 1,
  bin: 2,
  sys: 3,
  sync: 4,
  games: 5,
  man: 6,
  lp: 7,
  mail: 8,
  news: 9,
  uucp: 10,
  proxy: 13,
  "www-data": 33,
  backup: 34,
  list: 38,
  irc: 39,
  _apt: 42,
  nobody: 65534,
};
export const DEFAULT_GROUPS: Record<string, number> = {
  root: 0,
  daemon: 1,
  bin: 2,
  sys: 3,
  adm: 4,
  tty: 5,
  disk: 6,
  lp: 7,
  mail: 8,
  news: 9,
  uucp: 10,
  man: 12,
  proxy: 13,
  kmem: 15,
  dialout: 20,
  cdrom: 24,
  sudo: 27,
  audio: 29,
  "www-data": 33,
  backup: 34,
  operator: 37,
  list: 38,
  irc: 39,
  staff: 50,
  games: 60,
  users: 100,
  nogroup: 65534,
};

/** An address with a (possibly non-CIDR) mask, as iptables stores `-s`/`-d`. */
export interface AddrMask {
  addr: Addr;
  mask: Addr;
}

function maskOfLen(f: Family, len: number): Addr {
  if (f === 4) return v4(len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0);
  return v6(len <= 0 ? 0n : (MASK128 << BigInt(128 - len)) & MASK128);
}

/** CIDR length of a mask, or -1 when not contiguous. */
export function maskLen(m: Addr): number {
  if (m.family === 4) {
    const v = m.v >>> 0;
    for (let l = 0; l <= 32; l++) if ((maskOfLen(4, l).v as number) === v) return l;
    return -1;
  }
  for (let l = 0; l <= 128; l++) if ((maskOfLen(6, l).v as bigint) === m.v) return l;
  return -1;
}

export function andAddr(a: Addr, m: Addr): Addr {
  return a.family === 4 ? v4((a.v & (m.v as number)) >>> 0) : v6(a.v & (m.v as bigint));
}

export function addrIsZero(a: Addr): boolean {
  return a.family === 4 ? a.v === 0 : a.v === 0n;
}

/** inet_ntop. */
export function ntop(a: Addr): string {
  return a.family === 4 ? fmt4(a.v) : fmt6(a.v);
}

/** xtables_numeric_to_ipaddr: 1-4 dotted parts, missing parts zero on the right (`10.1` = 10.1.0.0). */
function numericV4(s: string): Addr | undefined {
  if (s === "" || s.endsWith(".")) return undefined;
  const parts = s.split(".");
  if (parts.length > 4) return undefined;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    let n = 0;
    if (p !== undefined) {
      const r = strtoul(p, 0, 255);
      if (!r) return undefined;
      n = r[0];
    }
    v = v * 256 + n;
  }
  return v4(v >>> 0);
}

/** Resolve one host spec (numeric or name) into addresses; undefined when not found. */
export function resolveHost(s: string, f: Family, env?: IptEnv): Addr[] | undefined {
  if (f === 4) {
    const a = numericV4(s);
    if (a) return [a];
  } else {
    const r = parseAddr(s, 6);
    if (r.ok) return [r.value];
  }
  // Debian's /etc/hosts: `127.0.0.1 localhost`, `::1 ip6-localhost ip6-loopback` (ip6tables
  // does not resolve `localhost` there: getaddrinfo(AF_INET6) finds no AAAA for it).
  const names =
    env?.hosts?.[s] ??
    (s === "localhost" && f === 4
      ? ["127.0.0.1"]
      : (s === "ip6-localhost" || s === "ip6-loopback") && f === 6
        ? ["::1"]
        : undefined);
  if (!names) return undefined;
  const out: Addr[] = [];
  for (const n of names) {
    const r = parseAddr(n, f);
    if (r.ok) out.push(r.value);
  }
  return out.length ? out : undefined;
}

/**
 * xtables_ipparse_multiple / xtables_ip6parse_multiple: comma-separated host[/mask]
 * list, each masked; duplicates (same unmasked address and mask) dropped.
 */
export function parseHostMaskList(
  spec: string,
  f: Family,
  p: Prog,
  arg: number | undefined,
  env?: IptEnv,
): AddrMask[] {
  const out: AddrMask[] = [];
  const seen = new Set<string>();
  for (const item of spec.split(",")) {
    const slash = item.indexOf("/");
    const host = slash >= 0 ? item.slice(0, slash) : item;
    let mask: Addr = maskOfLen(f, f === 4 ? 32 : 128);
    if (slash >= 0) {
      const ms = item.slice(slash + 1);
      const n = strtoul(ms, 0, f === 4 ? 32 : 128);
      if (n) mask = maskOfLen(f, n[0]);
      else {
        let m: Addr | undefined;
        if (f === 4) {
          const r = parseAddr(ms, 4);
          if (r.ok) m = r.value;
        } else {
          const r = parseAddr(ms, 6);
          if (r.ok) m = r.value;
        }
        if (!m)
          throw paramError(
            p,
            `invalid mask \`${ms}' specified`,
            arg,
            "iptables.bad-mask",
            "a prefix length or a netmask",
          );
        mask = m;
      }
    }
    // A /0 host part is not resolved by iptables when mask is zero? It is: "0/0" parses fine.
    const addrs = resolveHost(host, f, env);
    if (!addrs)
      throw paramError(
        p,
        `host/network \`${host}' not found`,
        arg,
        "iptables.bad-host",
        f === 4 ? "an IPv4 address or host name" : "an IPv6 address or host name",
      );
    for (const a of addrs) {
      // iptables drops an entry equal (unmasked address and mask) to the one before it
      const key = `${String(a.v)}/${String(mask.v)}`;
      if (seen.has(key)) continue;
      seen.clear();
      seen.add(key);
      out.push({ addr: andAddr(a, mask), mask });
    }
  }
  return out;
}

/** `addr/len` or `addr/mask` as iptables-save prints (`-d 10.1.2.3/32`). */
export function formatAddrMask(am: AddrMask): string {
  const l = maskLen(am.mask);
  return `${ntop(am.addr)}/${l >= 0 ? String(l) : ntop(am.mask)}`;
}

/** xtables_save_string: bare when only [_-0-9a-zA-Z], else double-quoted with \" \\ \' escapes. */
export function saveString(s: string): string {
  if (/^[_\-0-9a-zA-Z]+$/.test(s)) return s;
  return `"${s.replace(/["\\']/g, (c) => "\\" + c)}"`;
}

export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16);
}

/** Match an interface name against an iptables pattern (`eth+` prefix wildcard). */
export function ifaceMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith("+")) return name.startsWith(pattern.slice(0, -1));
  return name === pattern;
}

export function addrInMask(a: Addr, am: AddrMask): boolean {
  if (a.family !== am.addr.family) return false;
  return andAddr(a, am.mask).v === am.addr.v;
}

export function addrCmp(a: Addr, b: Addr): number {
  const x = BigInt(a.v),
    y = BigInt(b.v);
  return x < y ? -1 : x > y ? 1 : 0;
}
