/**
 * What the grammar produces: one `NftCmd` per nft command (parser_bison.y `base_cmd`),
 * holding the tokens the executor blames when the kernel refuses it.
 * @module
 */
import type { SourceLoc } from "../../../core/loc.js";
import type { Issue } from "../../../core/issue.js";
import type { BaseSpec, DType, NftFamily, Stmt } from "../ast.js";
import type { Tok } from "../lexer.js";
import type { RawVal } from "../typing.js";

export type NftCmd =
  | {
      op: "add" | "create";
      obj: "table";
      family: NftFamily;
      table: string;
      flags?: string[];
      comment?: string;
      loc: SourceLoc;
      tok: Tok;
    }
  | {
      op: "add" | "create";
      obj: "chain";
      family: NftFamily;
      table: string;
      chain: string;
      base?: BaseSpec;
      policySet?: boolean;
      comment?: string;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
      prioTok?: Tok;
    }
  | {
      op: "add" | "insert" | "replace";
      obj: "rule";
      family: NftFamily;
      table: string;
      chain: string;
      handle?: number;
      index?: number;
      stmts: Stmt[];
      comment?: string;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
      chainTok: Tok;
      stmtToks: Tok[][];
    }
  | {
      op: "add" | "create";
      obj: "set";
      family: NftFamily;
      table: string;
      set: SetDecl;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
    }
  | {
      op: "add" | "delete";
      obj: "element";
      family: NftFamily;
      table: string;
      set: string;
      elems: RawVal[];
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
      setTok: Tok;
    }
  | {
      op: "delete" | "flush";
      obj: "table" | "chain" | "set" | "map" | "rule";
      family: NftFamily;
      table: string;
      name?: string;
      handle?: number;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
      nameTok?: Tok;
    }
  | {
      op: "add" | "create" | "delete";
      obj: "ct helper";
      family: NftFamily;
      table: string;
      name: string;
      /** add/create: `type "NAME" protocol tcp|udp`, `l3proto FAMILY`. */
      helper?: string;
      l4proto?: "tcp" | "udp";
      l3proto?: NftFamily;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
    }
  | { op: "flush"; obj: "ruleset"; family?: NftFamily; loc: SourceLoc; tok: Tok }
  | {
      op: "noop";
      loc: SourceLoc;
      tok: Tok;
      /** `list table|chain …`: what must exist (nft answers ENOENT and exit 1 otherwise). */
      exists?: { family: NftFamily; table: Tok; chain?: Tok };
    };

export interface SetDecl {
  name: string;
  map: boolean;
  keyType: DType[];
  typeofText?: string;
  dataType?: DType;
  flags: string[];
  autoMerge: boolean;
  elems?: RawVal[];
  size?: number;
  timeout?: string;
  counter?: boolean;
  comment?: string;
  policy?: string;
}

export interface ParseOut {
  cmds: NftCmd[];
  issues: Issue[];
}
