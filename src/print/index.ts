/**
 * Printers: model objects to exactly what iproute2 6.1 prints (text, `-j`, `-j -p`).
 * @module
 */
export { Emitter, JsonWriter } from "./emit.js";
export { printRules, printRule } from "./rules.js";
export type { RulePrintOptions } from "./rules.js";
export {
  printRoutes,
  printRouteEntry,
  dumpOrder,
  routeFlags,
  nhFlags,
  linkName,
} from "./routes.js";
export type { RouteShowOptions } from "./routes.js";
export { printRouteGet, routeGetError, routeGetResult } from "./routeget.js";
export type { RouteGetQuery } from "./routeget.js";
export { printLinks, printAddrs, linkFlags, operState, qdiscOf } from "./links.js";
export type { LinkShowOptions, AddrShowOptions } from "./links.js";
export * from "./names.js";
