// @ts-check
// Scanner for the shipped core module: `dist/index.js` and every file it requires, transitively.
// n8n's community-package scanner and Cloud lint reject file-system access and these host globals, so
// the core module must not mention them at all (the driver, transport and CLI are separate modules).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Identifiers the core module must not contain, as whole words. */
export const FORBIDDEN_IDENTIFIERS = ["fs", "__dirname", "process", "globalThis", "console"];

const FORBIDDEN_PATTERN = new RegExp(`\\b(${FORBIDDEN_IDENTIFIERS.join("|")})\\b`, "g");
// A long base64 literal (the inlined wasm) is data, not code; `+fs/` inside it is not an identifier.
const BASE64_LITERAL = /(["'`])[A-Za-z0-9+/]{64,}={0,2}\1/g;
const RELATIVE_REQUIRE = /\brequire\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g;

/**
 * @param {string} fromFile
 * @param {string} specifier
 */
function resolveRelative(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.js`, path.join(base, "index.js")]) {
    if (existsSync(candidate) && candidate.endsWith(".js")) return candidate;
  }
  throw new Error(`${fromFile} requires ${specifier}, which does not exist`);
}

/**
 * Lists the files `entry` loads through relative `require` calls (including itself).
 * @param {string} entry absolute path of the entry module
 * @returns {string[]}
 */
export function coreModuleFiles(entry) {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(RELATIVE_REQUIRE)) {
      const dependency = resolveRelative(file, match[1] ?? "");
      if (!seen.has(dependency)) {
        seen.add(dependency);
        queue.push(dependency);
      }
    }
  }
  return [...seen];
}

/**
 * Finds forbidden identifiers in `entry` and everything it requires.
 * @param {string} entry absolute path of the entry module
 * @returns {{ files: string[], findings: { file: string, line: number, identifier: string, text: string }[] }}
 */
export function scanCoreModule(entry) {
  const files = coreModuleFiles(entry);
  /** @type {{ file: string, line: number, identifier: string, text: string }[]} */
  const findings = [];
  for (const file of files) {
    const lines = readFileSync(file, "utf8").replace(BASE64_LITERAL, '""').split("\n");
    lines.forEach((text, index) => {
      for (const match of text.matchAll(FORBIDDEN_PATTERN)) {
        findings.push({ file, line: index + 1, identifier: match[1] ?? "", text: text.trim().slice(0, 160) });
      }
    });
  }
  return { files, findings };
}
