/**
 * Right-hand values as written, before typing (parser_bison.y `rhs_expr`, `set_expr`,
 * `concat_rhs_expr`, `map_expr`): symbols, strings, `{ set }`, `@set`, comma lists,
 * concatenations, ranges and `key : value` mappings. typing.ts gives them datatypes.
 * @module
 */
import type { VerdictKind } from "../ast.js";
import type { RawVal } from "../typing.js";
import type { Parser } from "./cursor.js";

/**
 * An untyped right-hand value: symbol, string, `{ set }`, `@set`, comma list,
 * concatenation, mapping.
 */
export function rawValue(p: Parser, commaList = false): RawVal {
  const first = rawConcat(p);
  if (commaList && p.isOp(p.peek(), ",")) {
    const items = [first];
    while (p.isOp(p.peek(), ",")) {
      p.next();
      items.push(rawConcat(p));
    }
    return { k: "list", items, tok: first.tok };
  }
  return first;
}

export function rawConcat(p: Parser): RawVal {
  const a = rawRange(p);
  if (!p.isOp(p.peek(), ".")) return a;
  const items = [a];
  while (p.isOp(p.peek(), ".")) {
    p.next();
    items.push(rawRange(p));
  }
  return { k: "concat", items, tok: a.tok };
}

export function rawRange(p: Parser): RawVal {
  const a = rawPrimary(p);
  if (p.isOp(p.peek(), "-") && a.k === "sym") {
    p.next();
    const b = rawPrimary(p);
    if (b.k !== "sym") p.unexpected(b.tok);
    return { k: "sym", text: `${a.text}-${b.text}`, tok: a.tok };
  }
  return a;
}

/**
 * Sets nested deeper than this are refused where they open: the grammar is recursive, and
 * bison itself stops nft near 5,000 levels ("memory exhausted").
 */
const MAX_SET_DEPTH = 256;

export function rawPrimary(p: Parser): RawVal {
  const t = p.next();
  if (p.isOp(t, "{")) {
    if (++p.setDepth > MAX_SET_DEPTH)
      p.fail(t, `sets nested deeper than ${MAX_SET_DEPTH} levels are not modelled`);
    const items = setBlockItems(p);
    p.setDepth--;
    return { k: "set", items, tok: t };
  }
  if (t.kind === "string") return { k: "str", text: t.text, tok: t };
  if (t.kind === "word") {
    if (t.text.startsWith("@")) return { k: "setref", name: t.text.slice(1), tok: t };
    return { k: "sym", text: t.text, tok: t };
  }
  p.unexpected(t);
}

/** The members of `{ ... }` up to the closing brace; `key : value` makes a mapping. */
function setBlockItems(p: Parser): RawVal[] {
  const items: RawVal[] = [];
  for (;;) {
    p.skipNl();
    if (p.isOp(p.peek(), "}")) {
      p.next();
      return items;
    }
    let item = rawConcat(p);
    if (p.isOp(p.peek(), ":")) {
      p.next();
      const v = rawVerdictOrValue(p);
      item = { k: "map", key: item, value: v, tok: item.tok };
    }
    items.push(item);
    p.skipNl();
    const s = p.peek();
    if (p.isOp(s, ",")) {
      p.next();
      continue;
    }
    if (p.isOp(s, "}")) {
      p.next();
      return items;
    }
    p.unexpected(s, "comma or '}'");
  }
}

export function rawVerdictOrValue(p: Parser): RawVal {
  const t = p.peek();
  if (p.isWord(t, "jump") || p.isWord(t, "goto")) {
    p.next();
    const target = p.ident();
    return { k: "verdict", v: t.text as VerdictKind, target: target.text, tok: t };
  }
  if (t.kind === "word" && ["accept", "drop", "continue", "return"].includes(t.text)) {
    p.next();
    return { k: "verdict", v: t.text as VerdictKind, tok: t };
  }
  return rawConcat(p);
}
