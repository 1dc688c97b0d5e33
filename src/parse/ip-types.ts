/**
 * The typed `ip` commands (what parse/ipcmd.ts and its per-object parsers produce). A leaf
 * module, so the per-object parsers (ip-link, ip-addr, ip-route, ip-rule) and the dispatch
 * table in ipcmd.ts import it without importing each other.
 * @module
 */
import type { Addr, Family, Prefix } from "../addr/ip.js";
import type { LinkKind, RouteType } from "../core/kinds.js";
import type { Word } from "./shell.js";

export interface NexthopSpec {
  gateway?: Addr;
  dev?: string;
  weight: number;
  onlink: boolean;
  devWord?: Word;
}

/** A route as written; `undefined` means "not given" (matters for del/change). */
export interface RouteSpec {
  family: Family;
  type?: RouteType;
  dst?: Prefix;
  src?: Prefix;
  tos?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  metric?: number;
  prefsrc?: Addr;
  nexthops: NexthopSpec[];
  multipath: boolean;
  pref6?: number;
  metrics: { name: string; value: number; lock?: boolean }[];
  words: Word[];
}

export interface RuleSpec {
  family: Family;
  pref?: number;
  action?: "lookup" | "goto" | "nop" | "blackhole" | "unreachable" | "prohibit";
  table?: number;
  invert: boolean;
  src?: Prefix;
  dst?: Prefix;
  tos?: number;
  fwmark?: number;
  fwmask?: number;
  iifname?: string;
  oifname?: string;
  uidRange?: [number, number];
  ipproto?: number;
  sport?: [number, number];
  dport?: [number, number];
  suppressPrefixlen?: number;
  suppressIfgroup?: number;
  gotoPref?: number;
  protocol?: number;
  l3mdev: boolean;
  realms?: number;
  words: Word[];
}

export interface RouteGetQuery {
  family: Family;
  dst: Addr;
  from?: Addr;
  iif?: string;
  oif?: string;
  mark?: number;
  tos?: number;
  uid?: number;
  ipproto?: number;
  sport?: number;
  dport?: number;
  fibmatch: boolean;
  connected: boolean;
  /** The destination's length when written with one other than /32 or /128 (ip warns). */
  dstLen?: number;
  words: Word[];
}

export type IpCommand =
  | {
      obj: "link";
      op: "add";
      name: string;
      kind: LinkKind;
      peer?: string;
      mtu?: number;
      up?: boolean;
      mac?: string;
      master?: string;
      group?: number;
      txqlen?: number;
      nameWord: Word;
      /** `link DEV`: the lower device of a vlan/macvlan. */
      link?: Word;
      vlanId?: number;
      macvlanMode?: string;
      vrfTable?: number;
    }
  | {
      obj: "link";
      op: "set";
      dev: string;
      devWord: Word;
      up?: boolean;
      mtu?: number;
      master?: string | null;
      group?: number;
      newName?: string;
      mac?: string;
      txqlen?: number;
    }
  | { obj: "link"; op: "del"; dev: string; devWord: Word }
  | {
      obj: "link";
      op: "show";
      dev?: string;
      devWord?: Word;
      /** Filters: `up`, `type KIND`, `master M` / `vrf V`, `group G`. */
      up?: boolean;
      type?: string;
      master?: string;
      group?: number;
    }
  | { obj: "tuntap"; op: "add" | "del"; name: string; mode: "tun" | "tap"; nameWord: Word }
  | {
      obj: "addr";
      op: "add" | "del" | "replace" | "change";
      family: Family;
      local: Prefix;
      peer?: Prefix;
      broadcast?: Addr | "+" | "-";
      scope?: number;
      dev: string;
      devWord: Word;
      label?: string;
      noprefixroute: boolean;
      nodad: boolean;
      metric?: number;
    }
  | {
      obj: "addr";
      op: "flush" | "show";
      family?: Family;
      dev?: string;
      devWord?: Word;
      /** show filters: `scope S`, `up`, `label PATTERN`. */
      scope?: number;
      up?: boolean;
      label?: string;
    }
  | {
      obj: "route";
      op: "add" | "del" | "replace" | "change" | "append" | "prepend";
      route: RouteSpec;
    }
  | {
      obj: "route";
      op: "flush" | "show";
      family?: Family;
      table?: number | "all";
      dev?: string;
      devWord?: Word;
      type?: RouteType;
      proto?: number;
      /** `cache`: cloned routes (route exceptions) only, which routelab does not keep. */
      cloned?: boolean;
      /** `scope S`, `via PREFIX`, `src PREFIX` filters (iproute_list_flush_or_save). */
      scope?: number;
      via?: Prefix;
      src?: Prefix;
    }
  | { obj: "route"; op: "get"; query: RouteGetQuery }
  | { obj: "rule"; op: "add" | "del"; rule: RuleSpec }
  | {
      obj: "rule";
      op: "flush" | "show";
      family?: Family;
      pref?: number;
      table?: number;
      /** `fwmark V[/M]` filter: value and mask as the rule reports them (-1: any mask). */
      fwmark?: [number, number];
    };

/** Global options as `ip` reads them before the object. */
export interface IpOptions {
  family?: Family;
  json?: boolean;
  pretty?: boolean;
  details?: boolean;
  force?: boolean;
  batch?: string;
  numeric?: boolean;
  stats?: boolean;
  /** `-brief` / `-oneline`: other output formats (refused where not modelled). */
  brief?: boolean;
  oneline?: boolean;
}
