#!/usr/bin/env node
// The fault matrix of issue 4 §1. For each row: fresh simulators (the sample organization, 64 scenarios, and
// the GitHub double over a real bare repository) → inject the fault → runBackup with the BUILT package
// (pkg-js/dist) → remove the fault → run again → check with git and verifyRepository that nothing was lost
// or duplicated, that the state agrees with the repository, and that the faulty run's summary names the fault.
//
//   node tests/fault-matrix/run.mjs                 # every row, two at a time
//   node tests/fault-matrix/run.mjs --only NAME[,NAME…] [--jobs N] [--list]
//
// Expected outcomes are the engine's (src/engine.rs); a row that fails stays in the table as FAIL with what
// was observed. Exit code: 0 when every row passes, 1 otherwise (2 on a usage error).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startGithubDouble } from '../sim/github-double.mjs';
import { startMakeSim } from '../sim/make-sim.mjs';
import { BIG_NUMBER_SCENARIO_ID, LARGE_SCENARIO_ID, SAMPLE_ORGANIZATION_ID, SAMPLE_TOKENS, sampleOrg } from '../sim/sample-org.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(HERE, '..', '..', 'pkg-js', 'dist');
if (!existsSync(path.join(DIST, 'index.js'))) {
  console.error(`fault-matrix: ${DIST} is not built; run \`cd pkg-js && npm run build\` first`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
const core = require(path.join(DIST, 'index.js'));
const { runBackup, classifyTransportError } = require(path.join(DIST, 'driver.js'));
const { createFetchTransport } = require(path.join(DIST, 'transport-fetch.js'));

const OWNER = 'acme';
const REPO = 'make-backup';
const ORG = sampleOrg();
const ALL_IDS = ORG.scenarios.map((scenario) => scenario.id);
// Scenarios the faults aim at: ordinary ones (not the ≥ 1 MB blueprint, not the one with big numbers).
const ORDINARY_IDS = ALL_IDS.filter((id) => id !== BIG_NUMBER_SCENARIO_ID && id !== LARGE_SCENARIO_ID);
const TARGET_ID = ORDINARY_IDS[5];
const DELETED_ID = ORDINARY_IDS[14];
const SECRET_ID = ORDINARY_IDS[9];
const ROW_TIMEOUT_MS = 240_000;
// The engine warns about this config on every run (the budgets are raised so rows stay fast): not a fault.
const CONFIG_WARNING = /^github\.writesPerMinute is /;
// A GitHub personal access token shape (ghp_ + 36), made up: what push protection recognizes.
const LEAKED_TOKEN = 'ghp_Zq4Lr8Tn2Vx6Bc0Mk3Pw7Hs1Jd5Fg9Ya2Ue6';

// ---------------------------------------------------------------------------------------------- clocks

/** The machine's clock: waits are really slept (rows about retry timing use it). */
function realClock() {
  return { virtual: false, nowMs: () => Date.now(), now: () => new Date().toISOString(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}

/**
 * Virtual time shared by the engine and the Make simulator: a wait moves the clock instead of sleeping, so
 * the rate-limit rows can pace through minutes of budget in a second while both sides agree on the window.
 */
function virtualClock() {
  let offsetMs = 0;
  return {
    virtual: true,
    nowMs: () => Date.now() + offsetMs,
    now: () => new Date(Date.now() + offsetMs).toISOString(),
    sleep: async (ms) => {
      offsetMs += ms;
    },
  };
}

// ------------------------------------------------------------------------------------------ row context

/** Fresh simulators for one row; everything started is registered in `closers` (closed in reverse). */
async function openRow(row) {
  const ctx = { row, closers: [], notes: [], branch: 'main', clock: row.virtualTime ? virtualClock() : realClock() };
  try {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'fault-matrix-'));
    ctx.closers.push(async () => rmSync(temp, { recursive: true, force: true }));
    ctx.temp = temp;
    ctx.make = await startMakeSim({
      token: SAMPLE_TOKENS.make,
      org: sampleOrg(),
      requestsPerMinute: row.makeLimitPerMinute ?? 1_000_000,
      clock: ctx.clock.nowMs,
    });
    ctx.closers.push(() => ctx.make.close());
    ctx.gh = await startGithubDouble({
      owner: OWNER,
      repo: REPO,
      branch: 'main',
      token: SAMPLE_TOKENS.github,
      dir: path.join(temp, 'backup.git'), // kept by the double on close; the temp dir removal takes it
      empty: row.emptyRepository ?? false,
    });
    ctx.closers.push(() => ctx.gh.close());
    ctx.gitDir = ctx.gh.gitDir;
    ctx.transport = createFetchTransport({ makeToken: SAMPLE_TOKENS.make, githubToken: SAMPLE_TOKENS.github });
  } catch (error) {
    await closeRow(ctx);
    throw error;
  }
  return ctx;
}

async function closeRow(ctx) {
  while (ctx.closers.length) {
    const close = ctx.closers.pop();
    try {
      await close();
    } catch (error) {
      console.error(`fault-matrix: closing ${ctx.row.name}: ${error.message}`);
    }
  }
}

/** The engine config for this row's simulators: budgets high (rows stay fast) unless the row is about them. */
function configFor(ctx, overrides = {}) {
  const base = {
    make: { baseUrl: ctx.make.url, organizationId: SAMPLE_ORGANIZATION_ID, requestsPerMinute: 100_000 },
    github: { apiUrl: ctx.gh.url, owner: OWNER, repo: REPO, branch: ctx.branch, writesPerMinute: 100_000 },
  };
  const rowConfig = ctx.row.config ?? {};
  return {
    ...rowConfig,
    ...overrides,
    make: { ...base.make, ...rowConfig.make, ...overrides.make },
    github: { ...base.github, ...rowConfig.github, ...overrides.github },
  };
}

/** One runBackup; records the engine's waits (seconds and reason). */
async function backup(ctx, { config = configFor(ctx), transport = ctx.transport, seed = 0 } = {}) {
  const waits = [];
  const result = await runBackup({
    config,
    transport,
    seed,
    clock: ctx.clock,
    onAction: (action) => {
      if (action.type === 'wait') waits.push({ seconds: action.seconds, reason: action.reason });
    },
  });
  return { ...result, waits };
}

/** A transport that runs `before(request, index)` before each request goes out (faults that need timing). */
function tap(transport, before) {
  let index = 0;
  return async (request) => {
    await before(request, index++);
    return transport(request);
  };
}

/** The driver's perform step, for rows that drive the engine by hand. */
async function perform(transport, request) {
  try {
    const reply = await transport(request);
    return { requestId: request.id, status: reply.status, headers: reply.headers, body: reply.body };
  } catch (error) {
    return { requestId: request.id, failure: classifyTransportError(error) };
  }
}

/**
 * Drives an engine by hand, as a host would, until `abandon(request)` says `before` (the host dies before
 * sending) or `after-send` (the host dies after sending, before reading the reply). The engine is dropped.
 */
async function driveUntilCrash(ctx, abandon) {
  const engine = core.Engine.start(configFor(ctx), ctx.clock.now(), 0);
  let requests = 0;
  try {
    for (;;) {
      const action = engine.poll(ctx.clock.now());
      if (action.type === 'done') return { crashed: false, requests, summary: action.summary };
      if (action.type === 'wait') {
        await ctx.clock.sleep(action.seconds * 1000);
        continue;
      }
      const decision = abandon(action.request);
      if (decision === 'before') return { crashed: true, requests, at: action.request.purpose };
      const reply = await perform(ctx.transport, action.request);
      requests += 1;
      if (decision === 'after-send') return { crashed: true, requests, at: action.request.purpose };
      engine.handle(ctx.clock.now(), reply);
    }
  } finally {
    engine.free();
  }
}

// ----------------------------------------------------------------------------------- reading the repo

function git(ctx, ...args) {
  return execFileSync('git', ['--git-dir', ctx.gitDir, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function headOf(ctx, branch = ctx.branch) {
  try {
    return git(ctx, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).trim();
  } catch {
    return null;
  }
}

/** Commits on the branch, newest first: { sha, subject }. */
function commitsOn(ctx, branch = ctx.branch) {
  if (!headOf(ctx, branch)) return [];
  return git(ctx, 'log', '--format=%H%x09%s', `refs/heads/${branch}`)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha, ...rest] = line.split('\t');
      return { sha, subject: rest.join('\t') };
    });
}

function isAncestor(ctx, sha, branch = ctx.branch) {
  try {
    git(ctx, 'merge-base', '--is-ancestor', sha, `refs/heads/${branch}`);
    return true;
  } catch {
    return false;
  }
}

/** `Backup scenario {id}:` commits per scenario id (oldest last, as git log lists them). */
function backupCommitsById(commits) {
  const byId = new Map();
  for (const commit of commits) {
    const match = /^Backup scenario (\d+): /.exec(commit.subject);
    if (!match) continue;
    const id = Number(match[1]);
    if (!byId.has(id)) byId.set(id, []);
    byId.get(id).push(commit.sha);
  }
  return byId;
}

function countBackupCommits(ctx) {
  return [...backupCommitsById(commitsOn(ctx)).values()].reduce((sum, shas) => sum + shas.length, 0);
}

/** A request to the GitHub double as any API client would make it (token, user agent). */
async function githubApi(ctx, method, apiPath, { body, accept = 'application/vnd.github+json' } = {}) {
  const response = await fetch(`${ctx.gh.url}/repos/${OWNER}/${REPO}${apiPath}`, {
    method,
    headers: {
      authorization: `Bearer ${SAMPLE_TOKENS.github}`,
      'user-agent': 'fault-matrix',
      accept,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * What verify sees: the raw recursive tree listing and the state text, both read from the double over its
 * REST API, then `verifyRepository` of the built package. Null when the branch has no tree to list.
 */
async function verifyNow(ctx) {
  const tree = await githubApi(ctx, 'GET', `/git/trees/${encodeURIComponent(ctx.branch)}?recursive=1`);
  if (tree.status !== 200) return null;
  const state = await githubApi(ctx, 'GET', `/contents/.backup-state.json?ref=${encodeURIComponent(ctx.branch)}`, { accept: 'application/vnd.github.raw' });
  const stateText = state.status === 200 ? state.text : null;
  const report = core.verifyRepository(tree.text, stateText, new Date(Math.max(Date.now(), ctx.clock.nowMs())).toISOString());
  return { report, treeText: tree.text, stateText };
}

// ---------------------------------------------------------------------------------- summary helpers

/** Everything the summary says about problems: fatal, errors, warnings (minus the config warning). */
function faultText(summary) {
  const parts = [];
  if (summary.fatal) parts.push(`${summary.fatal.code} ${summary.fatal.message}`);
  for (const error of summary.errors) parts.push(`${error.code} ${error.status ?? ''} ${error.message}`);
  for (const warning of summary.warnings) if (!CONFIG_WARNING.test(warning)) parts.push(warning);
  return parts.join('\n');
}

function meaningfulWarnings(summary) {
  return summary.warnings.filter((warning) => !CONFIG_WARNING.test(warning));
}

/** "status code backedUp/total" for the table. */
function outcomeOf(summary) {
  const code =
    summary.fatal?.code ??
    summary.errors.find((error) => error.class !== 'skipped')?.code ??
    summary.errors[0]?.code ??
    (meaningfulWarnings(summary).length ? 'warning' : '-');
  return `${summary.status} ${code} ${summary.backedUp}/${summary.total}`;
}

/** A problem collector: `expect(condition, message)`. */
function problemList() {
  const problems = [];
  const expect = (condition, message) => {
    if (!condition) problems.push(message);
    return condition;
  };
  return { problems, expect };
}

const short = (text, max = 160) => {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** Checks the summary names the fault; the message shows what it said instead. */
function expectNamed(expect, summary, pattern, what) {
  const text = faultText(summary);
  return expect(pattern.test(text), `the faulty run's summary does not name the fault (${what}): status ${summary.status}, it says: ${short(text || '(nothing: no fatal, no errors, no warnings)')}`);
}

function expectStatus(expect, summary, status) {
  return expect(summary.status === status, `faulty run status is ${summary.status} (expected ${status})${summary.fatal ? `: ${summary.fatal.code} ${short(summary.fatal.message)}` : ''}`);
}

function expectFatal(expect, summary, code, patterns = []) {
  if (!expect(summary.fatal?.code === code, `fatal code is ${summary.fatal?.code ?? 'none'} (expected ${code})${summary.fatal ? `: ${short(summary.fatal.message)}` : ''}`)) return;
  for (const pattern of patterns) expect(pattern.test(summary.fatal.message), `fatal message does not match ${pattern}: ${short(summary.fatal.message)}`);
}

/** The one error of `scenarioId` with `code` and class; message patterns checked. */
function expectScenarioError(expect, summary, scenarioId, { code, errorClass = 'scenario', patterns = [] }) {
  const errors = summary.errors.filter((error) => error.scenarioId === scenarioId);
  const found = errors.find((error) => (code === undefined || error.code === code) && error.class === errorClass);
  if (!expect(found, `no ${errorClass} error ${code ?? ''} for scenario ${scenarioId}; errors: ${short(JSON.stringify(summary.errors.map((e) => [e.scenarioId, e.class, e.code])))}${summary.fatal ? `; fatal ${summary.fatal.code}: ${short(summary.fatal.message)}` : ''}`)) return;
  for (const pattern of patterns) expect(pattern.test(found.message), `error message of ${scenarioId} does not match ${pattern}: ${short(found.message)}`);
}

/**
 * The real retry schedule, read from the simulator's log: the gaps between the arrivals of successive
 * attempts are 1 s, 2 s, 4 s … (+ at most 20 % jitter) after the failure arrived; `holdSeconds` is how long
 * the failing attempt itself took to fail (a timeout).
 */
function expectRetryGaps(expect, entries, count, holdSeconds = 0) {
  const arrivals = entries.map((entry) => Date.parse(entry.at));
  const gaps = arrivals.slice(1).map((at, i) => (at - arrivals[i]) / 1000);
  const expected = Array.from({ length: count }, (_, i) => holdSeconds + 2 ** i);
  const fits = gaps.length >= count && expected.every((seconds, i) => gaps[i] >= seconds - 0.02 && gaps[i] <= holdSeconds + 2 ** i * 1.2 + 0.6);
  expect(fits, `retry gaps were [${gaps.slice(0, count).map((g) => g.toFixed(2)).join(', ')}] s between attempts (expected ${expected.join(', ')} s${holdSeconds ? ` = ${holdSeconds} s to time out + backoff` : ''}, + ≤ 20 % jitter)`);
}

const listRequests = (ctx) => ctx.make.log.filter((entry) => /\/api\/v2\/scenarios$/.test(entry.path));
const listRequestsAt = (ctx, offset) => listRequests(ctx).filter((entry) => entry.query['pg[offset]'] === String(offset));
const blueprintRequests = (ctx, id) => ctx.make.log.filter((entry) => entry.path.endsWith(`/scenarios/${id}/blueprint`));
const githubRequests = (ctx, method, suffix) => ctx.gh.log.filter((entry) => entry.method === method && entry.path.endsWith(suffix));

// --------------------------------------------------------------------------------------------- fault bodies

const makeError = (status, detail, message) => ({ detail, message, code: `SC${status}` });
const githubError = (status, message, doc = 'https://docs.github.com/rest') => ({ message, documentation_url: doc, status: String(status) });
const blueprintPath = (id) => new RegExp(`/scenarios/${id}/blueprint(\\?|$)`);
const listPageAt = (offset) => new RegExp(`/scenarios\\?.*pg\\[offset\\]=${offset}&`);

/** GitHub's push-protection answer (shape of the documented 409 "Repository rule violations" body). */
function pushProtectionBody(commitSha, scenarioId) {
  return {
    message:
      'Repository rule violations found\n\n- GITHUB PUSH PROTECTION\n  Resolve the following violations before pushing again\n\n  - Push cannot contain secrets\n\n' +
      `  —— GitHub Personal Access Token ——\n    locations:\n      - commit: ${commitSha}\n        path: scenarios/${scenarioId}/blueprint.json\n`,
    documentation_url: 'https://docs.github.com/code-security/secret-scanning/working-with-secret-scanning-and-push-protection',
    status: '409',
    metadata: { secret_scanning: { bypass_placeholders: [{ placeholder_id: 'ph_fault_matrix_1', token_type: 'GITHUB_PERSONAL_ACCESS_TOKEN' }] } },
  };
}

/**
 * Push protection in front of the double: a ref update whose new commits add the leaked token is answered
 * 409 by the double (an injected one-shot rule), as GitHub does; updates without it pass.
 */
function withPushProtection(ctx, transport) {
  return tap(transport, async (request) => {
    if (request.service !== 'github' || request.method !== 'PATCH' || !/\/git\/refs\/heads\//.test(request.url)) return;
    const target = JSON.parse(request.body).sha;
    const head = headOf(ctx);
    const range = head ? `${head}..${target}` : target;
    let introducing = '';
    try {
      introducing = git(ctx, 'log', '--format=%H', `-S${LEAKED_TOKEN}`, range).trim();
    } catch {
      return; // not a commit: let the double answer
    }
    if (introducing) {
      ctx.pushProtectionRejections = (ctx.pushProtectionRejections ?? 0) + 1;
      ctx.gh.inject({ method: 'PATCH', path: '/git/refs/heads/', times: 1, status: 409, body: pushProtectionBody(introducing.split('\n')[0], SECRET_ID) });
    }
  });
}

/** The scenario's blueprint with an HTTP module that sends the leaked token in a header. */
function blueprintWithLeakedToken(id) {
  const blueprint = JSON.parse(ORG.blueprints[id].blueprintText);
  blueprint.flow.push({
    id: 900,
    module: 'http:ActionSendData',
    version: 3,
    parameters: { handleErrors: false },
    mapper: { url: 'https://api.github.com/user', method: 'get', headers: [{ name: 'Authorization', value: `token ${LEAKED_TOKEN}` }] },
    metadata: { designer: { x: 900, y: 0 } },
  });
  return blueprint;
}

// ------------------------------------------------------------------------------------------------ rows

/** A baseline full backup before the fault (rows about an existing backup). */
async function baselineBackup(ctx) {
  const { summary } = await backup(ctx);
  if (summary.status !== 'success' || summary.backedUp !== ALL_IDS.length) throw new Error(`baseline backup: ${outcomeOf(summary)} ${short(faultText(summary))}`);
}

/** Rows that corrupt the state after a full backup: the next run rebuilds it, backs nothing up again. */
function corruptStateRow(name, fault, corrupt, reasonPattern) {
  return {
    name,
    fault,
    rebuiltState: true,
    async prepare(ctx) {
      await baselineBackup(ctx);
      await corrupt(ctx);
      ctx.backupCommitsBefore = countBackupCommits(ctx);
    },
    async faulty(ctx) {
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'success');
      expectNamed(expect, summary, reasonPattern, `state ${reasonPattern}`);
      expect(summary.warnings.some((warning) => /rebuilt the state from 64 metadata\.json files/.test(warning)), `no "rebuilt the state from 64 metadata.json files" warning: ${short(meaningfulWarnings(summary).join(' | '))}`);
      expect(summary.backedUp === 0, `the rebuild backed up ${summary.backedUp} scenarios again (expected 0)`);
      expect(countBackupCommits(ctx) === ctx.backupCommitsBefore, `${countBackupCommits(ctx) - ctx.backupCommitsBefore} new "Backup scenario" commits after the rebuild (expected 0)`);
      const rebuilt = JSON.parse(git(ctx, 'show', 'refs/heads/main:.backup-state.json'));
      const withoutCommit = Object.values(rebuilt.scenarios).filter((entry) => entry.gitSHA === null).length;
      ctx.notes.push(`rebuilt state: gitSHA null for ${withoutCommit} scenarios (metadata.json cannot name its own commit)`);
    },
  };
}

async function readStateText(ctx) {
  const state = await githubApi(ctx, 'GET', '/contents/.backup-state.json', { accept: 'application/vnd.github.raw' });
  if (state.status !== 200) throw new Error(`read state: HTTP ${state.status}`);
  return state.text;
}

const ROWS = [
  // ------------------------------------------------------------------------------------------ Make
  {
    name: 'make-401-bad-token',
    fault: 'Make 401: bad API token',
    async faulty(ctx) {
      const transport = createFetchTransport({ makeToken: 'not-the-make-token', githubToken: SAMPLE_TOKENS.github });
      const mark = ctx.gh.log.length;
      const { summary } = await backup(ctx, { transport });
      ctx.githubWrites = ctx.gh.log.slice(mark).filter((entry) => entry.method !== 'GET').length;
      return { summaries: [summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'failed');
      expectFatal(expect, summary, 'make-unauthorized', [/token/i, /zone/i, /scenarios:read/]);
      expect(ctx.githubWrites === 0, `the failed run wrote to GitHub ${ctx.githubWrites} times`);
    },
  },
  {
    name: 'make-401-wrong-zone',
    fault: 'Make 401: token of another zone',
    async faulty(ctx) {
      // The same organization in another zone, where this token does not exist.
      const otherZone = await startMakeSim({ token: 'token-of-the-other-zone', org: sampleOrg(), requestsPerMinute: 1_000_000 });
      ctx.closers.push(() => otherZone.close());
      ctx.otherZoneUrl = otherZone.url;
      const { summary } = await backup(ctx, { config: configFor(ctx, { make: { baseUrl: otherZone.url } }) });
      return { summaries: [summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'failed');
      expectFatal(expect, summary, 'make-unauthorized', [/token/i, /zone/i, /scenarios:read/]);
      expect(summary.fatal?.message.includes(new URL(ctx.otherZoneUrl).host), `fatal message does not name the zone it asked (${new URL(ctx.otherZoneUrl).host})`);
    },
  },
  {
    name: 'make-403-missing-scope',
    fault: 'Make 403 on the list (scope missing)',
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: /\/scenarios\?/, times: 1, status: 403, body: makeError(403, 'Access denied.', 'Permission denied') });
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'failed');
      expectFatal(expect, summary, 'make-forbidden', [/scenarios:read/, /403/]);
    },
  },
  {
    name: 'make-404-blueprint-deleted-after-listing',
    fault: 'Make 404: scenario deleted between list and blueprint',
    async faulty(ctx) {
      // The scenario really disappears from Make once the list is read (at the first blueprint request).
      const transport = tap(ctx.transport, (request) => {
        if (/\/blueprint\?/.test(request.url) && ctx.make.scenarios().some((s) => s.id === DELETED_ID)) ctx.make.deleteScenario(DELETED_ID);
      });
      return { summaries: [(await backup(ctx, { transport })).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'success');
      expectScenarioError(expect, summary, DELETED_ID, { code: 'deleted-since-listing', errorClass: 'skipped', patterns: [/404/, /deleted/] });
      expect(summary.skipped === 1 && summary.backedUp === ALL_IDS.length - 1, `skipped ${summary.skipped}, backed up ${summary.backedUp} (expected 1 and ${ALL_IDS.length - 1})`);
    },
  },
  {
    name: 'make-429-without-retry-after',
    fault: 'Make 429 (no Retry-After): real limit 20/min, config says 60',
    virtualTime: true,
    makeLimitPerMinute: 20,
    config: { make: { requestsPerMinute: 60 } },
    async faulty(ctx) {
      const result = await backup(ctx);
      ctx.tooManyRequests = ctx.make.log.filter((entry) => entry.status === 429).length;
      ctx.virtualMinutes = (ctx.clock.nowMs() - Date.now()) / 60_000;
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect) {
      ctx.notes.push(`${ctx.tooManyRequests} × 429, ${ctx.virtualMinutes.toFixed(1)} virtual minutes`);
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp} (expected ${ALL_IDS.length})`);
      expect(ctx.tooManyRequests >= 1, 'Make never answered 429: the row did not exercise the limit');
      // Learning the limit: after the first 429 the engine paces to it instead of hitting it again and again.
      expect(ctx.tooManyRequests <= 3, `Make answered 429 ${ctx.tooManyRequests} times: the engine did not slow to the limit it learned`);
      expectNamed(expect, summary, /\b429\b|rate.?limit|requests per minute|budget/i, 'HTTP 429 / rate limit');
    },
  },
  {
    name: 'make-429-with-retry-after',
    fault: 'Make 429 with Retry-After: 7 on one blueprint',
    virtualTime: true,
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: blueprintPath(ORDINARY_IDS[30]), times: 1, status: 429, headers: { 'retry-after': '7' }, body: makeError(429, 'Requests limit for organization exceeded, please try again later.', 'Too Many Requests') });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp} (expected ${ALL_IDS.length})`);
      // The simulator's log is in the same virtual time as the engine: the retry came ≥ 7 s after the 429.
      const [limited, retry] = blueprintRequests(ctx, ORDINARY_IDS[30]);
      const gap = retry ? (Date.parse(retry.at) - Date.parse(limited.at)) / 1000 : null;
      expect(limited?.status === 429 && gap !== null && gap >= 7, `retry ${gap === null ? 'missing' : `${gap.toFixed(1)} s`} after the 429 with Retry-After: 7`);
      if (gap !== null) ctx.notes.push(`retried ${gap.toFixed(1)} s after the 429 (Retry-After 7 s, then the learned budget)`);
      expectNamed(expect, summary, /\b429\b|rate.?limit/i, 'HTTP 429 / rate limit');
    },
  },
  {
    name: 'make-429-beyond-max-wait',
    fault: 'Make 429, Retry-After 3600 s mid-run (maxWait 60 s)',
    config: { maxWaitSeconds: 60 },
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: blueprintPath(ORDINARY_IDS[30]), times: 1, status: 429, headers: { 'retry-after': '3600' }, body: makeError(429, 'Requests limit for organization exceeded, please try again later.', 'Too Many Requests') });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      ctx.notes.push(`${summary.backedUp} landed before the stop`);
      expectStatus(expect, summary, 'failed');
      expectFatal(expect, summary, 'make-rate-limited', [/maxWaitSeconds/, /resumable|run again/i]);
      expect(!faulty.waits.some((wait) => wait.seconds > 60), 'the run waited beyond maxWaitSeconds');
      // Resumable: the scenarios backed up before the stop landed and are recorded; the next run does the rest.
      const landedIds = summary.commits.flatMap((commit) => commit.scenarioIds);
      expect(summary.backedUp === landedIds.length && summary.commits.every((commit) => isAncestor(ctx, commit.sha)), `summary reports ${summary.backedUp} backed up, ${landedIds.length} in landed commits`);
    },
  },
  {
    name: 'make-500-on-page',
    fault: 'Make 500 ×4 on list page 2 of 4',
    config: { make: { pageSize: 20 } },
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: listPageAt(20), times: 4, status: 500, body: makeError(500, 'Internal error', 'Internal Server Error') });
      const result = await backup(ctx);
      ctx.pagesAsked = listRequests(ctx).map((entry) => Number(entry.query['pg[offset]']));
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'partial');
      expectScenarioError(expect, summary, null, { code: 'inventory-incomplete', patterns: [/500/] });
      expect(summary.inventoryComplete === false, 'inventoryComplete is true after a failed page');
      expect(summary.total === 20 && summary.backedUp === 20 && summary.deleted === 0, `total ${summary.total}, backed up ${summary.backedUp}, deleted ${summary.deleted} (expected 20, 20, 0)`);
      expect(ctx.pagesAsked.filter((offset) => offset === 20).length === 4 && !ctx.pagesAsked.some((offset) => offset > 20), `pages asked (offsets): ${ctx.pagesAsked.join(', ')}`);
      expectRetryGaps(expect, listRequestsAt(ctx, 20), 3);
    },
  },
  {
    name: 'make-503-on-page',
    fault: 'Make 503 ×2 on list page 2 of 4',
    config: { make: { pageSize: 20 } },
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: listPageAt(20), times: 2, status: 503, body: makeError(503, 'Service temporarily unavailable', 'Service Unavailable') });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'success');
      expect(summary.inventoryComplete && summary.backedUp === ALL_IDS.length, `inventoryComplete ${summary.inventoryComplete}, backed up ${summary.backedUp}`);
      expectRetryGaps(expect, listRequestsAt(ctx, 20), 2);
      expectNamed(expect, summary, /\b503\b/, 'HTTP 503 retried');
    },
  },
  {
    name: 'make-500-on-blueprint',
    fault: 'Make 500 ×4 on one blueprint',
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: blueprintPath(TARGET_ID), times: 4, status: 500, body: makeError(500, 'Internal error', 'Internal Server Error') });
      const result = await backup(ctx);
      ctx.attempts = blueprintRequests(ctx, TARGET_ID).length;
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'partial');
      expectScenarioError(expect, summary, TARGET_ID, { code: 'make-unavailable', patterns: [/500/] });
      expect(summary.backedUp === ALL_IDS.length - 1, `backed up ${summary.backedUp} (expected the ${ALL_IDS.length - 1} others)`);
      expect(ctx.attempts === 4, `${ctx.attempts} blueprint requests (expected 1 + 3 retries)`);
      expectRetryGaps(expect, blueprintRequests(ctx, TARGET_ID), 3);
    },
  },
  {
    name: 'make-503-on-blueprint',
    fault: 'Make 503 ×3 on one blueprint (4th try works)',
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: blueprintPath(TARGET_ID), times: 3, status: 503, body: makeError(503, 'Service temporarily unavailable', 'Service Unavailable') });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp} (expected ${ALL_IDS.length})`);
      expectRetryGaps(expect, blueprintRequests(ctx, TARGET_ID), 3);
      expectNamed(expect, summary, /\b503\b/, 'HTTP 503 retried');
    },
  },
  {
    name: 'make-timeout',
    fault: 'Make blueprint holds the socket 4 s (timeout 2 s)',
    config: { requestTimeoutMs: 2000 },
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: blueprintPath(TARGET_ID), times: 1, action: 'timeout', delayMs: 4000 });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp} (expected ${ALL_IDS.length})`);
      expect(blueprintRequests(ctx, TARGET_ID).length === 2, `${blueprintRequests(ctx, TARGET_ID).length} blueprint requests (expected the timed-out one and one retry)`);
      // The retry waits its backoff after the timeout fired, not after the request was sent.
      expectRetryGaps(expect, blueprintRequests(ctx, TARGET_ID), 1, 2);
      expectNamed(expect, summary, /time(d)? ?out/i, 'timeout retried');
    },
  },
  {
    name: 'make-non-json-page',
    fault: 'Make list page: 200 with an HTML body',
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: /\/scenarios\?/, times: 1, status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body><h1>Scheduled maintenance</h1></body></html>' });
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'failed');
      expectFatal(expect, summary, 'make-list-failed', [/not JSON/i]);
    },
  },
  {
    name: 'make-non-json-blueprint',
    fault: 'Make blueprint: 200 with an HTML body',
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: blueprintPath(TARGET_ID), times: 1, status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body>Bad gateway</body></html>' });
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'partial');
      expectScenarioError(expect, summary, TARGET_ID, { code: 'blueprint-invalid', patterns: [/not JSON/i] });
      expect(summary.backedUp === ALL_IDS.length - 1, `backed up ${summary.backedUp} (expected ${ALL_IDS.length - 1})`);
    },
  },
  {
    name: 'make-200-with-error-code',
    fault: 'Make blueprint: 200 {"code":"SC500",…}',
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: blueprintPath(TARGET_ID), times: 1, status: 200, body: makeError(500, 'Blueprint could not be loaded.', 'Internal Server Error') });
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'partial');
      expectScenarioError(expect, summary, TARGET_ID, { code: 'blueprint-invalid', patterns: [/SC500/] });
    },
  },
  {
    name: 'make-page-repeats-ids',
    fault: 'Make list page 2 starts 1 item early (repeatIds)',
    config: { make: { pageSize: 20 } },
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: listPageAt(20), times: 1, action: 'repeatIds', overlap: 1 });
      const mark = commitsOn(ctx).length;
      const result = await backup(ctx);
      ctx.faultyBackupsOfRepeated = backupCommitsById(commitsOn(ctx).slice(0, commitsOn(ctx).length - mark)).get(ALL_IDS[19])?.length ?? 0;
      return { summaries: [result.summary] };
    },
    expect([summary], ctx, expect) {
      const repeated = ALL_IDS[19];
      // repeatIds serves offset 19..38 as page 2, so the item at index 39 is not on any page of this run.
      ctx.notes.push(`not listed this run: ${ALL_IDS[39]}; inventoryComplete ${summary.inventoryComplete}`);
      expectStatus(expect, summary, 'success');
      expectNamed(expect, summary, new RegExp(`twice[^\\n]*${repeated}`), `id ${repeated} listed twice`);
      expect(ctx.faultyBackupsOfRepeated === 1, `scenario ${repeated} (listed twice) got ${ctx.faultyBackupsOfRepeated} backup commits in the faulty run`);
      expect(summary.total === ALL_IDS.length - 1, `total ${summary.total} (expected ${ALL_IDS.length - 1} distinct ids listed)`);
    },
  },
  {
    name: 'make-short-page',
    fault: 'Make list page 2 short (10 of 20), more data after',
    config: { make: { pageSize: 20 } },
    async faulty(ctx) {
      ctx.make.inject(shortPageRule());
      const result = await backup(ctx);
      ctx.pagesAsked = listRequests(ctx).map((entry) => Number(entry.query['pg[offset]']));
      return { summaries: [result.summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'success');
      // Stop at the short page (one look past it, at offset 30, is allowed to learn whether the list ended).
      expect(['0,20', '0,20,30'].includes(ctx.pagesAsked.join(',')), `list pages asked at offsets ${ctx.pagesAsked.join(', ')} (expected 0, 20 and at most one look at 30)`);
      expect(summary.total === 30 && summary.backedUp === 30, `total ${summary.total}, backed up ${summary.backedUp} (expected the 30 listed)`);
      expect(summary.deleted === 0, `${summary.deleted} scenarios marked deleted`);
      // 34 more scenarios exist after the short page: the inventory is incomplete and the summary must say so.
      expect(summary.inventoryComplete === false, 'inventoryComplete is true although 34 scenarios followed the short page');
      expectNamed(expect, summary, /incomplete|short page/i, 'short page with more data after it');
    },
  },
  {
    name: 'make-short-page-after-backup',
    fault: 'Make short list page after a full backup',
    config: { make: { pageSize: 20 } },
    async prepare(ctx) {
      await baselineBackup(ctx);
    },
    async faulty(ctx) {
      ctx.make.inject(shortPageRule());
      const result = await backup(ctx);
      const state = JSON.parse(await readStateText(ctx));
      ctx.markedDeleted = Object.entries(state.scenarios).filter(([, entry]) => entry.deletedAt).map(([id]) => Number(id));
      return { summaries: [result.summary] };
    },
    expect([summary], ctx, expect) {
      ctx.notes.push(`inventoryComplete ${summary.inventoryComplete}, ${ctx.markedDeleted.length} marked deleted`);
      expectStatus(expect, summary, 'success');
      // 34 scenarios still exist in Make: the state must not call them deleted on the word of one short page.
      expect(ctx.markedDeleted.length === 0, `the state marks ${ctx.markedDeleted.length} scenarios that still exist in Make as deleted (summary.deleted ${summary.deleted}, inventoryComplete ${summary.inventoryComplete})`);
    },
  },
  {
    name: 'make-blueprint-without-blueprint',
    fault: 'Make blueprint reply without response.blueprint',
    async faulty(ctx) {
      ctx.make.inject({ method: 'GET', path: blueprintPath(TARGET_ID), times: 1, status: 200, body: { code: 'OK', response: { scheduling: { type: 'indefinitely', interval: 900 }, idSequence: 4 } } });
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'partial');
      expectScenarioError(expect, summary, TARGET_ID, { code: 'blueprint-invalid', patterns: [/response\.blueprint/] });
    },
  },

  // ---------------------------------------------------------------------------------------- GitHub
  {
    name: 'github-422-not-fast-forward',
    fault: 'GitHub 422 not a fast forward (branch moved)',
    async faulty(ctx) {
      ctx.gh.inject({ method: 'PATCH', path: '/git/refs/heads/main', times: 1, action: 'moveBranch', file: { path: 'NOTES.md', content: 'written by someone else\n', message: 'Foreign commit during the run' } });
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp}`);
      expectNamed(expect, summary, /branch moved/i, 'branch moved');
      expectForeignCommitKept(ctx, expect, 'Foreign commit during the run');
    },
  },
  {
    name: 'github-409-ref-update',
    fault: 'GitHub 409 on the ref update',
    async faulty(ctx) {
      ctx.gh.inject({ method: 'PATCH', path: '/git/refs/heads/main', times: 1, status: 409, body: githubError(409, 'Reference update failed') });
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp}`);
      expectNamed(expect, summary, /409|branch moved/i, 'HTTP 409 on the ref update');
    },
  },
  bootstrapRaceRow('github-422-sha-not-supplied', 'GitHub 422 "sha" wasn\'t supplied (bootstrap race)', {
    action: 'moveBranch',
  }),
  bootstrapRaceRow('github-409-does-not-match', 'GitHub 409 "does not match" (bootstrap race)', {
    action: 'moveBranch',
    status: 409,
    body: githubError(409, '.backup-state.json does not match 8d4c6ef2a0c1b4ee5c6f1e2c0f39a0f7c1c5b6a2', 'https://docs.github.com/rest/repos/contents#create-or-update-file-contents'),
  }),
  bootstrapRaceRow('github-409-bootstrap-cas', 'GitHub 409 "is at X but expected Y" (bootstrap race)', { action: 'raceBranch' }),
  {
    name: 'github-403-secondary-limit',
    fault: 'GitHub 403 secondary limit, retry-after: 1',
    async faulty(ctx) {
      ctx.gh.inject({
        method: 'POST',
        path: '/git/trees',
        times: 1,
        status: 403,
        headers: { 'retry-after': '1' },
        body: githubError(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'),
      });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp}`);
      const [limited, retry] = githubRequests(ctx, 'POST', '/git/trees');
      const gap = (Date.parse(retry.at) - Date.parse(limited.at)) / 1000;
      expect(limited.status === 403 && gap >= 1 && gap < 2, `retry ${gap.toFixed(2)} s after the secondary limit (expected retry-after: 1 s, not GitHub's 60 s default)`);
      expectNamed(expect, summary, /secondary rate limit|\b403\b|rate.?limit/i, 'HTTP 403 secondary rate limit');
    },
  },
  {
    name: 'github-403-primary-limit',
    fault: 'GitHub 403 primary limit, reset in 3 s',
    async faulty(ctx) {
      ctx.resetAt = Math.floor(Date.now() / 1000) + 3;
      ctx.gh.inject({
        method: 'POST',
        path: '/git/commits',
        times: 1,
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(ctx.resetAt) },
        body: githubError(403, 'API rate limit exceeded for user ID 90000001.', 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'),
      });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp}`);
      const [limited, retry] = githubRequests(ctx, 'POST', '/git/commits');
      const afterReset = (Date.parse(retry.at) - ctx.resetAt * 1000) / 1000;
      expect(limited.status === 403 && afterReset >= 0 && afterReset <= 3, `retry came ${afterReset.toFixed(2)} s after x-ratelimit-reset (expected 0–3 s: wait until the reset, then go on)`);
      expectNamed(expect, summary, /rate.?limit|\b403\b/i, 'HTTP 403 primary rate limit');
    },
  },
  {
    name: 'github-403-primary-limit-beyond-max-wait',
    fault: 'GitHub 403 primary limit, reset in 1 h (maxWait 60 s)',
    config: { maxWaitSeconds: 60 },
    async faulty(ctx) {
      ctx.headBefore = headOf(ctx);
      let commitRequests = 0;
      // The limit strikes mid-chain: at the 20th commit creation.
      const transport = tap(ctx.transport, (request) => {
        if (request.method === 'POST' && request.url.endsWith('/git/commits') && ++commitRequests === 20) {
          ctx.gh.inject({
            method: 'POST',
            path: '/git/commits',
            times: 1,
            status: 403,
            headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
            body: githubError(403, 'API rate limit exceeded for user ID 90000001.', 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'),
          });
        }
      });
      const result = await backup(ctx, { transport });
      ctx.headAfter = headOf(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'failed');
      expectFatal(expect, summary, 'github-rate-limited', [/maxWaitSeconds/, /resumable|run again/i]);
      expect(!faulty.waits.some((wait) => wait.seconds > 60), `the run waited ${Math.max(...faulty.waits.map((w) => w.seconds))} s, beyond maxWaitSeconds`);
      // Resumable: what landed (if anything) is complete and recorded; here the chain had not landed yet.
      const landed = summary.commits.length;
      expect(landed === 0 ? ctx.headAfter === ctx.headBefore : summary.commits.every((c) => isAncestor(ctx, c.sha)), `branch moved to ${ctx.headAfter} without the summary recording it (${landed} commits)`);
    },
  },
  {
    name: 'github-5xx-on-tree',
    fault: 'GitHub 502 ×4 on tree creation (created, reply lost)',
    async faulty(ctx) {
      // 'after': GitHub did create the tree; only the reply is an error (retries must be harmless).
      ctx.gh.inject({ method: 'POST', path: '/git/trees', times: 4, status: 502, action: 'after', body: githubError(502, 'Server Error') });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'partial');
      expectScenarioError(expect, summary, ALL_IDS[0], { code: 'github-write-failed', patterns: [/502/] });
      expect(summary.backedUp === ALL_IDS.length - 1, `backed up ${summary.backedUp} (expected the ${ALL_IDS.length - 1} others)`);
      expectRetryGaps(expect, githubRequests(ctx, 'POST', '/git/trees').slice(0, 4), 3);
    },
  },
  {
    name: 'github-5xx-on-commit',
    fault: 'GitHub 500 on commit creation (created, reply lost)',
    async faulty(ctx) {
      ctx.gh.inject({ method: 'POST', path: '/git/commits', times: 1, status: 500, action: 'after', body: githubError(500, 'Server Error') });
      const result = await backup(ctx);
      return { summaries: [result.summary], waits: result.waits };
    },
    expect([summary], ctx, expect, faulty) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp}`);
      expectRetryGaps(expect, githubRequests(ctx, 'POST', '/git/commits').slice(0, 2), 1);
      expectNamed(expect, summary, /\b500\b/, 'HTTP 500 retried');
    },
  },
  {
    name: 'github-branch-missing',
    fault: 'GitHub 404: branch "backups" does not exist',
    async faulty(ctx) {
      ctx.branch = 'backups';
      return { summaries: [(await backup(ctx)).summary] };
    },
    async clear(ctx) {
      // What the message says to do: create the branch.
      const created = await githubApi(ctx, 'POST', '/git/refs', { body: { ref: 'refs/heads/backups', sha: headOf(ctx, 'main') } });
      if (created.status !== 201) throw new Error(`create branch: HTTP ${created.status} ${created.text}`);
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'failed');
      expectFatal(expect, summary, 'branch-not-found', [/"backups"/]);
    },
  },
  {
    name: 'github-empty-repository',
    fault: 'GitHub: empty repository (bootstrap)',
    emptyRepository: true,
    async faulty(ctx) {
      return { summaries: [(await backup(ctx)).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp}`);
      expectNamed(expect, summary, /repository was empty/, 'empty repository bootstrapped');
      const root = commitsOn(ctx).at(-1);
      expect(root?.subject === 'Initialize Make.com scenario backup', `root commit is ${root?.subject}`);
    },
  },
  {
    name: 'github-409-push-protection',
    fault: 'GitHub 409 push protection (secret in 1 blueprint)',
    async prepare(ctx) {
      ctx.make.editScenario(SECRET_ID, {}, { blueprint: blueprintWithLeakedToken(SECRET_ID) });
    },
    async faulty(ctx) {
      const result = await backup(ctx, { transport: withPushProtection(ctx, ctx.transport) });
      return { summaries: [result.summary] };
    },
    async clear(ctx) {
      // The fix the message asks for: take the secret out of the scenario (push protection stays on).
      ctx.make.editScenario(SECRET_ID, {}, { blueprint: ORG.blueprints[SECRET_ID].blueprintText });
      ctx.secondTransport = withPushProtection(ctx, ctx.transport);
    },
    expect([summary], ctx, expect) {
      ctx.notes.push(`${ctx.pushProtectionRejections ?? 0} push-protection rejections`);
      expectStatus(expect, summary, 'partial');
      expectScenarioError(expect, summary, SECRET_ID, { patterns: [/push protection|rule violation/i] });
      expect(summary.backedUp === ALL_IDS.length - 1, `backed up ${summary.backedUp} (expected the ${ALL_IDS.length - 1} others to land)`);
    },
  },

  // ------------------------------------------------------------------------------ host and concurrency
  {
    name: 'crash-between-commits',
    fault: 'host dies after 30 of 64 commits are chained',
    async faulty(ctx) {
      ctx.headBefore = headOf(ctx);
      let commitRequests = 0;
      const crash = await driveUntilCrash(ctx, (request) => (request.method === 'POST' && request.url.endsWith('/git/commits') && ++commitRequests === 31 ? 'before' : null));
      ctx.headAfter = headOf(ctx);
      ctx.notes.push(`abandoned before "${crash.at}"`);
      return { summaries: [], abandoned: `abandoned after ${crash.requests} requests`, crash };
    },
    expect(_summaries, ctx, expect, faulty) {
      expect(faulty.crash.crashed, 'the engine finished before the crash point');
      expect(ctx.headAfter === ctx.headBefore, 'the branch moved although the crashed run never sent its ref update');
    },
  },
  {
    name: 'crash-after-ref-update',
    fault: 'host dies after sending the ref update, reply unread',
    async faulty(ctx) {
      const crash = await driveUntilCrash(ctx, (request) => (request.method === 'PATCH' ? 'after-send' : null));
      ctx.landedByCrash = countBackupCommits(ctx);
      ctx.notes.push(`reply to "${crash.at}" never read`);
      return { summaries: [], abandoned: `abandoned after ${crash.requests} requests`, crash };
    },
    expect(_summaries, ctx, expect, faulty, second) {
      expect(faulty.crash.crashed, 'the engine finished before the crash point');
      expect(ctx.landedByCrash === ALL_IDS.length, `${ctx.landedByCrash} scenario commits landed with the unread ref update (expected all)`);
      expect(second.summary.backedUp === 0 && second.summary.commits.length === 0, `the run after the crash made ${second.summary.commits.length} commits (expected none: all had landed)`);
    },
  },
  {
    name: 'two-runs-same-second',
    fault: 'two runBackup at once (Promise.all, same start)',
    async faulty(ctx) {
      const results = await Promise.all([backup(ctx, { seed: 1 }), backup(ctx, { seed: 2 })]);
      return { summaries: results.map((result) => result.summary) };
    },
    expect(summaries, ctx, expect) {
      for (const summary of summaries) expectStatus(expect, summary, 'success');
      for (const summary of summaries) for (const commit of summary.commits) expect(isAncestor(ctx, commit.sha), `${commit.message} (${commit.sha}) reported landed but is not on the branch`);
      // Runs started in the same second build byte-identical commits (same trees, parent, date, message):
      // the second ref update is then a no-op and both report the same commits. Otherwise one must replay.
      const [first, second] = summaries.map((summary) => summary.commits.map((commit) => commit.sha).join());
      if (first === second) {
        ctx.notes.push('both runs built identical commits (same start second); the second ref update was a no-op');
      } else {
        const total = summaries.reduce((sum, summary) => sum + summary.backedUp, 0);
        expect(total === ALL_IDS.length, `the two runs backed up ${summaries.map((s) => s.backedUp).join(' + ')} (expected ${ALL_IDS.length} between them)`);
        expect(summaries.some((summary) => /branch moved/i.test(faultText(summary))), `neither summary says the branch moved: ${short(summaries.map(faultText).join(' | '))}`);
      }
    },
  },
  {
    name: 'two-runs-overlapping',
    fault: 'two runBackup at once, the second 1.2 s later',
    async faulty(ctx) {
      // A later start second gives the second run different commit dates, so the two chains really conflict.
      const later = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 1200));
        return backup(ctx, { seed: 2 });
      })();
      const results = await Promise.all([backup(ctx, { seed: 1 }), later]);
      return { summaries: results.map((result) => result.summary) };
    },
    expect(summaries, ctx, expect) {
      for (const summary of summaries) expectStatus(expect, summary, 'success');
      const total = summaries.reduce((sum, summary) => sum + summary.backedUp, 0);
      expect(total === ALL_IDS.length, `the two runs backed up ${summaries.map((s) => s.backedUp).join(' + ')} = ${total} (expected ${ALL_IDS.length} between them)`);
      expect(summaries.some((summary) => /branch moved/i.test(faultText(summary))), `neither summary says the branch moved: ${short(summaries.map(faultText).join(' | '))}`);
      for (const summary of summaries) for (const commit of summary.commits) expect(isAncestor(ctx, commit.sha), `${commit.message} (${commit.sha}) reported landed but is not on the branch`);
    },
  },
  {
    name: 'person-commits-during-run',
    fault: 'a person commits to the branch mid-run',
    async faulty(ctx) {
      let githubRequests = 0;
      const transport = tap(ctx.transport, async (request) => {
        if (request.service === 'github' && ++githubRequests === 70) {
          await ctx.gh.commitAsHuman({ path: 'NOTES.md', content: 'Edited in the web UI during a backup run\n', message: 'Edit notes (person, mid-run)' });
        }
      });
      return { summaries: [(await backup(ctx, { transport })).summary] };
    },
    expect([summary], ctx, expect) {
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp}`);
      expectNamed(expect, summary, /branch moved/i, 'branch moved');
      expectForeignCommitKept(ctx, expect, 'Edit notes (person, mid-run)');
    },
  },

  // ------------------------------------------------------------------------------------------ state
  corruptStateRow(
    'state-truncated',
    '.backup-state.json truncated',
    async (ctx) => {
      const text = await readStateText(ctx);
      await ctx.gh.commitAsHuman({ path: '.backup-state.json', content: text.slice(0, Math.floor(text.length / 2)), message: 'Truncate the backup state' });
    },
    /corrupt/,
  ),
  corruptStateRow(
    'state-wrong-types',
    '.backup-state.json with wrong types',
    async (ctx) => {
      const state = JSON.parse(await readStateText(ctx));
      state.lastRun = 20260101;
      for (const entry of Object.values(state.scenarios)) {
        entry.backupCount = 'once';
        entry.lastEdit = 1767225600;
      }
      await ctx.gh.commitAsHuman({ path: '.backup-state.json', content: `${JSON.stringify(state, null, 2)}\n`, message: 'Hand-edit the backup state' });
    },
    /corrupt/,
  ),
  corruptStateRow(
    'state-unknown-version',
    '.backup-state.json version 2',
    async (ctx) => {
      const state = JSON.parse(await readStateText(ctx));
      state.version = 2;
      await ctx.gh.commitAsHuman({ path: '.backup-state.json', content: `${JSON.stringify(state, null, 2)}\n`, message: 'Backup state from a newer version' });
    },
    /version 2/,
  ),
  corruptStateRow(
    'state-deleted',
    '.backup-state.json deleted',
    async (ctx) => {
      const file = await githubApi(ctx, 'GET', '/contents/.backup-state.json');
      const { sha } = JSON.parse(file.text);
      const removed = await githubApi(ctx, 'DELETE', '/contents/.backup-state.json', { body: { message: 'Delete the backup state', sha, branch: 'main' } });
      if (removed.status !== 200) throw new Error(`delete state: HTTP ${removed.status} ${removed.text}`);
    },
    /missing/,
  ),
];

/** Page 2 (offset 20) answered for real, then cut to 10 entries: a short page although more follow. */
function shortPageRule() {
  return {
    method: 'GET',
    path: listPageAt(20),
    times: 1,
    action: 'after',
    status: 200,
    body: (real) => {
      const page = JSON.parse(real.text);
      page.scenarios = page.scenarios.slice(0, 10);
      return page;
    },
  };
}

/** A foreign commit (another writer, a person) is still on the branch after the run rebuilt its chain. */
function expectForeignCommitKept(ctx, expect, subject) {
  const foreign = commitsOn(ctx).find((commit) => commit.subject === subject);
  expect(foreign && isAncestor(ctx, foreign.sha), `the foreign commit "${subject}" is not on the branch: the run overwrote it`);
}

/**
 * An empty repository whose bootstrap `PUT contents/.backup-state.json` races another bootstrap: the other
 * one lands first (a `moveBranch` with the state file, or `raceBranch`), then the double answers as GitHub does.
 */
function bootstrapRaceRow(name, fault, rule) {
  const otherBootstrap = 'Initialize Make.com scenario backup (other run)';
  return {
    name,
    fault,
    emptyRepository: true,
    async faulty(ctx) {
      // What the other run commits first (moveBranch uses it; raceBranch always commits NOTES.md).
      const file = { path: '.backup-state.json', content: core.canonicalJson(JSON.stringify({ version: 1, lastRun: null, scenarios: {} })), message: otherBootstrap };
      ctx.gh.inject({ method: 'PUT', path: '/contents/.backup-state.json', times: 1, file, ...rule });
      const result = await backup(ctx);
      ctx.putReplies = ctx.gh.log.filter((entry) => entry.method === 'PUT').map((entry) => entry.status);
      return { summaries: [result.summary] };
    },
    expect([summary], ctx, expect) {
      ctx.notes.push(`bootstrap PUT answered ${ctx.putReplies.join(', ')}`);
      expectStatus(expect, summary, 'success');
      expect(summary.backedUp === ALL_IDS.length, `backed up ${summary.backedUp}`);
      expect(ctx.putReplies.length === 1 && ctx.putReplies[0] >= 400, `bootstrap PUT replies: ${ctx.putReplies.join(', ')} (expected one refused PUT)`);
      expectNamed(expect, summary, /\b(409|422)\b|another (run|writer)|already (initiali[sz]ed|bootstrapped)|bootstrap/i, 'bootstrap lost the race');
      const root = commitsOn(ctx).at(-1);
      expect(root && isAncestor(ctx, root.sha) && root.subject !== 'Initialize Make.com scenario backup', `the other bootstrap's root commit is not kept: root is ${root?.subject}`);
    },
  };
}

// --------------------------------------------------------------------------------------- row runner

/**
 * The common part of every row: fault → run → clear → run again → checks. Returns the table line data.
 */
async function runRow(row) {
  const started = Date.now();
  const result = { name: row.name, fault: row.fault, faulty: '-', second: '-', lost: '-', dup: '-', verify: '-', problems: [], notes: [] };
  let ctx;
  try {
    ctx = await openRow(row);
    result.notes = ctx.notes;
    if (row.prepare) await row.prepare(ctx);
    const faulty = await row.faulty(ctx);
    result.faulty = faulty.abandoned ?? faulty.summaries.map(outcomeOf).join(' + ');

    const { problems, expect } = problemList();
    // Nothing the faulty run left may be inconsistent, whatever happened to it.
    const afterFaulty = await verifyNow(ctx);
    if (afterFaulty) expect(afterFaulty.report.status !== 'critical', `after the faulty run verify is critical: ${short(afterFaulty.report.problems.join(' | '))}`);

    ctx.make.clearFaults();
    ctx.gh.clearFaults();
    if (row.clear) await row.clear(ctx);
    const second = await backup(ctx, { transport: ctx.secondTransport ?? ctx.transport });
    result.second = outcomeOf(second.summary);

    row.expect(faulty.summaries, ctx, expect, faulty, second);
    expect(second.summary.status === 'success', `second run: ${outcomeOf(second.summary)} ${short(faultText(second.summary))}`);
    await checkRepository(ctx, row, expect, result);
    result.problems = problems;
  } catch (error) {
    result.problems.push(`row crashed: ${error.stack ?? error}`);
  } finally {
    if (ctx) await closeRow(ctx);
  }
  result.seconds = (Date.now() - started) / 1000;
  result.pass = result.problems.length === 0;
  return result;
}

/**
 * After the second run: verify is healthy; every scenario that exists in Make has exactly one
 * `Backup scenario {id}:` commit (none lost, none duplicated) and both files; the state lists exactly those
 * scenarios, with the commit that backed each one up.
 */
async function checkRepository(ctx, row, expect, result) {
  const verified = await verifyNow(ctx);
  if (!expect(verified, `no tree on branch ${ctx.branch} after the second run`)) return;
  const { report, treeText, stateText } = verified;
  result.verify = report.status;
  expect(report.status === 'healthy', `verify is ${report.status}: ${short(report.problems.join(' | '), 300)}`);

  const expectedIds = ctx.make.scenarios().map((scenario) => scenario.id).sort((a, b) => a - b);
  const byId = backupCommitsById(commitsOn(ctx));
  const files = new Set(JSON.parse(treeText).tree.filter((entry) => entry.type === 'blob').map((entry) => entry.path));
  const lost = expectedIds.filter((id) => !byId.has(id) || !files.has(`scenarios/${id}/blueprint.json`) || !files.has(`scenarios/${id}/metadata.json`));
  const duplicated = expectedIds.filter((id) => (byId.get(id)?.length ?? 0) > 1);
  const strangers = [...byId.keys()].filter((id) => !expectedIds.includes(id));
  result.lost = String(lost.length);
  result.dup = String(duplicated.length);
  expect(lost.length === 0, `lost (no backup commit or files): ${lost.join(', ')}`);
  expect(duplicated.length === 0, `backed up more than once: ${duplicated.map((id) => `${id}×${byId.get(id).length}`).join(', ')}`);
  expect(strangers.length === 0, `backup commits of scenarios Make does not have: ${strangers.join(', ')}`);

  const state = JSON.parse(stateText ?? '{"scenarios":{}}');
  const tracked = Object.entries(state.scenarios ?? {}).filter(([, entry]) => !entry.deletedAt).map(([id]) => Number(id)).sort((a, b) => a - b);
  expect(JSON.stringify(tracked) === JSON.stringify(expectedIds), `state tracks ${tracked.length} scenarios, Make has ${expectedIds.length} (differences: ${short(symmetricDifference(tracked, expectedIds).join(', '))})`);
  const wrongCommit = [];
  for (const id of expectedIds) {
    const entry = state.scenarios?.[id];
    if (!entry) continue;
    const latest = byId.get(id)?.[0];
    // A state rebuilt from metadata.json cannot know the commit (a file cannot hold its own commit's SHA).
    if (entry.gitSHA === null && row.rebuiltState) continue;
    if (entry.gitSHA !== latest) wrongCommit.push(`${id}: ${entry.gitSHA} ≠ ${latest}`);
  }
  expect(wrongCommit.length === 0, `state gitSHA is not the scenario's backup commit: ${short(wrongCommit.join('; '))}`);
}

function symmetricDifference(a, b) {
  const setA = new Set(a);
  const setB = new Set(b);
  return [...a.filter((x) => !setB.has(x)).map((x) => `+${x}`), ...b.filter((x) => !setA.has(x)).map((x) => `-${x}`)];
}

/** A row with a time limit: a hang becomes a FAIL (the row's simulators are closed, which ends its run). */
async function runRowWithTimeout(row) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), ROW_TIMEOUT_MS);
  });
  const outcome = await Promise.race([runRow(row), timeout]);
  clearTimeout(timer);
  if (outcome) return outcome;
  return { name: row.name, fault: row.fault, faulty: 'timed out', second: '-', lost: '-', dup: '-', verify: '-', problems: [`row did not finish within ${ROW_TIMEOUT_MS / 1000} s`], notes: [], seconds: ROW_TIMEOUT_MS / 1000, pass: false };
}

// ------------------------------------------------------------------------------------------- output

function printTable(results) {
  const header = ['#', 'fault (row)', 'faulty run', 'second run', 'lost', 'dup', 'verify', 's', 'result'];
  const rows = results.map((r, i) => [String(i + 1), r.name, r.faulty, r.second, r.lost, r.dup, r.verify, r.seconds.toFixed(1), r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col].length)));
  const line = (cells) => cells.map((cell, col) => cell.padEnd(widths[col])).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function printDetails(results) {
  const failed = results.filter((r) => !r.pass);
  const noted = results.filter((r) => r.notes.length);
  if (noted.length) {
    console.log('\nNotes:');
    for (const r of noted) console.log(`  ${r.name}: ${r.notes.join('; ')}`);
  }
  if (failed.length) {
    console.log('\nFailures:');
    for (const r of failed) {
      console.log(`  ${r.name} (${r.fault}):`);
      for (const problem of r.problems) console.log(`    - ${problem}`);
    }
  }
}

function parseArgs(argv) {
  const options = { only: [], jobs: 2, list: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--only') options.only.push(...String(argv[++i] ?? '').split(',').filter(Boolean));
    else if (arg.startsWith('--only=')) options.only.push(...arg.slice(7).split(',').filter(Boolean));
    else if (arg === '--jobs') options.jobs = Number(argv[++i]);
    else if (arg.startsWith('--jobs=')) options.jobs = Number(arg.slice(7));
    else if (arg === '--list') options.list = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!(Number.isInteger(options.jobs) && options.jobs >= 1)) throw new Error('--jobs needs a whole number ≥ 1');
  return options;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`fault-matrix: ${error.message}\nusage: node tests/fault-matrix/run.mjs [--only NAME[,NAME…]] [--jobs N] [--list]`);
    process.exit(2);
  }
  if (options.help) {
    console.log('usage: node tests/fault-matrix/run.mjs [--only NAME[,NAME…]] [--jobs N] [--list]');
    return;
  }
  if (options.list) {
    for (const row of ROWS) console.log(`${row.name.padEnd(44)} ${row.fault}`);
    return;
  }
  const unknown = options.only.filter((name) => !ROWS.some((row) => row.name === name));
  if (unknown.length) {
    console.error(`fault-matrix: no row named ${unknown.join(', ')} (see --list)`);
    process.exit(2);
  }
  const selected = options.only.length ? ROWS.filter((row) => options.only.includes(row.name)) : ROWS;

  console.error(`fault-matrix: ${selected.length} rows, ${options.jobs} at a time, core ${core.version()}, node ${process.version}`);
  const started = Date.now();
  const results = new Array(selected.length);
  let next = 0;
  let finished = 0;
  // Rows run in a small pool: most time is the double's git plumbing and the real retry waits.
  async function worker() {
    while (next < selected.length) {
      const index = next++;
      results[index] = await runRowWithTimeout(selected[index]);
      finished += 1;
      const r = results[index];
      console.error(`[${String(finished).padStart(2)}/${selected.length}] ${r.pass ? 'PASS' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.jobs, selected.length) }, worker));

  console.log('');
  printTable(results);
  printDetails(results);
  const passed = results.filter((r) => r.pass).length;
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exitCode = passed === results.length ? 0 : 1;
}

process.on('unhandledRejection', (error) => {
  console.error('fault-matrix: unhandled rejection:', error);
  process.exitCode = 1;
});

await main();
