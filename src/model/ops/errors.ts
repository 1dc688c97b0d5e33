/**
 * The answers `ip` prints when the kernel refuses a request: `RTNETLINK answers: …`
 * (rtnl_talk's perror of the netlink error), `Error: …` (the kernel's extack message) and
 * iproute2's own `Cannot find device` (ll_name_to_index failing before any request).
 * @module
 */
import type { IssueCode } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import { defined } from "../../core/result.js";
import type { IpError } from "../../parse/args.js";
import type { Word } from "../../parse/shell.js";

/** `RTNETLINK answers: MSG` (the strerror of the netlink error), exit 2. */
export function rtnl(
  msg: string,
  w: Word | undefined,
  loc: SourceLoc,
  code: IssueCode = "rtnl",
): IpError {
  return {
    code,
    message: `RTNETLINK answers: ${msg}`,
    loc: w?.loc ?? loc,
    ...defined({ token: w?.text }),
    exit: 2,
  };
}

/** `Error: MSG`: the kernel's extended ack (NL_SET_ERR_MSG), exit 2. */
export function extack(
  msg: string,
  w: Word | undefined,
  loc: SourceLoc,
  code: IssueCode = "rtnl.extack",
): IpError {
  return {
    code,
    message: `Error: ${msg}`,
    loc: w?.loc ?? loc,
    ...defined({ token: w?.text }),
    exit: 2,
  };
}

/** `Cannot find device "NAME"` (iproute2 resolves names before sending), exit 1. */
export function noDev(name: string, w: Word | undefined, loc: SourceLoc): IpError {
  return {
    code: "ip.no-device",
    message: `Cannot find device "${name}"`,
    loc: w?.loc ?? loc,
    token: name,
    expected: "an existing device",
    exit: 1,
  };
}
