// Runs the JavaScript examples of README.md, as a user would, against the built package.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { PKG_DIR, SAMPLE_TOKENS, organization, startSimulators, tempDir } from "./support/harness.mjs";

const examples = [...readFileSync(path.join(PKG_DIR, "README.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]);
// Written inside pkg-js (build/ is git-ignored) so `require("make-backup-planner")` resolves to this package by name.
const EXAMPLE_DIR = path.join(PKG_DIR, "build", "readme-examples");

function runExample(index, args = [], env = {}) {
  mkdirSync(EXAMPLE_DIR, { recursive: true });
  const file = path.join(EXAMPLE_DIR, `example-${index}.cjs`);
  writeFileSync(file, examples[index]);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("the README has the two examples", () => {
  assert.equal(examples.length, 2);
  assert.match(examples[0], /Engine\.start/);
  assert.match(examples[1], /runBackup/);
});

test("example 1: the core alone", async () => {
  const { code, stdout, stderr } = await runExample(0);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^core \d+\.\d+\.\d+/);
  assert.match(stdout, /\{\n {2}"a": \[\n {4}true,\n {4}null\n {2}\],\n {2}"b": 1\n\}\n/);
  assert.match(stdout, /^3f3f005b29247e51a4f4d6b8ce07b67646cd6074$/m);
  assert.match(stdout, /^GET https:\/\/api\.github\.com\/repos\/acme\/make-backup\/branches\/main \(read the branch head\)$/m);
  assert.match(stdout, /^invalid-config: .*make\.zone/m);
});

test("example 2: a whole backup against the simulators", async (t) => {
  const sims = await startSimulators({ org: organization(2) });
  t.after(() => sims.close());
  const temp = tempDir("readme");
  t.after(temp.remove);
  const configFile = path.join(temp.dir, "backup.json");
  writeFileSync(configFile, JSON.stringify(sims.config()));
  const { code, stdout, stderr } = await runExample(1, [configFile], { MAKE_API_TOKEN: SAMPLE_TOKENS.make, GITHUB_TOKEN: SAMPLE_TOKENS.github });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^# Make\.com backup — ✅ success/);
  assert.match(stderr, /→ list scenarios \(page 1\)/);
  assert.match(stderr, /^2 of 2 scenarios backed up, \d+ requests$/m);
});
