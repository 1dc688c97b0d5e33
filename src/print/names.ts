/**
 * The name tables live with the grammar (src/parse/names.ts); printers use the same ones.
 * @module
 */
export * from "../parse/names.js";
