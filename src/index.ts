/**
 * routelab: a virtual Linux host whose policy routing answers exactly as the kernel would.
 * @module
 */
export * from "./addr/ip.js";
export * from "./model/types.js";
export * from "./engine/types.js";
