/**
 * The virtual host: links, addresses, routing tables, the RPDB, sysctls and recorded
 * netfilter commands. Field names follow the kernel and iproute2 (fib_rule, fib_alias,
 * fib_nh, ifaddr) so the code can be read next to `fib_rules.c` and `fib_trie.c`.
 * @module
 */
import type { Addr, Prefix } from "../addr/ip.js";
import type { Family, LinkKind, RouteType } from "../core/kinds.js";
import type { SourceLoc } from "../core/loc.js";

export interface Link {
  ifindex: number;
  name: string;
  kind: LinkKind;
  /** "aa:bb:cc:dd:ee:ff"; null for tun (link/none). */
  mac: string | null;
  mtu: number;
  /** Administrative state (IFF_UP). */
  up: boolean;
  /**
   * Carrier (IFF_LOWER_UP). A tun with no reader, or a veth whose peer is down/absent, has none.
   */
  carrier: boolean;
  /** veth peer link name (peer lives in the same host in our model unless `peerNetns`). */
  peer?: string;
  /** The peer end is outside this host (e.g. created `netns X`); its state decides carrier. */
  peerExternal?: boolean;
  /** Bridge master name for a port. */
  master?: string;
  group: number;
  /** Alternative-name/alias not modelled. */
  txqlen: number;
  /** tun/tap: persistent device with no attached reader. */
  tunNoReader?: boolean;
  /**
   * What a link dump showed that the model does not derive (NOARP on an ifb, a qdisc set
   * with tc, operstate of a real NIC): printed as dumped while `up` and `carrier` are still
   * the dumped ones.
   */
  dumped?: { flags: string[]; qdisc?: string; operstate?: string; up: boolean; carrier: boolean };
  /** vlan/macvlan: the lower device (`link DEV`, IFLA_LINK); printed `NAME@LOWER`. */
  lower?: string;
  /** vlan: `id N` (IFLA_VLAN_ID). */
  vlanId?: number;
  /** macvlan: `mode private|vepa|bridge|passthru|source` (default vepa). */
  macvlanMode?: string;
  /** vrf: `table N` (IFLA_VRF_TABLE). */
  vrfTable?: number;
  /**
   * wireguard: the fwmark `wg set DEV fwmark N` / `wg setconf` gave the device (0 = off).
   * The tunnel's own encrypted UDP packets carry it (wg_socket_send_skb sets skb->mark).
   */
  fwmark?: number;
  /** wireguard: listen-port and peers as `wg set`/`wg setconf` gave them (for `wg show`). */
  wg?: WgDevice;
  /** addrconf_add_mroute ran since the device came up: it has `multicast ff00::/8`. */
  mroute6?: boolean;
}

/** A wireguard device's configuration as wg(8) reports it. */
export interface WgDevice {
  listenPort?: number;
  peers: { publicKey: string; allowedIps: string[]; endpoint?: string }[];
}

export interface IfAddr {
  family: Family;
  ifindex: number;
  local: Addr;
  prefixlen: number;
  /** Peer address (`peer P`), v4 point-to-point. */
  peer?: Addr;
  broadcast?: Addr;
  /** RT_SCOPE_*: 0 global/universe, 200 site, 253 link, 254 host. */
  scope: number;
  secondary: boolean;
  noprefixroute: boolean;
  nodad: boolean;
  /**
   * IPv6: DAD completed (IFA_F_TENTATIVE cleared; model/ops/addr advanceDad). Unset until the
   * model first looks at the address (dump-loaded addresses: tentative6 derives it).
   */
  dadDone?: boolean;
  label?: string;
  /**
   * Lifetimes in seconds of a dynamic address (IFA_F_PERMANENT unset), as a dump showed them
   * at the time it was taken; absent for permanent addresses (`forever`). Not counted down.
   */
  lifetimes?: { valid: number; preferred: number };
  /**
   * DAD and lifetime states a dump showed (`optimistic`, `dadfailed`, `home`, `deprecated`,
   * `tentative`, in print_ifa_flags order): printed as dumped.
   */
  dumpedFlags?: string[];
}

export type RuleAction = "lookup" | "goto" | "nop" | "blackhole" | "unreachable" | "prohibit";

export interface Nexthop {
  gateway?: Addr;
  /** Output device ifindex; 0 for none (blackhole etc.). */
  ifindex: number;
  /** Multipath weight 1..256 (`weight`); 1 for single nexthops. */
  weight: number;
  onlink: boolean;
  /** RTNH_F_DEAD: set when the device went admin-down (multipath hops survive as dead). */
  dead: boolean;
  /**
   * The gateway is an address of ours (it resolved through a local route): fib_nh_scope is
   * host, so lookups answer without a gateway (rt_set_nexthop), though `ip route` shows it.
   */
  gwLocal?: boolean;
}

export interface Route {
  family: Family;
  table: number;
  type: RouteType;
  dst: Prefix;
  /** IPv4 route tos (0 = any). */
  tos: number;
  /** Priority (`metric`). IPv6 defaults 1024 for user routes, 256 for kernel prefix routes. */
  metric: number;
  /** rtm_protocol: 2 kernel, 3 boot, 4 static, or any number. */
  protocol: number;
  scope: number;
  prefsrc?: Addr;
  /** Source prefix (`from` on IPv6 routes, subtrees); unsupported for v4 like the kernel. */
  src?: Prefix;
  /**
   * Single plain nexthop lists are shared between routes (model/fib-index sharedNexthops):
   * replace a list rather than changing it or its nexthops in place (multipath lists are
   * never shared; their nexthops' `dead` may change).
   */
  nexthops: Nexthop[];
  /** Printed as multipath (`nexthop` lines) when created with `nexthop` keywords. */
  multipath: boolean;
  /** IPv6 router preference: 0 medium (printed `pref medium`), 1 high, 3 low. */
  pref6: number;
  /** Kernel-generated by an address (local/broadcast/prefix routes), for down/up handling. */
  kernelAddr?: boolean;
  /** Other metrics users write (mtu, advmss, ...), kept as given for printing. */
  metrics?: { name: string; value: number; lock?: boolean }[];
  /** Insertion sequence, to keep `append` ordering stable. */
  seq: number;
}

export interface Rule {
  family: Family;
  pref: number;
  action: RuleAction;
  /** Table for `lookup`; 0 when none. */
  table: number;
  /** `not`: FIB_RULE_INVERT, inverts the whole conjunction. */
  invert: boolean;
  /** Source prefix; undefined = from all. Host bits are kept as given (printed so). */
  src?: Prefix;
  dst?: Prefix;
  /** Legacy tos / dsfield value (0 = none). */
  tos: number;
  /** fwmark value and mask; `markSet` says whether the attribute was sent at all. */
  fwmark: number;
  fwmask: number;
  markSet: boolean;
  maskSet: boolean;
  iifname?: string;
  oifname?: string;
  /** uidrange inclusive; undefined when not set. */
  uidRange?: [number, number];
  /** 0 = any. */
  ipproto: number;
  sport?: [number, number];
  dport?: [number, number];
  /** -1 = unset. */
  suppressPrefixlen: number;
  /** -1 = unset. */
  suppressIfgroup: number;
  /** goto target pref. */
  gotoPref?: number;
  /** rtm protocol: 0 unspec for user rules, 2 kernel for defaults. */
  protocol: number;
  l3mdev: boolean;
  tunId?: bigint;
  realms?: number;
  /** Insertion sequence. */
  seq: number;
  /** Added without `pref`: the kernel chose it (fib_default_rule_pref); lint reports it. */
  prefAuto?: boolean;
}

/** A command the host records but does not model yet (iptables, nft, ...). */
export interface RecordedCommand {
  argv: string[];
  /** Location of each word of argv. */
  locs: SourceLoc[];
  loc: SourceLoc;
  tool: string;
  /** A here-document fed to the command (`nft -f -`, `iptables-restore <<EOF`). */
  stdin?: { text: string; loc: SourceLoc };
  /** The script's working directory then (`$PWD` after `cd`): relative names are read there. */
  cwd?: string;
}

export interface HostState {
  links: Link[];
  addrs: IfAddr[];
  /**
   * Every route of every table. The order is not meaningful (insertion order is `Route.seq`):
   * model/fib-index keeps a per-table index over positions in this array; change it through
   * model/ops (or fib-index routeInsert/routeRemove/routeReplace), or assign a new array;
   * after reordering it in place call fib-index dropFib.
   */
  routes: Route[];
  rules4: Rule[];
  rules6: Rule[];
  /**
   * Sticky flag: the kernel bypasses the IPv6 RPDB until a rule has been added
   * (fib6_has_custom_rules).
   */
  v6CustomRules: boolean;
  /** Sticky flag: IPv4 custom rules added (fib4_has_custom_rules) — affects rp_filter shortcut. */
  v4CustomRules: boolean;
  /** Sticky flag: custom local routes (fib4 has_custom_local_routes). */
  v4CustomLocalRoutes: boolean;
  /**
   * Full sysctl key (dotted, `net.ipv4.conf.all.rp_filter`) -> value. Unset keys use kernel
   * defaults.
   */
  sysctl: Map<string, string>;
  /** Table id -> name (`rt_tables` plus built-ins). */
  tableNames: Map<number, string>;
  netfilter: RecordedCommand[];
  /** User name -> uid (`--passwd FILE`, a capture's `getent passwd`), for `--uid-owner NAME`. */
  users?: Map<string, number>;
  nextIfindex: number;
  seq: number;
  /**
   * FIB tables the kernel has created (fib_new_table / fib6_new_table: a route was added to
   * them); they stay when emptied. IPv4 ids as they are, IPv6 ones as -1 - id.
   */
  fibTables?: Set<number>;
}
