// The public API of the built package: exports, types, values, errors.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { DIST_DIR, PKG_DIR, REPO_DIR, core, driver, fetchTransport } from "./support/harness.mjs";

const { CoreError, Engine, canonicalJson, gitBlobSha, version } = core;
const NOW = "2026-11-23T02:00:00.000Z";
const CONFIG = {
  make: { baseUrl: "http://127.0.0.1:9/api/v2", organizationId: 4101 },
  github: { apiUrl: "http://127.0.0.1:9", owner: "acme", repo: "make-backup" },
};

/** Runs `operation`, expecting a CoreError with `code`; returns it. */
function coreError(operation, code) {
  let caught;
  try {
    operation();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CoreError, `expected a CoreError, got ${caught}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, "CoreError");
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.message.length > 0);
  return caught;
}

test("exports exactly the documented API", () => {
  assert.deepEqual(Object.keys(core).sort(), ["CoreError", "Engine", "RestoreError", "buildAudit", "canonicalJson", "checkRestoredBlueprint", "diffScenario", "gitBlobSha", "makeBaseUrl", "nextStateFile", "planCommit", "planRestore", "renderAuditReadme", "renderBlueprint", "renderFiles", "restoreFileRequests", "restoreReadBackRequest", "restoreScenario", "restoreStartRequest", "restoredScenario", "scanDependencies", "scanSecrets", "selectScenarios", "verifyBackup", "verifyRepository", "verifyRequests", "version"]);
  assert.deepEqual(Object.keys(driver).sort(), ["RestoreError", "TransportFailure", "classifyTransportError", "restoreScenario", "runBackup", "systemClock"]);
  assert.deepEqual(Object.keys(fetchTransport).sort(), ["createFetchTransport"]);
  assert.deepEqual(Object.getOwnPropertyNames(Engine).filter((name) => typeof Engine[name] === "function").sort(), ["fromJSON", "start"]);
  assert.deepEqual(Object.getOwnPropertyNames(Engine.prototype).sort(), ["constructor", "free", "handle", "poll", "toJSON"]);
});

test("the declarations type-check a consumer of every export (no any)", () => {
  const tsc = path.join(PKG_DIR, "node_modules", ".bin", "tsc");
  const result = spawnSync(tsc, ["-p", path.join(PKG_DIR, "test", "tsconfig.json")], { encoding: "utf8" });
  assert.equal(result.status, 0, `tsc --noEmit -p test failed:\n${result.stdout}${result.stderr}`);
});

test("the public declarations contain no `any`", () => {
  const files = [
    ...readdirSync(DIST_DIR).filter((file) => file.endsWith(".d.ts")).map((file) => path.join(DIST_DIR, file)),
    ...readdirSync(path.join(DIST_DIR, "wasm")).filter((file) => file.endsWith(".d.ts")).map((file) => path.join(DIST_DIR, "wasm", file)),
  ];
  assert.ok(files.length >= 4);
  for (const file of files) {
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    assert.doesNotMatch(code, /\bany\b/, `${path.relative(PKG_DIR, file)} declares \`any\``);
  }
});

test("version() is the core crate's version", () => {
  const cargoToml = readFileSync(path.join(REPO_DIR, "Cargo.toml"), "utf8");
  const crateVersion = /\[package\][^[]*?\nversion = "([^"]+)"/.exec(cargoToml)?.[1];
  assert.equal(version(), crateVersion);
});

test("gitBlobSha matches git's blob ids", () => {
  assert.equal(gitBlobSha("Test content"), "3f3f005b29247e51a4f4d6b8ce07b67646cd6074");
  assert.equal(gitBlobSha(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  const text = '{\n  "name": "Rechnungsprüfung – 請求書 🚀"\n}\n';
  assert.equal(gitBlobSha(text), execFileSync("git", ["hash-object", "--stdin"], { input: text, encoding: "utf8" }).trim());
});

test("canonicalJson sorts keys recursively, indents by two, ends with a newline, keeps numbers exact", () => {
  assert.equal(canonicalJson('{"b":1,"a":{"d":[true,null],"c":"é"}}'), '{\n  "a": {\n    "c": "é",\n    "d": [\n      true,\n      null\n    ]\n  },\n  "b": 1\n}\n');
  const big = canonicalJson('{"bigId":12345678901234567890}');
  assert.match(big, /"bigId": 12345678901234567890\n/);
  assert.equal(canonicalJson(big), big, "canonical text is a fixed point");
  coreError(() => canonicalJson("{"), "invalid-input");
});

test("Engine: start, poll (idempotent), handle, toJSON/fromJSON", () => {
  const engine = Engine.start(CONFIG, NOW, 3);
  const first = engine.poll(NOW);
  assert.equal(first.type, "request");
  assert.equal(typeof first.request.id, "number");
  assert.ok(["make", "github"].includes(first.request.service));
  assert.equal(Object.getPrototypeOf(first.request.headers), Object.prototype, "headers are a plain object");
  assert.equal(first.request.headers.authorization, undefined, "the engine never carries credentials");
  assert.deepEqual(engine.poll(NOW), first, "poll repeats the outstanding request");

  const saved = engine.toJSON();
  const restored = Engine.fromJSON(saved);
  assert.equal(restored.toJSON(), saved);
  assert.deepEqual(restored.poll(NOW), first);

  restored.handle(NOW, { requestId: first.request.id, failure: { kind: "network", message: "connection refused" } });
  const next = restored.poll(NOW);
  assert.equal(next.type, "wait", "a network failure is retried after a wait");
  assert.match(next.reason, /network/);
  engine.free();
  restored.free();
});

test("errors are CoreErrors with a stable code and an actionable message", () => {
  assert.match(coreError(() => Engine.start({ ...CONFIG, make: { ...CONFIG.make, organizationId: "4101" } }, NOW), "invalid-input").message, /make\.organizationId/);
  assert.match(coreError(() => Engine.start({ ...CONFIG, comitMode: "perRun" }, NOW), "invalid-input").message, /comitMode/, "a misspelt field is rejected, not ignored");
  assert.match(coreError(() => Engine.start({ ...CONFIG, make: { organizationId: 4101 } }, NOW), "invalid-config").message, /make\.zone/);
  coreError(() => Engine.start(CONFIG, "yesterday"), "invalid-timestamp");
  coreError(() => Engine.start(CONFIG, NOW, -1), "invalid-input");
  coreError(() => Engine.start(CONFIG, NOW, 1.5), "invalid-input");
  coreError(() => Engine.fromJSON("not json"), "invalid-input");

  const engine = Engine.start(CONFIG, NOW);
  const { request } = engine.poll(NOW);
  const stray = coreError(() => engine.handle(NOW, { requestId: request.id + 100, status: 200, headers: {}, body: "" }), "unexpected-reply");
  assert.match(stray.message, /poll\(\)/);
  coreError(() => engine.handle(NOW, { requestId: request.id, status: "200" }), "invalid-input");
  assert.deepEqual(engine.poll(NOW).request, request, "a rejected reply changes nothing");
  engine.free();
  engine.free(); // a second free is harmless
  coreError(() => engine.poll(NOW), "engine-freed");
});
