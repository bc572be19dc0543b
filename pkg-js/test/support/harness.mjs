// Shared by the pkg-js tests: the built package, the repository's simulators, a fast clock, git reads.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO_DIR = path.resolve(PKG_DIR, "..");
export const DIST_DIR = path.join(PKG_DIR, "dist");
const SIM_DIR = path.join(REPO_DIR, "tests", "sim");

const require = createRequire(import.meta.url);
/** The built package: `dist/index.js`, or a subpath such as `driver`. The tests never build. */
export function dist(subpath = "index") {
  return require(path.join(DIST_DIR, `${subpath}.js`));
}

export const core = dist("index");
export const driver = dist("driver");
export const fetchTransport = dist("transport-fetch");

const simModule = async (name) => import(pathToFileURL(path.join(SIM_DIR, name)).href);
export const { startMakeSim } = await simModule("make-sim.mjs");
export const { startGithubDouble } = await simModule("github-double.mjs");
export const { sampleOrg, SAMPLE_TOKENS, SAMPLE_ORGANIZATION_ID, BIG_NUMBER_SCENARIO_ID } = await simModule("sample-org.mjs");

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pkg-js-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The sample organization, optionally cut down to its first `count` scenarios (faster runs). */
export function organization(count) {
  const org = sampleOrg();
  if (count === undefined) return org;
  const scenarios = org.scenarios.slice(0, count);
  const keep = new Set(scenarios.map((scenario) => String(scenario.id)));
  const blueprints = Object.fromEntries(Object.entries(org.blueprints).filter(([id]) => keep.has(id)));
  return { ...org, scenarios, blueprints };
}

/**
 * Both simulators on 127.0.0.1 with a bare repository in a temp dir. `close()` stops them and removes it.
 * @param {{ org?: object, gitDir?: string }} [options]
 */
export async function startSimulators(options = {}) {
  const temp = options.gitDir ? null : tempDir("repo");
  const gitDir = options.gitDir ?? path.join(temp.dir, "backup.git");
  const make = await startMakeSim({ token: SAMPLE_TOKENS.make, org: options.org ?? sampleOrg(), requestsPerMinute: 6000 });
  const github = await startGithubDouble({ owner: "acme", repo: "make-backup", branch: "main", token: SAMPLE_TOKENS.github, dir: gitDir });
  return {
    make,
    github,
    gitDir,
    /** A config for these simulators; the budgets are raised so runs take seconds. */
    config(overrides = {}) {
      return {
        make: { baseUrl: make.url, organizationId: SAMPLE_ORGANIZATION_ID, requestsPerMinute: 6000 },
        github: { apiUrl: github.url, owner: "acme", repo: "make-backup", branch: "main", writesPerMinute: 6000 },
        ...overrides,
      };
    },
    transport: fetchTransport.createFetchTransport({ makeToken: SAMPLE_TOKENS.make, githubToken: SAMPLE_TOKENS.github }),
    async close() {
      await Promise.all([make.close(), github.close()]);
      temp?.remove();
    },
  };
}

/**
 * A clock whose `sleep` returns at once and moves `now` forward instead: retries and pacing are honoured
 * in the engine's time without the test waiting. `sleeps` records every requested wait (ms).
 */
export function fastClock() {
  let offsetMs = 0;
  const sleeps = [];
  return {
    sleeps,
    now: () => new Date(Date.now() + offsetMs).toISOString(),
    async sleep(ms) {
      sleeps.push(ms);
      offsetMs += ms;
    },
  };
}

/** Runs git against a bare repository and returns stdout (throws on failure). */
export function git(gitDir, ...args) {
  return execFileSync("git", ["--git-dir", gitDir, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Files at a revision: [{ path, blobSha }]. */
export function treeFiles(gitDir, rev = "main") {
  return git(gitDir, "ls-tree", "-r", rev)
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [meta, filePath] = line.split("\t");
      return { path: filePath, blobSha: meta.split(" ")[2] };
    });
}

/** Subjects of the commits reachable from `rev` and not from `since` (newest first). */
export function commitSubjects(gitDir, rev = "main", since) {
  const range = since ? `${since}..${rev}` : rev;
  return git(gitDir, "log", "--format=%s", range).split("\n").filter(Boolean);
}

export function readFile(gitDir, filePath, rev = "main") {
  return git(gitDir, "show", `${rev}:${filePath}`);
}

/** Texts of many blobs with one `git cat-file --batch`: Map blob id → UTF-8 text. */
export function readBlobs(gitDir, blobShas) {
  const output = execFileSync("git", ["--git-dir", gitDir, "cat-file", "--batch"], {
    input: `${blobShas.join("\n")}\n`,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
    maxBuffer: 256 * 1024 * 1024,
  });
  const texts = new Map();
  let offset = 0;
  while (offset < output.length) {
    const headerEnd = output.indexOf(0x0a, offset);
    const [sha, type, size] = output.subarray(offset, headerEnd).toString("utf8").split(" ");
    if (type !== "blob") throw new Error(`git cat-file: ${sha} is ${type}`);
    const start = headerEnd + 1;
    texts.set(sha, output.subarray(start, start + Number(size)).toString("utf8"));
    offset = start + Number(size) + 1; // content is followed by a newline
  }
  return texts;
}
