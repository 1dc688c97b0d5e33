/**
 * Applying `ip` commands to a host with the kernel's own checks and side effects, one file
 * per object as the kernel splits them: devices (link.ts), addresses and the kernel routes
 * they create (addr.ts), routes (route.ts), rules (rule.ts).
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";
import type { IpError } from "../../parse/args.js";
import type { IpCommand } from "../../parse/ipcmd.js";
import type { Word } from "../../parse/shell.js";
import type { HostState } from "../types.js";
import { applyAddr } from "./addr.js";
import { applyLink, applyTuntap } from "./link.js";
import { applyRoute } from "./route.js";
import { applyRule } from "./rule.js";

export { syncKernelRoutes, writeSysctl } from "./addr.js";
export { macFor, refreshCarrier } from "./link.js";
export { isErrorType } from "./route.js";

/** Context for applying one command: where it came from (for errors). */
export interface ApplyCtx {
  loc: SourceLoc;
  words: Word[];
}

/**
 * Apply a mutating `ip` command. Returns an IpError with the exact text `ip` prints.
 * @example applyIpCommand(state, cmd, { loc, words })
 */
export function applyIpCommand(s: HostState, cmd: IpCommand, ctx: ApplyCtx): IpError | undefined {
  switch (cmd.obj) {
    case "link":
      return applyLink(s, cmd, ctx.loc);
    case "tuntap":
      return applyTuntap(s, cmd);
    case "addr":
      return applyAddr(s, cmd, ctx.loc);
    case "route":
      return applyRoute(s, cmd, ctx.loc);
    case "rule":
      return applyRule(s, cmd, ctx.loc);
  }
}
