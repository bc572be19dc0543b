#!/usr/bin/env node
// @ts-check
// Builds pkg-js/dist from the Rust core:
//   toolchain → cargo → bindgen → types → wasm-opt → inline → tsc → assemble → scan → smoke → size
// `node scripts/build.mjs` runs every step; `--step NAME` (repeatable) runs only the named steps,
// e.g. `--step tsc --step assemble --step scan` after editing only TypeScript.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { FORBIDDEN_IDENTIFIERS, scanCoreModule } from "./scan-core.mjs";

const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO_DIR = path.resolve(PKG_DIR, "..");
const BINDING_PACKAGE = "make-backup-planner-wasm";
const WASM_NAME = "make_backup_planner_wasm"; // cargo's file name for the binding crate's cdylib
const TARGET = "wasm32-unknown-unknown";
const BINARYEN_VERSION = "132"; // npm binaryen@132.0.0; Debian's binaryen 108 emits modules that fail to load

const BUILD_DIR = path.join(PKG_DIR, "build"); // scratch: raw bindgen output, pre-optimisation wasm
const BINDGEN_DIR = path.join(BUILD_DIR, "bindgen");
const GENERATED_DIR = path.join(PKG_DIR, "src", "wasm"); // the glue index.ts imports (gitignored)
const DIST_DIR = path.join(PKG_DIR, "dist");
const OPTIMIZED_WASM = path.join(BUILD_DIR, `${WASM_NAME}_bg.opt.wasm`);
const GLUE_JS = `${WASM_NAME}.js`;
const GLUE_DTS = `${WASM_NAME}.d.ts`;
const WASM_BYTES_JS = `${WASM_NAME}_bg.wasm.js`;

/** Prints a command, runs it in the foreground, and fails the build if it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, allowFailure?: boolean }} [options]
 * @returns {boolean} whether it succeeded (only false with allowFailure)
 */
function run(command, args, options = {}) {
  console.log(`$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: options.cwd ?? REPO_DIR, stdio: "inherit" });
  const ok = result.status === 0;
  if (!ok && !options.allowFailure) {
    const why = result.error ? result.error.message : `exit status ${result.status ?? result.signal}`;
    fail(`\`${command} ${args.join(" ")}\` failed (${why})`);
  }
  return ok;
}

/** Runs a command and returns its stdout, or null if it cannot run.
 * @param {string} command
 * @param {string[]} args
 */
function capture(command, args) {
  const result = spawnSync(command, args, { cwd: REPO_DIR, encoding: "utf8" });
  return result.status === 0 ? result.stdout : null;
}

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`\nbuild FAILED: ${message}`);
  process.exit(1);
}

/** The wasm-bindgen version pinned in Cargo.lock; the CLI must match it exactly (schema check). */
function lockedWasmBindgenVersion() {
  const lockPath = path.join(REPO_DIR, "Cargo.lock");
  if (!existsSync(lockPath)) fail(`${lockPath} is missing; run \`cargo generate-lockfile\` and commit it`);
  const match = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(readFileSync(lockPath, "utf8"));
  if (!match?.[1]) fail("Cargo.lock has no wasm-bindgen package; is pkg-js/binding a workspace member?");
  return match[1];
}

/** A tool from pkg-js/node_modules/.bin (pinned in package-lock.json), never one from PATH.
 * @param {string} name
 */
function devTool(name) {
  const tool = path.join(PKG_DIR, "node_modules", ".bin", name);
  if (!existsSync(tool)) fail(`${tool} not found; run \`npm ci\` in pkg-js first`);
  return tool;
}

/** Cargo's target directory (honours CARGO_TARGET_DIR and .cargo/config.toml). */
function cargoTargetDir() {
  const metadata = capture("cargo", ["metadata", "--format-version", "1", "--no-deps"]);
  if (metadata === null) fail("`cargo metadata` failed; is Rust installed (https://rustup.rs)?");
  return /** @type {{ target_directory: string }} */ (JSON.parse(metadata)).target_directory;
}

const steps = {
  /** Installs what the Rust side needs when it is missing or the wrong version. */
  toolchain() {
    const wanted = lockedWasmBindgenVersion();
    const installed = capture("wasm-bindgen", ["--version"])?.trim().split(/\s+/)[1];
    if (installed === wanted) {
      console.log(`wasm-bindgen ${wanted} matches Cargo.lock`);
    } else {
      console.log(`wasm-bindgen is ${installed ?? "not installed"}, Cargo.lock wants ${wanted}: installing (about 2 min)`);
      const install = ["install", "wasm-bindgen-cli", "--version", wanted];
      // `--locked` can fail when the registry mirror lacks a locked dependency version (seen: webpki-roots
      // 1.0.11 for 0.2.130); the unlocked install resolves to versions the mirror has.
      if (!run("cargo", [...install, "--locked"], { allowFailure: true })) {
        console.log("locked install failed; retrying without --locked");
        run("cargo", install);
      }
    }
    const targets = capture("rustup", ["target", "list", "--installed"]);
    if (targets === null) {
      // Without rustup (e.g. a distro Rust) the target cannot be added here; cargo will say if it is missing.
      console.log("rustup not found; assuming the Rust toolchain already has the wasm32 target");
    } else if (!targets.split("\n").includes(TARGET)) {
      run("rustup", ["target", "add", TARGET]);
    }
  },

  /** Compiles the binding crate (and the core) to wasm with the workspace release profile. */
  cargo() {
    // --locked: the build must use the committed Cargo.lock, the same versions CI and the lead test.
    run("cargo", ["build", "-p", BINDING_PACKAGE, "--target", TARGET, "--release", "--locked"]);
  },

  /** Generates the JS glue and .d.ts. Target nodejs = CommonJS that instantiates synchronously. */
  bindgen() {
    const input = path.join(cargoTargetDir(), TARGET, "release", `${WASM_NAME}.wasm`);
    if (!existsSync(input)) fail(`${input} does not exist; run the cargo step first`);
    rmSync(BINDGEN_DIR, { recursive: true, force: true });
    run("wasm-bindgen", ["--target", "nodejs", "--out-dir", BINDGEN_DIR, "--out-name", WASM_NAME, input]);
  },

  /**
   * Makes the tsify declarations describe what the binding really returns. The binding serializes with
   * serde-wasm-bindgen's json_compatible serializer (plain objects and `null`, never `Map` or `undefined`),
   * but tsify, unless a type carries `#[tsify(hashmap_as_object, missing_as_null)]`, declares maps as
   * `Map<K, V>` and `Option<T>` as `T | undefined`. Once every core type carries those attributes this
   * step finds nothing to change. It also names the core's `Config` `BackupConfig` (the public name, which
   * does not clash with other libraries' `Config`) if the core did not rename it with `#[tsify(rename)]`.
   */
  types() {
    const file = path.join(BINDGEN_DIR, GLUE_DTS);
    const original = readFileSync(file, "utf8");
    let maps = 0;
    let options = 0;
    const lines = original.split("\n").map((line) => {
      if (/^\s*(\/\*|\*|\/\/)/.test(line)) return line; // doc comments stay as written
      return line
        .replace(/\bMap<([^<>]+)>/g, (_match, /** @type {string} */ keyAndValue) => {
          maps += 1;
          return `Record<${keyAndValue}>`;
        })
        .replace(/ \| undefined\b/g, () => {
          options += 1;
          return " | null";
        });
    });
    let text = lines.join("\n");
    const renameConfig = /^export interface Config \{/m.test(text) && !/^export interface BackupConfig \{/m.test(text);
    if (renameConfig) text = text.replace(/\bConfig\b(?=[ ;,>)\[\]{|])/g, "BackupConfig");
    if (!/^export interface BackupConfig \{/m.test(text)) fail(`${file} declares no BackupConfig interface; check the core's Config tsify derive`);
    writeFileSync(file, text);
    console.log(`declarations: ${maps} Map → Record, ${options} "| undefined" → "| null"${renameConfig ? ", Config → BackupConfig" : ""}`);
  },

  /** Shrinks the wasm ~25 % with binaryen from npm (pinned devDependency, never a system wasm-opt). */
  "wasm-opt"() {
    const wasmOpt = devTool("wasm-opt");
    const version = capture(wasmOpt, ["--version"]);
    if (version === null) fail(`\`${wasmOpt} --version\` failed`);
    if (!version.includes(`version ${BINARYEN_VERSION}`)) fail(`expected binaryen ${BINARYEN_VERSION}, found: ${version.trim()}`);
    const input = path.join(BINDGEN_DIR, `${WASM_NAME}_bg.wasm`);
    run(wasmOpt, ["-O3", input, "-o", OPTIMIZED_WASM]);
  },

  /**
   * Puts the wasm inside a JS module and points the glue at it, so the package loads without file-system
   * access or `__dirname` (n8n's scanner and Cloud lint reject both) and survives any bundler/copy.
   */
  inline() {
    const glue = readFileSync(path.join(BINDGEN_DIR, GLUE_JS), "utf8");
    // These two lines are what wasm-bindgen 0.2.130 --target nodejs emits to read the .wasm next to it.
    // If a new wasm-bindgen version changes them, fail instead of shipping a module that reads the disk.
    const readsWasmFile = [
      `const wasmPath = \`\${__dirname}/${WASM_NAME}_bg.wasm\`;`,
      "const wasmBytes = require('fs').readFileSync(wasmPath);",
    ].join("\n");
    if (!glue.includes(readsWasmFile)) {
      fail(`the glue no longer contains the expected wasm-loading lines:\n${readsWasmFile}\nUpdate the inline step for this wasm-bindgen version.`);
    }
    const patched = glue.replace(readsWasmFile, `const wasmBytes = require('./${WASM_BYTES_JS}');`);
    const wasm = readFileSync(OPTIMIZED_WASM);
    mkdirSync(GENERATED_DIR, { recursive: true });
    writeFileSync(path.join(GENERATED_DIR, GLUE_JS), patched);
    copyFileSync(path.join(BINDGEN_DIR, GLUE_DTS), path.join(GENERATED_DIR, GLUE_DTS));
    writeFileSync(
      path.join(GENERATED_DIR, WASM_BYTES_JS),
      `// Generated by pkg-js/scripts/build.mjs: the optimised planner core, base64-encoded.\n` +
        `module.exports = Buffer.from("${wasm.toString("base64")}", "base64");\n`,
    );
  },

  /** Compiles the TypeScript (strict, CommonJS + .d.ts) into dist/. */
  tsc() {
    rmSync(DIST_DIR, { recursive: true, force: true });
    run(devTool("tsc"), ["-p", path.join(PKG_DIR, "tsconfig.json")]);
  },

  /** tsc emits only what it compiled; the generated glue is plain JS, so it is copied beside index.js. */
  assemble() {
    const wasmDist = path.join(DIST_DIR, "wasm");
    mkdirSync(wasmDist, { recursive: true });
    for (const file of [GLUE_JS, GLUE_DTS, WASM_BYTES_JS]) {
      copyFileSync(path.join(GENERATED_DIR, file), path.join(wasmDist, file));
    }
    chmodSync(path.join(DIST_DIR, "cli.js"), 0o755); // npm links `bin` without chmod when run from the repo
  },

  /** Fails the build if the core module mentions anything n8n's scanner rejects. */
  scan() {
    const { files, findings } = scanCoreModule(path.join(DIST_DIR, "index.js"));
    for (const finding of findings) {
      console.error(`${path.relative(PKG_DIR, finding.file)}:${finding.line}: \`${finding.identifier}\`: ${finding.text}`);
    }
    if (findings.length > 0) {
      fail(`the core module must not contain ${FORBIDDEN_IDENTIFIERS.join(", ")} (${findings.length} found above)`);
    }
    console.log(`core module clean: ${files.map((file) => path.relative(PKG_DIR, file)).join(", ")}`);
  },

  /** Loads the built package in a fresh Node, synchronously, as a consumer would. */
  smoke() {
    const script = `const p = require(${JSON.stringify(DIST_DIR)});
      if (p.gitBlobSha("") !== "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391") throw new Error("wrong gitBlobSha");
      console.log("require(dist) ok: core " + p.version());`;
    const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    if (result.status !== 0) fail(`the built package does not load:\n${result.stderr}`);
    console.log(result.stdout.trim());
  },

  /** Reports what the package costs to ship. */
  size() {
    const wasm = readFileSync(OPTIMIZED_WASM);
    const raw = statSync(path.join(BINDGEN_DIR, `${WASM_NAME}_bg.wasm`)).size;
    const inlined = statSync(path.join(DIST_DIR, "wasm", WASM_BYTES_JS)).size;
    const kib = (/** @type {number} */ bytes) => `${bytes.toLocaleString("en")} B (${(bytes / 1024).toFixed(1)} KiB)`;
    console.log(`wasm after wasm-bindgen: ${kib(raw)}`);
    console.log(`wasm shipped (wasm-opt -O3): ${kib(wasm.length)} raw, ${kib(gzipSync(wasm, { level: 9 }).length)} gzip -9`);
    console.log(`inlined as base64: ${kib(inlined)}`);
  },
};

/** @typedef {keyof typeof steps} StepName */

function selectedSteps() {
  const all = /** @type {StepName[]} */ (Object.keys(steps));
  const args = process.argv.slice(2);
  if (args.includes("--help")) {
    console.log(`usage: node scripts/build.mjs [--step NAME]...\nsteps: ${all.join(", ")}`);
    process.exit(0);
  }
  /** @type {StepName[]} */
  const chosen = [];
  for (let index = 0; index < args.length; index += 1) {
    const name = args[index] === "--step" ? args[++index] : undefined;
    if (name === undefined || !all.includes(/** @type {StepName} */ (name))) {
      fail(`unknown argument ${JSON.stringify(args[index])}; steps: ${all.join(", ")}`);
    }
    chosen.push(/** @type {StepName} */ (name));
  }
  return chosen.length > 0 ? chosen : all;
}

const started = Date.now();
for (const name of selectedSteps()) {
  const stepStarted = Date.now();
  console.log(`\n== ${name}`);
  steps[name]();
  console.log(`== ${name} done in ${((Date.now() - stepStarted) / 1000).toFixed(1)} s`);
}
console.log(`\nbuild finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
