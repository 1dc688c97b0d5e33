/**
 * The kernel's validation of a table after a change: jump loops and depth
 * (nf_tables_check_loops, EMLINK) and the statements a base chain's hook and type allow
 * (the expressions' `validate` callbacks, EOPNOTSUPP), followed from every base chain.
 * @module
 */
import type { IssueCode } from "../../core/issue.js";
import type { Expr, NftChain, NftRule, NftTable, Stmt } from "./ast.js";

/** The chains a statement jumps or goes to (directly or through a verdict map). */
export function jumpTargets(s: Stmt): string[] {
  if (s.k === "verdict" && (s.v === "jump" || s.v === "goto") && s.target) return [s.target];
  if (s.k === "vmap" && s.map.k === "set")
    return s.map.elems.flatMap((m) =>
      m.k === "mapping" && m.value.k === "verdict" && m.value.target ? [m.value.target] : [],
    );
  return [];
}

interface Violation {
  rule: NftRule;
  stmt: number;
  msg: string;
  code: IssueCode;
}

/** Kernel validation from every base chain: loops (EMLINK) and per-hook/type expression limits. */
export function validateTable(t: NftTable): Violation | undefined {
  const byName = new Map(t.chains.map((c) => [c.name, c]));
  for (const base of t.chains) {
    if (!base.base) continue;
    const ctx = { hook: base.base.hook, type: base.base.type };
    const stack: string[] = [];
    const walk = (ch: NftChain, depth: number): Violation | undefined => {
      if (stack.includes(ch.name) || depth > 16)
        return {
          rule: ch.rules[0]!,
          stmt: 0,
          msg: "Could not process rule: Too many links",
          code: "nft.EMLINK",
        };
      stack.push(ch.name);
      for (const r of ch.rules) {
        for (let i = 0; i < r.stmts.length; i++) {
          const s = r.stmts[i]!;
          const bad = stmtAllowed(s, ctx);
          if (!bad) {
            stack.pop();
            return {
              rule: r,
              stmt: i,
              msg: "Could not process rule: Operation not supported",
              code: "nft.EOPNOTSUPP",
            };
          }
          for (const target of jumpTargets(s)) {
            const tc = byName.get(target);
            if (!tc) continue;
            if (stack.includes(target)) {
              stack.pop();
              return {
                rule: r,
                stmt: i,
                msg: "Could not process rule: Too many links",
                code: "nft.EMLINK",
              };
            }
            const v = walk(tc, depth + 1);
            if (v) {
              stack.pop();
              return v;
            }
          }
        }
      }
      stack.pop();
      return undefined;
    };
    const v = walk(base, 0);
    if (v) return v;
  }
  return undefined;
}

function stmtAllowed(s: Stmt, ctx: { hook: string; type: string }): boolean {
  switch (s.k) {
    case "nat":
      if (ctx.type !== "nat") return false;
      if (s.type === "masquerade") return ctx.hook === "postrouting";
      if (s.type === "redirect") return ctx.hook === "prerouting" || ctx.hook === "output";
      if (s.type === "dnat") return ctx.hook === "prerouting" || ctx.hook === "output";
      if (s.type === "snat") return ctx.hook === "postrouting" || ctx.hook === "input";
      return true;
    case "tproxy":
      return ctx.hook === "prerouting";
    case "match":
      return exprAllowed(s.left, ctx);
    case "vmap":
      return exprAllowed(s.key, ctx);
    case "mangle":
      return exprAllowed(s.value, ctx);
    default:
      return true;
  }
}

function exprAllowed(e: Expr, ctx: { hook: string }): boolean {
  if (e.k === "fib") {
    if (e.flags.includes("iif") && !["prerouting", "input", "forward"].includes(ctx.hook))
      return false;
    if (e.flags.includes("oif") && !["output", "postrouting", "forward"].includes(ctx.hook))
      return false;
    return true;
  }
  if (e.k === "concat") return e.items.every((x) => exprAllowed(x, ctx));
  if (e.k === "binop") return exprAllowed(e.left, ctx);
  if (e.k === "map") return exprAllowed(e.key, ctx);
  return true;
}
