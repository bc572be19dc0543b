// @ts-check
// Benchmark of the built package (run `npm run build` first): prints figures, asserts nothing about speed.
//   node bench/bench.mjs [--quick]
// 1. plan time for 10,000 scenarios (selection stage; and a whole no-change engine run with an instant transport)
// 2. render + hash throughput on a 1,000-blueprint corpus (incl. 1–5 MB) from raw reply text, as a ratio
//    against a plain-JS reference producing byte-identical files, measured in the same run
// 3. cold require time (median of 11 fresh processes)   4. .wasm size raw and gzipped
// 5. peak RSS of a first and a no-change run for N = 1k, 5k, 10k scenarios (the whole process: it includes the
//    in-process fake GitHub, which keeps every blob, and the N-scenario list pages)
// 6. API calls per service for PRD scenarios 1–3 against the simulators
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = path.resolve(PKG, "..");
const core = require(path.join(PKG, "dist/index.js"));
const quick = process.argv.includes("--quick");
const rows = [];
const figure = (name, value, note = "") => {
  rows.push([name, value, note]);
  console.log(`${name.padEnd(52)} ${String(value).padStart(14)}  ${note}`);
};
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ─── deterministic data ───
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const words = ["Rechnung", "prüfen", "日本語", "order", "sync", "lead", "🚀", "Ω", "invoice", "route", "sheet", "crm"];

/** A realistic module; string keys only and no exponent numbers, so JSON.stringify writes the same bytes. */
function module(id, depth) {
  const m = {
    id, module: pick(["http:ActionSendData", "google-sheets:addRow", "json:ParseJSON", "util:SetVariable2", "slack:CreateMessage"]),
    version: 1 + Math.floor(rand() * 3),
    parameters: { __IMTCONN__: 1000 + Math.floor(rand() * 9000), handleErrors: rand() > 0.5 },
    mapper: { url: `https://api.example.com/${pick(words)}/${id}`, body: `{{${id - 1}.${pick(words)}}}`, headers: [{ name: "X-Id", value: `{{1.id}}` }], note: `${pick(words)} ${pick(words)} ${pick(words)}` },
    metadata: { designer: { x: id * 300, y: Math.floor(rand() * 600) - 300 }, restore: { expect: { method: { label: "POST" } } } },
  };
  if (depth < 2 && rand() < 0.08) {
    m.module = "builtin:BasicRouter";
    m.routes = [0, 1].map((r) => ({ flow: Array.from({ length: 3 }, (_, i) => module(id * 10 + r * 5 + i, depth + 1)) }));
  }
  return m;
}

function reply(id, modules) {
  const blueprint = { name: `Scenario ${id} ${pick(words)}`, flow: Array.from({ length: modules }, (_, i) => module(i + 1, 0)), metadata: { version: 1, scenario: { roundtrips: 1, maxErrors: 3, autoCommit: true, sequential: false } } };
  return JSON.stringify({ code: "OK", response: { blueprint, scheduling: { type: "indefinitely", interval: 900 }, idSequence: modules + 1, metadata: { input_spec: [], output_spec: [] } } });
}

// ─── plain-JS reference: JSON.parse, recursive key sort, stringify, SHA-1 (node:crypto), base64 ───
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}
function jsRender(text) {
  const content = JSON.stringify(sortKeys(JSON.parse(text).response.blueprint), null, 2) + "\n";
  const bytes = Buffer.from(content, "utf8");
  const blobSha = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
  return { content, blobSha, base64: bytes.toString("base64") };
}
function wasmRender(id, text) {
  const file = core.renderBlueprint(id, text);
  return { content: file.content, blobSha: file.blobSha, base64: Buffer.from(file.content, "utf8").toString("base64") };
}

const CHILD = process.argv.includes("--child");
if (!CHILD) console.log(`make-backup-planner ${core.version()} · node ${process.version} · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? "?"}\n`);

// ─── 2. render + hash ───
if (!CHILD) {
  const sizes = [];
  for (let i = 0; i < 1000; i++) sizes.push(i < 5 ? [2500, 5000, 7500, 10000, 12500][i] : i < 25 ? 150 + Math.floor(rand() * 300) : 5 + Math.floor(rand() * 60));
  const corpus = sizes.map((modules, i) => ({ id: 5000 + i, text: reply(5000 + i, modules) }));
  const bytes = corpus.reduce((s, c) => s + Buffer.byteLength(c.text), 0);
  const big = corpus.slice(0, 5).map((c) => (Buffer.byteLength(c.text) / 1e6).toFixed(1)).join(", ");
  figure("corpus", `${corpus.length} replies`, `${(bytes / 1e6).toFixed(1)} MB; largest: ${big} MB`);
  let mismatches = 0;
  for (const c of corpus) {
    const a = jsRender(c.text), b = wasmRender(c.id, c.text);
    if (a.content !== b.content || a.blobSha !== b.blobSha || a.base64 !== b.base64) mismatches++;
  }
  figure("byte-identical files (wasm vs JS reference)", `${corpus.length - mismatches}/${corpus.length}`);
  const rounds = quick ? 3 : 7;
  const js = [], wasm = [], jsNo64 = [], wasmNo64 = [];
  for (let r = 0; r < rounds; r++) {
    // alternate the order so neither side always runs on a warmer heap
    const order = r % 2 ? ["wasm", "js"] : ["js", "wasm"];
    for (const side of order) {
      let t = process.hrtime.bigint();
      if (side === "js") { for (const c of corpus) jsRender(c.text); js.push(ms(t)); }
      else { for (const c of corpus) wasmRender(c.id, c.text); wasm.push(ms(t)); }
    }
    let t = process.hrtime.bigint();
    for (const c of corpus) { const v = JSON.stringify(sortKeys(JSON.parse(c.text).response.blueprint), null, 2) + "\n"; createHash("sha1").update(`blob ${Buffer.byteLength(v)}\0`).update(v).digest("hex"); }
    jsNo64.push(ms(t));
    t = process.hrtime.bigint();
    for (const c of corpus) core.renderBlueprint(c.id, c.text);
    wasmNo64.push(ms(t));
  }
  const [mj, mw, mj2, mw2] = [median(js), median(wasm), median(jsNo64), median(wasmNo64)];
  figure("render+hash+base64, JS reference", `${mj.toFixed(0)} ms`, `${(bytes / 1e3 / mj).toFixed(1)} MB/s (median of ${rounds})`);
  figure("render+hash+base64, wasm core", `${mw.toFixed(0)} ms`, `${(bytes / 1e3 / mw).toFixed(1)} MB/s`);
  figure("ratio wasm/JS (render+hash+base64)", (mw / mj).toFixed(2), "target ≤ 1.0");
  figure("ratio wasm/JS (render+hash, no base64)", (mw2 / mj2).toFixed(2), `${mw2.toFixed(0)} ms vs ${mj2.toFixed(0)} ms`);
}

// ─── 1. plan time for 10,000 scenarios ───
function listing(id, i) {
  return { id, name: `Scenario ${id}`, teamId: 51 + (i % 2), folderId: i % 20, description: "", hookId: null, deviceId: null, deviceScope: null, concept: false, isinvalid: false, islinked: true, isActive: i % 3 !== 0, islocked: false, isPaused: false, usedPackages: ["http", "json"], lastEdit: `2026-10-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00.000Z`, created: "2026-01-01T00:00:00.000Z", scheduling: { type: "indefinitely", interval: 900 }, iswaiting: false, dlqCount: 0, nextExec: null, operations: i, transfer: i * 10, createdByUser: { id: 1, name: "A", email: "a@example.com" }, updatedByUser: { id: 1, name: "A", email: "a@example.com" }, scenarioVersion: 2, moduleSequenceId: 5, customProperties: {} };
}
function world(n) {
  const listings = Array.from({ length: n }, (_, i) => listing(100000 + i, i));
  const pages = [];
  for (let o = 0; o < n; o += 500) pages.push(JSON.stringify({ scenarios: listings.slice(o, o + 500), pg: { offset: o, limit: 500 } }));
  if (n % 500 === 0) pages.push(JSON.stringify({ scenarios: [], pg: { offset: n, limit: 500 } }));
  // a state that says everything is backed up: selection gives "unchanged" for all
  const verdictsNew = core.selectScenarios({ pages, state: null, inventoryComplete: true, force: false });
  const fingerprints = new Map();
  // fingerprints are the engine's business: learn them by rendering the state the engine would write
  const advances = listings.map((l) => ({ scenarioId: l.id, name: l.name, lastEdit: l.lastEdit, teamId: l.teamId, blueprintSha: "0".repeat(40), metadataSha: "1".repeat(40), fingerprint: "", commit: "2".repeat(40) }));
  const state0 = core.nextStateFile({ state: null, advances, deleted: [], now: "2026-11-22T02:00:00.000Z" }).content;
  void verdictsNew; void fingerprints;
  return { listings, pages, state0 };
}
if (!CHILD) {
  const n = 10000;
  const { pages, state0 } = world(n);
  const stateBytes = Buffer.byteLength(state0);
  const runs = [];
  for (let r = 0; r < 5; r++) { const t = process.hrtime.bigint(); const v = core.selectScenarios({ pages, state: state0, inventoryComplete: true, force: false }); runs.push(ms(t)); if (v.length !== n) throw new Error("selection lost scenarios"); }
  figure("selection stage, 10,000 scenarios", `${median(runs).toFixed(1)} ms`, `20 list pages + ${(stateBytes / 1e6).toFixed(1)} MB state; median of 5; target ≤ 50 ms`);
}

// A whole engine run, instant transport, nothing changed: every byte parsed, nothing rendered.
function engineRun(n) {
  const { pages, listings } = world(n);
  // the first run's state (as the engine writes it) comes from a real first run with an instant transport
  const blobs = new Map(), trees = new Map();
  let head = "a".repeat(40), tree = "b".repeat(40);
  trees.set(tree, []);
  const hashOf = (s) => createHash("sha1").update(s).digest("hex");
  let commitN = 0;
  const answer = (request) => {
    const url = new URL(request.url), p = url.pathname;
    if (request.service === "make") {
      if (p.endsWith("/scenarios")) { const o = Number(url.searchParams.get("pg[offset]")); return [200, pages[o / 500]]; }
      const id = Number(p.split("/")[p.split("/").length - 2]);
      return [200, reply(id, 3)];
    }
    if (p.includes("/branches/")) return [200, JSON.stringify({ commit: { sha: head, commit: { tree: { sha: tree } } } })];
    if (p.includes("/git/trees/") && request.method === "GET") return [200, JSON.stringify({ sha: tree, truncated: false, tree: trees.get(tree).map(([path, sha]) => ({ path, mode: "100644", type: "blob", sha })) })];
    if (p.includes("/git/blobs/")) return [200, JSON.stringify({ content: Buffer.from(blobs.get(p.split("/").pop())).toString("base64"), encoding: "base64" })];
    if (p.endsWith("/git/trees")) {
      const body = JSON.parse(request.body); const entries = new Map(trees.get(body.base_tree));
      for (const e of body.tree) { const sha = e.sha ?? core.gitBlobSha(e.content); if (e.content !== undefined) blobs.set(sha, e.content); entries.set(e.path, sha); }
      // Keep only the tip of the chain (and the branch's tree): older intermediate trees are never read again.
      for (const key of [...trees.keys()]) if (key !== tree && key !== body.base_tree && !key.endsWith(":")) trees.delete(key);
      const t = hashOf(`tree${commitN++}`); trees.set(t, [...entries]); return [201, JSON.stringify({ sha: t })];
    }
    if (p.endsWith("/git/commits")) { const b = JSON.parse(request.body); const c = hashOf(`commit${commitN++}`); trees.set(c + ":", b.tree); return [201, JSON.stringify({ sha: c, tree: b.tree })]; }
    if (p.includes("/git/refs/")) { const b = JSON.parse(request.body); head = b.sha; tree = trees.get(b.sha + ":"); return [200, "{}"]; }
    return [404, "{}"];
  };
  const config = { make: { baseUrl: "http://make.invalid/api/v2", organizationId: 1, requestsPerMinute: 1e9 }, github: { apiUrl: "http://github.invalid", owner: "o", repo: "r", writesPerMinute: 1e9 }, commitMode: "perRun" };
  const run = (now) => {
    const engine = core.Engine.start(config, now, 0);
    let inEngine = 0, requests = 0;
    for (;;) {
      let t = process.hrtime.bigint();
      const action = engine.poll(now);
      inEngine += ms(t);
      if (action.type === "done") { engine.free(); return { summary: action.summary, inEngine, requests }; }
      if (action.type === "wait") throw new Error("unexpected wait");
      const [status, body] = answer(action.request);
      requests++;
      t = process.hrtime.bigint();
      engine.handle(now, { requestId: action.request.id, status, headers: {}, body });
      inEngine += ms(t);
    }
  };
  const first = run("2026-11-22T02:00:00.000Z");
  if (first.summary.backedUp !== n) throw new Error(`first run backed up ${first.summary.backedUp} of ${n}`);
  const second = run("2026-11-23T02:00:00.000Z");
  if (second.summary.unchanged !== n || second.summary.commitsMade !== 0) throw new Error("no-change run changed something");
  return { first, second, listings };
}

// Peak RSS per N in fresh processes (each prints its own figures as JSON).
if (process.argv.includes("--child")) {
  const n = Number(process.argv[process.argv.indexOf("--child") + 1]);
  const { first, second } = engineRun(n);
  console.log(JSON.stringify({ n, firstMs: first.inEngine, secondMs: second.inEngine, requests: second.requests, maxRssKb: process.resourceUsage().maxRSS }));
  process.exit(0);
}
for (const n of quick ? [1000, 10000] : [1000, 5000, 10000]) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", String(n)], { encoding: "utf8", maxBuffer: 1e8 });
  const line = child.stdout.trim().split("\n").pop() ?? "";
  if (child.status !== 0 || !line.startsWith("{")) { console.error(child.stdout, child.stderr); process.exit(1); }
  const r = JSON.parse(line);
  figure(`engine, ${n} scenarios: first run (all new, perRun)`, `${r.firstMs.toFixed(0)} ms`, "time inside the engine, instant transport");
  figure(`engine, ${n} scenarios: no-change run`, `${r.secondMs.toFixed(0)} ms`, `${r.requests} requests (list pages + branch/tree/state)`);
  figure(`peak RSS, ${n} scenarios (both runs)`, `${(r.maxRssKb / 1024).toFixed(0)} MB`, "whole process, incl. the fake GitHub holding every blob");
}

// ─── 3. cold require ───
{
  const times = [];
  for (let i = 0; i < 11; i++) {
    const child = spawnSync(process.execPath, ["-e", `const t=process.hrtime.bigint();require(${JSON.stringify(path.join(PKG, "dist/index.js"))});console.log(Number(process.hrtime.bigint()-t)/1e6)`], { encoding: "utf8" });
    times.push(Number(child.stdout.trim()));
  }
  figure("cold require (median of 11 processes)", `${median(times).toFixed(1)} ms`, `min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}; target ≤ 10 ms`);
}

// ─── 4. wasm size ───
{
  const { WASM_B64 } = (() => { const m = require(path.join(PKG, "dist/wasm/make_backup_planner_wasm_bg.wasm.js")); return { WASM_B64: m }; })();
  const bytes = Buffer.isBuffer(WASM_B64) ? WASM_B64 : Buffer.isBuffer(WASM_B64.default) ? WASM_B64.default : Buffer.from(String(Object.values(WASM_B64)[0]), "base64");
  figure(".wasm size raw", `${bytes.length.toLocaleString("en")} B`, "target ≤ 160 KB");
  figure(".wasm size gzip -9", `${gzipSync(bytes, { level: 9 }).length.toLocaleString("en")} B`);
}

// ─── 6. API calls per service for PRD scenarios 1–3 against the simulators ───
{
  const { runBackup } = require(path.join(PKG, "dist/driver.js"));
  const { createFetchTransport } = require(path.join(PKG, "dist/transport-fetch.js"));
  const { startMakeSim } = await import(path.join(ROOT, "tests/sim/make-sim.mjs"));
  const { startGithubDouble } = await import(path.join(ROOT, "tests/sim/github-double.mjs"));
  const { sampleOrg, SAMPLE_TOKENS } = await import(path.join(ROOT, "tests/sim/sample-org.mjs"));
  const dir = mkdtempSync(path.join(os.tmpdir(), "mbp-bench-"));
  const make = await startMakeSim({ token: SAMPLE_TOKENS.make, org: sampleOrg(), requestsPerMinute: 100000 });
  const github = await startGithubDouble({ token: SAMPLE_TOKENS.github, dir: path.join(dir, "repo.git") });
  try {
    const config = { make: { baseUrl: make.url, organizationId: make.organizationId, requestsPerMinute: 100000 }, github: { apiUrl: github.url, owner: "acme", repo: "make-backup", writesPerMinute: 100000 } };
    const transport = createFetchTransport({ makeToken: SAMPLE_TOKENS.make, githubToken: SAMPLE_TOKENS.github });
    const count = (log) => ({ reads: log.filter((e) => e.method === "GET").length, writes: log.filter((e) => e.method !== "GET").length });
    const scenario = async (label, before) => {
      await before?.();
      make.resetLog(); github.resetLog();
      const t = process.hrtime.bigint();
      const { summary } = await runBackup({ config, transport });
      const m = count(make.log), g = count(github.log);
      figure(`PRD ${label}`, `${summary.commitsMade} commits`, `Make ${m.reads} GET · GitHub ${g.reads} GET + ${g.writes} writes · ${summary.backedUp}/${summary.total} backed up · ${ms(t).toFixed(0)} ms`);
    };
    await scenario("1 initial backup (64 scenarios)");
    await scenario("2 no change");
    await scenario("3 one scenario edited", async () => { const id = make.scenarios()[5].id; await make.editScenario(id, { name: "Edited for the benchmark" }); });
  } finally {
    await make.close(); await github.close(); rmSync(dir, { recursive: true, force: true });
  }
}

console.log("\n| Figure | Value | Note |\n|---|---|---|");
for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
