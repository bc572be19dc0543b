#!/usr/bin/env node
// End-to-end test of the n8n side in a REAL n8n 2.41.1: the community package built from n8n-nodes/
// (with the real wasm core), installed the way n8n installs community packages, the importable
// workflows from n8n-nodes/workflows/, the Make simulator and the git-backed GitHub double.
//
// Runs PRD test scenarios 1, 2, 3, 5, 6, 7 through the loop workflow (make-backup.json) and 1–3
// through the one-node workflow (make-backup-one-node.json), then restores a deleted scenario through
// the restore workflow (make-restore.json), checks the repository with git and the simulators' request
// logs, and measures stored execution data and n8n's peak RSS for 60 and 600 scenarios and the time
// from a restore webhook call to the restored scenario. Stops everything it started on exit, also on
// failure. Last line: "N passed, N failed".
//
// Usage: node tests/e2e/run.mjs        (MBP_CACHE=<dir> to move the install cache,
//                                       default ~/.cache/make-backup-planner)
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { goldenBlueprintFile, goldenScenarioFiles, jsonValueText } from './lib/golden.mjs';
import { ensureN8n, ensureNode24 } from './lib/install.mjs';
import { callWebhook, freePort, n8nCli, n8nContext, queryExecutions, sampleRss, startN8n } from './lib/n8n.mjs';
import { run, runQuiet, stopAll } from './lib/processes.mjs';
import * as repo from './lib/repo.mjs';
import {
  GITHUB_TOKEN,
  MAKE_TOKEN,
  ORGANIZATION_ID,
  OWNER,
  REPO,
  makeControl,
  githubControl,
  requestCounts,
  resetLogs,
  startSimulators,
} from './lib/sim.mjs';

const E2E_DIR = path.dirname(new URL(import.meta.url).pathname);
const REPO_DIR = path.resolve(E2E_DIR, '..', '..');
const NODES_DIR = path.join(REPO_DIR, 'n8n-nodes');
const WORK_DIR = path.join(E2E_DIR, '.work');
const CACHE_DIR = process.env.MBP_CACHE ?? path.join(os.homedir(), '.cache', 'make-backup-planner');
const PACKAGE_NAME = 'n8n-nodes-make-backup';
const COMMITTER = 'Make.com Backup Bot <bot@example.com>';
const STATE_PATH = '.backup-state.json';

const startedAt = Date.now();
const results = [];
const figures = [];

function log(message) {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${seconds}s] ${message}\n`);
}

/** Records one check. */
function check(name, ok, detail = '') {
  results.push({ name, ok: Boolean(ok) });
  log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  return Boolean(ok);
}

function checkEqual(name, actual, expected) {
  const same = JSON.stringify(actual) === JSON.stringify(expected);
  return check(name, same, same ? JSON.stringify(actual) : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Runs one scenario; an exception fails it (and is shown) but the other scenarios still run. */
async function scenario(name, body) {
  log(`── ${name}`);
  try {
    await body();
  } catch (error) {
    check(`${name}: runs without exception`, false, error.stack ?? String(error));
  }
}

function table(title, headers, rows) {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) => `| ${cells.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [title, line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

// ── build and install ──────────────────────────────────────────────────────────────────────────

async function buildPackage() {
  log('building the planner core (pkg-js)');
  if (!exists(path.join(REPO_DIR, 'pkg-js', 'node_modules'))) {
    await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: path.join(REPO_DIR, 'pkg-js'), log, quiet: true });
  }
  await run('npm', ['run', 'build'], { cwd: path.join(REPO_DIR, 'pkg-js'), log, quiet: true });
  log('building the community package (n8n-nodes)');
  if (!exists(path.join(NODES_DIR, 'node_modules'))) {
    // --ignore-scripts: a lint plugin's preinstall runs `npx only-allow pnpm`. `npm install` from the
    // lockfile rather than `npm ci`: see freshInstall in lib/install.mjs (optional packages missing here).
    await run('npm', ['install', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund'], { cwd: NODES_DIR, log, quiet: true });
  }
  await run('npm', ['run', 'build'], { cwd: NODES_DIR, log, quiet: true });
  const packed = await run('npm', ['pack', '--pack-destination', WORK_DIR], { cwd: NODES_DIR, quiet: true });
  const tarball = path.join(WORK_DIR, packed.trim().split('\n').pop());
  log(`packed ${path.basename(tarball)} (${(statSync(tarball).size / 1024).toFixed(0)} KiB)`);
  return tarball;
}

/** Unpacks the tarball where n8n's community package installer puts packages. */
async function installPackage(ctx, tarball) {
  const nodesDir = path.join(ctx.userFolder, '.n8n', 'nodes');
  const target = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
  mkdirSync(target, { recursive: true });
  await run('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  const version = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')).version;
  writeFileSync(
    path.join(nodesDir, 'package.json'),
    `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: version } }, null, 2)}\n`,
  );
  log(`installed ${PACKAGE_NAME}@${version} into ${path.relative(REPO_DIR, target)}`);
}

function exists(file) {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

// ── credentials and workflows ──────────────────────────────────────────────────────────────────

const CREDENTIAL_IDS = {
  makeLoop: 'mbpMakeApiCred01',
  githubLoop: 'mbpGithubApiCr01',
  makeInvalid: 'mbpMakeBadToken1',
  makeOneNode: 'mbpMakeOneNode01',
  githubOneNode: 'mbpGhBackupCred1',
};

function credentials(simLoop, simOneNode) {
  return [
    { id: CREDENTIAL_IDS.makeLoop, name: 'Make API', type: 'makeApi', data: { apiToken: MAKE_TOKEN, zone: 'custom', baseUrl: simLoop.make } },
    { id: CREDENTIAL_IDS.githubLoop, name: 'GitHub API', type: 'githubApi', data: { server: simLoop.github, user: OWNER, accessToken: GITHUB_TOKEN } },
    { id: CREDENTIAL_IDS.makeInvalid, name: 'Make API (invalid token)', type: 'makeApi', data: { apiToken: 'revoked-make-token', zone: 'custom', baseUrl: simLoop.make } },
    { id: CREDENTIAL_IDS.makeOneNode, name: 'Make API (one-node simulator)', type: 'makeApi', data: { apiToken: MAKE_TOKEN, zone: 'custom', baseUrl: simOneNode.make } },
    { id: CREDENTIAL_IDS.githubOneNode, name: 'Make Backup GitHub API', type: 'makeBackupGithubApi', data: { accessToken: GITHUB_TOKEN, server: simOneNode.github } },
  ].map((credential) => ({ ...credential, isManaged: false }));
}

/**
 * A shipped workflow pointed at a simulator pair: only node parameters and credential references change
 * (the ones a user sets), never the wiring.
 */
function configureWorkflow(file, { id, name, webhookPath, webhookId, sim, credentials: credentialRefs }) {
  const workflow = JSON.parse(readFileSync(path.join(NODES_DIR, 'workflows', file), 'utf8'));
  workflow.id = id;
  workflow.name = name;
  for (const node of workflow.nodes) {
    if (node.type === 'n8n-nodes-base.webhook') {
      node.parameters.path = webhookPath;
      node.webhookId = webhookId;
    }
    if (node.type === `${PACKAGE_NAME}.makeBackupPlanner` && node.parameters.operation === 'restoreScenario') {
      // A restore needs only where Make and the backup repository are (no scope, no pacing budgets).
      Object.assign(node.parameters, { makeZone: 'custom', makeBaseUrl: sim.make, githubOwner: OWNER, githubRepo: REPO, githubBranch: 'main' });
      Object.assign(node.parameters.options, { githubApiUrl: sim.github });
    } else if (node.type === `${PACKAGE_NAME}.makeBackupPlanner` && node.parameters.operation !== 'continueRun') {
      Object.assign(node.parameters, {
        scope: 'organization',
        organizationId: ORGANIZATION_ID,
        makeZone: 'custom',
        makeBaseUrl: sim.make,
        githubOwner: OWNER,
        githubRepo: REPO,
        githubBranch: 'main',
      });
      delete node.parameters.teamId;
      // The doubles do not throttle; the engine's pacing budgets would only add waits here.
      // The doubles answer in milliseconds: a 5 s request timeout keeps the timeout scenario short.
      Object.assign(node.parameters.options, { githubApiUrl: sim.github, requestsPerMinute: 100000, writesPerMinute: 100000, requestTimeoutMs: 5000 });
    }
    for (const [type, ref] of Object.entries(node.credentials ?? {})) {
      if (credentialRefs[type]) node.credentials[type] = credentialRefs[type];
    }
  }
  return workflow;
}

const WORKFLOWS = {
  loop: { id: 'mbpLoopWorkflow01', path: 'make-backup' },
  // The loop workflow with its Schedule Trigger swapped for a Manual Trigger, so `n8n execute` can
  // run the scheduled (no webhook) path on demand.
  scheduled: { id: 'mbpLoopScheduled1', path: 'make-backup-scheduled' },
  invalidToken: { id: 'mbpLoopBadToken01', path: 'make-backup-invalid-token' },
  oneNode: { id: 'mbpOneNodeWorkflow', path: 'make-backup-one-node' },
  // Restores from the one-node pair's repository (its credentials: Make API + Make Backup GitHub API).
  restore: { id: 'mbpRestoreWorkflow', path: 'make-restore' },
};

async function importAll(ctx, simLoop, simOneNode) {
  const dir = path.join(WORK_DIR, 'import');
  mkdirSync(path.join(dir, 'workflows'), { recursive: true });
  writeFileSync(path.join(dir, 'credentials.json'), JSON.stringify(credentials(simLoop, simOneNode), null, 2));
  const ref = (key, name) => ({ id: CREDENTIAL_IDS[key], name });
  const workflows = [
    configureWorkflow('make-backup.json', {
      id: WORKFLOWS.loop.id, name: 'Make backup (loop) e2e', webhookPath: WORKFLOWS.loop.path,
      webhookId: 'e2e00000-0000-4000-8000-000000000001', sim: simLoop,
      credentials: { makeApi: ref('makeLoop', 'Make API'), githubApi: ref('githubLoop', 'GitHub API') },
    }),
    configureWorkflow('make-backup.json', {
      id: WORKFLOWS.invalidToken.id, name: 'Make backup (loop, invalid Make token) e2e', webhookPath: WORKFLOWS.invalidToken.path,
      webhookId: 'e2e00000-0000-4000-8000-000000000002', sim: simLoop,
      credentials: { makeApi: ref('makeInvalid', 'Make API (invalid token)'), githubApi: ref('githubLoop', 'GitHub API') },
    }),
    configureWorkflow('make-backup-one-node.json', {
      id: WORKFLOWS.oneNode.id, name: 'Make backup (one node) e2e', webhookPath: WORKFLOWS.oneNode.path,
      webhookId: 'e2e00000-0000-4000-8000-000000000003', sim: simOneNode,
      credentials: { makeApi: ref('makeOneNode', 'Make API (one-node simulator)'), makeBackupGithubApi: ref('githubOneNode', 'Make Backup GitHub API') },
    }),
    configureWorkflow('make-restore.json', {
      id: WORKFLOWS.restore.id, name: 'Make restore e2e', webhookPath: WORKFLOWS.restore.path,
      webhookId: 'e2e00000-0000-4000-8000-000000000005', sim: simOneNode,
      credentials: { makeApi: ref('makeOneNode', 'Make API (one-node simulator)'), makeBackupGithubApi: ref('githubOneNode', 'Make Backup GitHub API') },
    }),
  ];
  const scheduled = configureWorkflow('make-backup.json', {
    id: WORKFLOWS.scheduled.id, name: 'Make backup (loop, scheduled path) e2e', webhookPath: WORKFLOWS.scheduled.path,
    webhookId: 'e2e00000-0000-4000-8000-000000000004', sim: simLoop,
    credentials: { makeApi: ref('makeLoop', 'Make API'), githubApi: ref('githubLoop', 'GitHub API') },
  });
  const trigger = scheduled.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger');
  Object.assign(trigger, { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} });
  workflows.push(scheduled);
  // The wait node's webhookId must be unique per workflow too.
  workflows.forEach((workflow, index) => {
    for (const node of workflow.nodes) if (node.type === 'n8n-nodes-base.wait') node.webhookId = `e2e00000-0000-4000-8000-0000000001${index}0`;
  });
  for (const workflow of workflows) writeFileSync(path.join(dir, 'workflows', `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
  log('importing credentials and workflows, publishing the workflows');
  await n8nCli(ctx, ['import:credentials', `--input=${path.join(dir, 'credentials.json')}`], log);
  await n8nCli(ctx, ['import:workflow', '--separate', `--input=${path.join(dir, 'workflows')}`], log);
  for (const workflow of workflows) {
    if (workflow.id !== WORKFLOWS.scheduled.id) await n8nCli(ctx, ['publish:workflow', `--id=${workflow.id}`], log);
  }
}

// ── one backup run through a webhook ───────────────────────────────────────────────────────────

let lastExecutionId = 0;

/** Calls a workflow's webhook and collects what the run did: response, stored execution, API calls. */
async function backupRun(ctx, n8nService, sim, workflow, { measure = false } = {}) {
  await resetLogs(sim);
  const before = repo.head(sim.githubDir);
  const rss = measure ? sampleRss(n8nService.pid) : null;
  const response = await callWebhook(ctx, workflow.path);
  const peakRssMiB = rss?.stop();
  const execution = await finishedExecution(ctx, workflow.id);
  const stored = queryExecutions(ctx, 'inspect', execution.id);
  const { counts, entries } = await requestCounts(sim);
  const after = repo.head(sim.githubDir);
  return {
    response,
    summary: response.json,
    execution,
    stored,
    counts,
    entries,
    before,
    after,
    commits: repo.commitsBetween(sim.githubDir, before, after),
    peakRssMiB,
  };
}

/** The execution the webhook call just ran (stored by n8n right after the response). */
async function finishedExecution(ctx, workflowId) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = queryExecutions(ctx, 'executions', workflowId, lastExecutionId).filter((row) => row.stoppedAt);
    if (rows.length > 0) {
      lastExecutionId = Math.max(lastExecutionId, ...rows.map((row) => Number(row.id)));
      return rows[rows.length - 1];
    }
    if (Date.now() > deadline) throw new Error(`no finished execution of ${workflowId} after the webhook call`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function githubWrites(counts) {
  return Object.entries(counts)
    .filter(([key]) => /^github (POST|PATCH|PUT|DELETE) /.test(key))
    .reduce((sum, [, count]) => sum + count, 0);
}

function callTotals(counts) {
  const sum = (prefix) => Object.entries(counts).filter(([key]) => key.startsWith(prefix)).reduce((total, [, n]) => total + n, 0);
  return { make: sum('make '), github: sum('github '), githubWrites: githubWrites(counts) };
}

/** Exact request counts (every route the run used; absent = 0). */
function checkCalls(label, counts, expected) {
  const nonZero = Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0).sort());
  checkEqual(`${label}: exact API calls`, Object.fromEntries(Object.entries(counts).sort()), nonZero);
}

const CALL = {
  branch: 'github GET branches/{branch}',
  tree: 'github GET git/trees/{sha}',
  blob: 'github GET git/blobs/{sha}',
  newBlob: 'github POST git/blobs',
  newTree: 'github POST git/trees',
  newCommit: 'github POST git/commits',
  moveRef: 'github PATCH git/refs/heads/{branch}',
  list: 'make GET scenarios',
  blueprint: 'make GET scenarios/{id}/blueprint',
  folders: 'make GET scenarios-folders',
};

/** Teams of the sample organization whose scenarios sit in folders (the audit report names them). */
const FOLDER_TEAMS = 2;

/** Files above the engine's blob threshold (1,000,000 bytes) are uploaded with POST git/blobs. */
function largeFiles(sim, ref) {
  return repo.fileSizes(sim.githubDir, ref).filter(({ size }) => size > 1_000_000).length;
}

/** Calls of a run that backs up `k` scenarios, `n` listed (fresh repository when `fresh`). */
function backupCalls({ k, listRequests = 2, fresh = false, metadataReads = 0, previousBlueprints = metadataReads, uploads = 0, blueprintGets = k }) {
  // A run that changes the state refreshes the audit report and inventory/dependencies.json.
  const refresh = k > 0;
  return {
    [CALL.branch]: 1,
    [CALL.tree]: 1,
    // The state file is read by blob SHA (absent in a fresh repository), then each changed scenario's
    // previous metadata.json (its backupHistory carries forward).
    // … and each changed blueprint's previous version (the change summary in the commit body).
    // … and, on a refresh, the previous inventory/dependencies.json; a fresh repository's own
    // README.md (the double's first commit) is read once instead, and left alone.
    [CALL.blob]: (fresh ? 0 : 1) + metadataReads + previousBlueprints + (refresh ? 1 : 0),
    [CALL.folders]: refresh ? FOLDER_TEAMS : 0,
    [CALL.newBlob]: uploads,
    // One tree + one commit per scenario, then the state commit, then one fast-forward of the branch.
    [CALL.newTree]: k > 0 ? k + 1 : 0,
    [CALL.newCommit]: k > 0 ? k + 1 : 0,
    [CALL.moveRef]: k > 0 ? 1 : 0,
    // Every list page, plus one look past the short last page to confirm the list ended.
    [CALL.list]: listRequests,
    [CALL.blueprint]: blueprintGets,
  };
}

const callRows = [];
function recordCalls(label, runResult) {
  callRows.push({ label, counts: runResult.counts, stored: runResult.stored, ms: runResult.response.ms });
}

// ── the scenarios ───────────────────────────────────────────────────────────────────────────────

async function main() {
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  log(`work dir ${WORK_DIR}; install cache ${CACHE_DIR}`);

  const installStarted = Date.now();
  const node24 = await ensureNode24(CACHE_DIR, log);
  const n8n = await ensureN8n(CACHE_DIR, node24, log);
  log(`Node 24 ${node24.reused ? 'reused from' : 'installed into'} the cache; n8n ${n8n.reused ? 'reused from' : 'installed into'} the cache (${((Date.now() - installStarted) / 1000).toFixed(0)} s)`);

  const tarball = await buildPackage();
  const ctx = await n8nContext({ workDir: WORK_DIR, node24, n8n });
  await installPackage(ctx, tarball);

  const simLoop = await startSimulators('sim-loop', WORK_DIR, process.execPath);
  const simOneNode = await startSimulators('sim-one-node', WORK_DIR, process.execPath);
  log(`simulators: loop ${simLoop.make} + ${simLoop.github}; one-node ${simOneNode.make} + ${simOneNode.github}`);

  await importAll(ctx, simLoop, simOneNode);
  const n8nService = await startN8n(ctx, log);

  await loopScenarios(ctx, n8nService, simLoop);
  const oneNode = await oneNodeScenarios(ctx, n8nService, simOneNode);
  await restoreScenarios(ctx, simOneNode, oneNode.edited);
  await scaleScenario(ctx, n8nService, simLoop);

  await n8nService.stop();
  reportTables();
}

async function scenarioIds(sim) {
  const response = await fetch(`${sim.make}/scenarios?organizationId=${ORGANIZATION_ID}&pg%5Blimit%5D=10000`, {
    headers: { authorization: `Token ${MAKE_TOKEN}` },
  });
  const body = await response.json();
  return body.scenarios.map((scenario) => ({ id: scenario.id, name: scenario.name }));
}

/** Checks shared by every successful backup: commit messages, committer, files, state. */
function checkBackupCommits(label, sim, runResult, expectedScenarioIds, allScenarios) {
  const scenarioCommits = runResult.commits.filter((commit) => commit.subject.startsWith('Backup scenario '));
  const byId = new Map(allScenarios.map((scenario) => [scenario.id, scenario]));
  checkEqual(
    `${label}: one "Backup scenario {id}: {name}" commit per backed-up scenario`,
    scenarioCommits.map((commit) => commit.subject).sort(),
    expectedScenarioIds.map((id) => `Backup scenario ${id}: ${byId.get(id).name.split(/\s+/).join(' ')}`).sort(),
  );
  check(
    `${label}: every commit by ${COMMITTER}`,
    runResult.commits.every((commit) => commit.committer === COMMITTER),
    [...new Set(runResult.commits.map((commit) => commit.committer))].join(', '),
  );
  for (const commit of scenarioCommits) {
    const id = Number(/^Backup scenario (\d+):/.exec(commit.subject)[1]);
    const changed = repo.changedFiles(sim.githubDir, commit.sha);
    if (!changed.every((file) => file.startsWith(`scenarios/${id}/`)) || changed.length === 0) {
      check(`${label}: commit of scenario ${id} touches only scenarios/${id}/`, false, changed.join(', '));
    }
  }
  const filesAtHead = new Set(repo.files(sim.githubDir, runResult.after));
  const missing = allScenarios.filter(
    (scenario) => !filesAtHead.has(`scenarios/${scenario.id}/blueprint.json`) || !filesAtHead.has(`scenarios/${scenario.id}/metadata.json`),
  );
  check(`${label}: blueprint.json and metadata.json of all ${allScenarios.length} scenarios in the repository`, missing.length === 0, missing.map((s) => s.id).join(', '));
  const state = JSON.parse(repo.show(sim.githubDir, runResult.after, STATE_PATH));
  const stateIds = Object.keys(state.scenarios).map(Number).sort((a, b) => a - b);
  checkEqual(`${label}: ${STATE_PATH} lists every scenario`, stateIds, allScenarios.map((s) => s.id).sort((a, b) => a - b));
  return state;
}

/** Replaces a scenario's blueprint in the Make simulator (as a user editing it would); returns its id. */
/** The first JSON object in `text` that starts at the beginning of a line, whatever comes around it. */
function firstJsonObject(text) {
  const start = text.search(/^\{/m);
  if (start < 0) throw new Error(`no JSON object in the output: ${text.slice(0, 500)}`);
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) {
      const rest = text.slice(i + 1).trim();
      if (rest) log(`(n8n execute printed after the run JSON: ${rest.slice(0, 300)})`);
      return JSON.parse(text.slice(start, i + 1));
    }
  }
  throw new Error(`the JSON object in the output never closes: ${text.slice(start, start + 500)}`);
}

async function editBlueprint(sim, id, note) {
  const response = await fetch(`${sim.make}/scenarios/${id}/blueprint`, { headers: { authorization: `Token ${MAKE_TOKEN}` } });
  const blueprint = (await response.json()).response.blueprint;
  blueprint.metadata = { ...blueprint.metadata, notes: [...(blueprint.metadata?.notes ?? []), note] };
  await makeControl(sim, 'POST', '/_sim/edit', { id, blueprint: JSON.stringify(blueprint) });
  return id;
}

function scenarioCommitIds(runResult) {
  return runResult.commits
    .map((commit) => /^Backup scenario (\d+):/.exec(commit.subject)?.[1])
    .filter(Boolean)
    .map(Number);
}

/** Planner loop data found in the stored execution (not only in the response). */
function checkExecutionLog(label, runResult, expectedStatus) {
  checkEqual(`${label}: the done item with the summary status is in the stored execution`, runResult.stored.doneStatus, expectedStatus);
  check(`${label}: the Markdown report is in the stored execution`, typeof runResult.stored.report === 'string' && runResult.stored.report.length > 0,
    `${runResult.stored.report?.split('\n')[0] ?? 'none'}`);
}

/** The scenario list exactly as Make (the simulator) serves it now. */
async function listedScenarios(sim) {
  const response = await fetch(`${sim.make}/scenarios?organizationId=${ORGANIZATION_ID}&pg%5Blimit%5D=10000`, {
    headers: { authorization: `Token ${MAKE_TOKEN}` },
  });
  return (await response.json()).scenarios;
}

/**
 * The repository after a run against what Make serves: every blueprint.json byte-equal to the canonical
 * JSON of the blueprint the simulator returns; for the scenarios this run wrote (`backedUpNow`), both
 * files byte-equal to the core's render at the run's start time (history carried from the repository as
 * it was before the run); every metadata.json and state entry carrying the listed fields.
 */
async function checkFilesAgainstMake(label, sim, { before, after }, summary, backedUpNow) {
  const listed = await listedScenarios(sim);
  const ref = after;
  const state = JSON.parse(repo.show(sim.githubDir, ref, STATE_PATH));
  const filesBefore = before ? new Set(repo.files(sim.githubDir, before)) : new Set();
  const stateBefore = filesBefore.has(STATE_PATH) ? repo.show(sim.githubDir, before, STATE_PATH) : null;
  const wrongBlueprints = [];
  const wrongRenders = [];
  const wrongMetadata = [];
  const wrongState = [];
  for (const scenario of listed) {
    const reply = await (await fetch(`${sim.make}/scenarios/${scenario.id}/blueprint?draft=false`, { headers: { authorization: `Token ${MAKE_TOKEN}` } })).text();
    const blueprintPath = `scenarios/${scenario.id}/blueprint.json`;
    const metadataPath = `scenarios/${scenario.id}/metadata.json`;
    const blueprintText = repo.show(sim.githubDir, ref, blueprintPath);
    const metadataText = repo.show(sim.githubDir, ref, metadataPath);
    if (blueprintText !== goldenBlueprintFile(reply)) wrongBlueprints.push(scenario.id);
    if (backedUpNow.includes(scenario.id)) {
      const golden = goldenScenarioFiles({
        listing: JSON.stringify(scenario),
        blueprintReply: reply,
        previousMetadata: filesBefore.has(metadataPath) ? repo.show(sim.githubDir, before, metadataPath) : null,
        state: stateBefore,
        organizationId: ORGANIZATION_ID,
        now: summary.startedAt,
      });
      if (golden[blueprintPath] !== blueprintText || golden[metadataPath] !== metadataText) wrongRenders.push(scenario.id);
    }
    const metadata = JSON.parse(metadataText);
    const expected = { id: scenario.id, name: scenario.name, lastEdit: scenario.lastEdit, teamId: scenario.teamId, isActive: scenario.isActive, isPaused: scenario.isPaused, folderId: scenario.folderId, organizationId: ORGANIZATION_ID };
    const actual = Object.fromEntries(Object.keys(expected).map((key) => [key, metadata[key]]));
    if (JSON.stringify(actual) !== JSON.stringify(expected)) wrongMetadata.push({ id: scenario.id, actual, expected });
    const entry = state.scenarios[scenario.id];
    if (entry?.lastEdit !== scenario.lastEdit || entry?.name !== scenario.name) wrongState.push(scenario.id);
  }
  checkEqual(`${label}: every blueprint.json byte-equal to the canonical JSON of the blueprint Make serves`, wrongBlueprints, []);
  if (backedUpNow.length > 0) {
    checkEqual(`${label}: both files of the ${backedUpNow.length} scenario(s) written byte-equal to the core's golden render`, wrongRenders, []);
  }
  checkEqual(`${label}: every metadata.json carries the listed fields`, wrongMetadata, []);
  checkEqual(`${label}: every state entry has the listed name and lastEdit`, wrongState, []);
}

async function loopScenarios(ctx, n8nService, sim) {
  const workflow = WORKFLOWS.loop;
  const scenarios = await scenarioIds(sim);
  const n = scenarios.length;
  log(`Make simulator: ${n} scenarios in organization ${ORGANIZATION_ID}`);
  let s1 = null;

  await scenario('Loop S1: initial full backup', async () => {
    const result = await backupRun(ctx, n8nService, sim, workflow, { measure: true });
    s1 = result;
    recordCalls('Loop S1 initial full backup', result);
    figures.push({ label: `loop, ${n} scenarios (S1, all new)`, result });
    checkEqual('Loop S1: HTTP 200', result.response.status, 200);
    checkEqual('Loop S1: status success', result.summary?.status, 'success');
    checkEqual('Loop S1: total = backedUp = scenarios listed', [result.summary?.total, result.summary?.backedUp], [n, n]);
    checkBackupCommits('Loop S1', sim, result, scenarios.map((s) => s.id), scenarios);
    checkEqual('Loop S1: commits = one per scenario + the state commit', result.commits.length, n + 1);
    await checkFilesAgainstMake('Loop S1', sim, result, result.summary, scenarios.map((s) => s.id));
    const state = JSON.parse(repo.show(sim.githubDir, result.after, STATE_PATH));
    const commitOf = new Map(result.commits.map((commit) => [Number(/^Backup scenario (\d+):/.exec(commit.subject)?.[1]), commit.sha]));
    checkEqual('Loop S1: state records backupCount 1 and the scenario\'s commit as gitSHA',
      scenarios.filter((s) => state.scenarios[s.id].backupCount !== 1 || state.scenarios[s.id].gitSHA !== commitOf.get(s.id)).map((s) => s.id), []);
    checkExecutionLog('Loop S1', result, 'success');
    checkCalls('Loop S1', result.counts, backupCalls({ k: n, fresh: true, uploads: largeFiles(sim, result.after) }));
    // Issue 5: the state commit carries the audit report (beside the repository's own README.md, which
    // stays as it was) and the dependency inventory of every scenario.
    const report = repo.show(sim.githubDir, result.after, 'inventory/README.md');
    check('Loop S1: the audit report is in inventory/README.md, with 100 % coverage and folder names',
      report.startsWith('<!-- Generated by make-backup-planner') && report.includes(`${n} of ${n} scenarios in Make are backed up`) && !/Folder \d+/.test(report), report.slice(0, 400));
    checkEqual('Loop S1: README.md of the repository is left as it was', repo.show(sim.githubDir, result.after, 'README.md'), repo.show(sim.githubDir, result.before, 'README.md'));
    const inventory = JSON.parse(repo.show(sim.githubDir, result.after, 'inventory/dependencies.json'));
    checkEqual('Loop S1: inventory/dependencies.json lists every scenario', Object.keys(inventory.scenarios).map(Number).sort((a, b) => a - b), scenarios.map((s) => s.id).sort((a, b) => a - b));
  });

  await scenario('Loop S2: no change', async () => {
    const result = await backupRun(ctx, n8nService, sim, workflow);
    recordCalls('Loop S2 no change', result);
    checkEqual('Loop S2: HTTP 200, status success', [result.response.status, result.summary?.status], [200, 'success']);
    checkEqual('Loop S2: backedUp 0, unchanged = total', [result.summary?.backedUp, result.summary?.unchanged, result.summary?.total], [0, n, n]);
    checkEqual('Loop S2: 0 commits (branch head unchanged)', result.commits.length, 0);
    checkEqual('Loop S2: 0 GitHub writes', callTotals(result.counts).githubWrites, 0);
    checkCalls('Loop S2', result.counts, backupCalls({ k: 0 }));
  });

  await scenario('Loop S2b: the scheduled path (no webhook to answer)', async () => {
    await resetLogs(sim);
    const before = repo.head(sim.githubDir);
    // A second n8n process next to the server: give it its own task-broker port.
    const env = { ...ctx.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
    const result = runQuiet(ctx.node24.node, [ctx.n8n.n8nBin, 'execute', `--id=${WORKFLOWS.scheduled.id}`, '--rawOutput'], { cwd: ctx.userFolder, env, maxBuffer: 256 * 1024 * 1024 });
    check('Loop S2b: n8n execute exits 0', result.status === 0, result.status === 0 ? '' : result.stderr.slice(-2000));
    // Log lines may precede and follow the run JSON on stdout (n8n logs while it shuts down).
    const execution = firstJsonObject(result.stdout);
    const runData = execution.data.resultData.runData;
    const done = runData['Continue run'].flatMap((task) => task.data.main.flat()).map((item) => item.json).find((json) => json.action === 'done');
    checkEqual('Loop S2b: the execution succeeds and ends in Respond with summary (a no-op without a webhook)',
      [execution.status, execution.data.resultData.lastNodeExecuted], ['success', 'Respond with summary']);
    checkEqual('Loop S2b: summary success, nothing to back up', [done?.summary?.status, done?.summary?.backedUp], ['success', 0]);
    checkEqual('Loop S2b: 0 commits', repo.head(sim.githubDir), before);
  });

  await scenario('Loop S3: one scenario edited', async () => {
    const edited = await editBlueprint(sim, scenarios[0].id, 'edited by the e2e test (S3)');
    const result = await backupRun(ctx, n8nService, sim, workflow);
    recordCalls('Loop S3 one edit', result);
    checkEqual('Loop S3: HTTP 200, status success', [result.response.status, result.summary?.status], [200, 'success']);
    checkEqual('Loop S3: backedUp 1, unchanged n-1', [result.summary?.backedUp, result.summary?.unchanged], [1, n - 1]);
    checkEqual('Loop S3: exactly 1 scenario commit, for the edited scenario', scenarioCommitIds(result), [edited]);
    checkEqual('Loop S3: then the state commit', result.commits.slice(1).map((c) => c.subject.startsWith('Backup scenario')), [false]);
    checkEqual('Loop S3: the scenario commit changes its blueprint.json and metadata.json',
      repo.changedFiles(sim.githubDir, result.commits[0].sha).sort(), [`scenarios/${edited}/blueprint.json`, `scenarios/${edited}/metadata.json`]);
    check('Loop S3: the new blueprint.json holds the edit', repo.show(sim.githubDir, result.after, `scenarios/${edited}/blueprint.json`).includes('edited by the e2e test (S3)'));
    const stateBefore = JSON.parse(repo.show(sim.githubDir, result.before, STATE_PATH));
    const stateAfter = JSON.parse(repo.show(sim.githubDir, result.after, STATE_PATH));
    const changedEntries = Object.keys(stateAfter.scenarios).filter((id) => JSON.stringify(stateAfter.scenarios[id]) !== JSON.stringify(stateBefore.scenarios[id]));
    checkEqual('Loop S3: only the edited scenario changed in the state', changedEntries, [String(edited)]);
    checkEqual('Loop S3: its backupCount went up by one', stateAfter.scenarios[edited].backupCount, stateBefore.scenarios[edited].backupCount + 1);
    await checkFilesAgainstMake('Loop S3', sim, result, result.summary, [edited]);
    checkCalls('Loop S3', result.counts, backupCalls({ k: 1, metadataReads: 1 }));
  });

  await scenario('Loop S5: invalid Make token', async () => {
    const result = await backupRun(ctx, n8nService, sim, WORKFLOWS.invalidToken);
    recordCalls('Loop S5 invalid Make token', result);
    checkEqual('Loop S5: HTTP 500 with the summary', [result.response.status, result.summary?.status], [500, 'failed']);
    const fatal = result.summary?.fatal ?? {};
    checkEqual('Loop S5: fatal code make-unauthorized', fatal.code, 'make-unauthorized');
    check('Loop S5: the fatal message names token, zone and scope', ['token', 'zone', 'scenarios:read'].every((word) => fatal.message?.includes(word)), fatal.message);
    checkEqual('Loop S5: nothing committed, no GitHub writes', [result.commits.length, callTotals(result.counts).githubWrites], [0, 0]);
    // PRD scenario 5: the 401 on the first Make request is retried 3 times, 1 s / 2 s / 4 s apart, and the
    // waits are visible in the execution data (the Wait node), before the run fails.
    const seconds = result.stored.waits.map((wait) => wait.seconds);
    check('Loop S5: 3 waits of 1 s, 2 s, 4 s (+ up to 20 % jitter) in the stored execution',
      seconds.length === 3 && [1, 2, 4].every((base, i) => seconds[i] >= base && seconds[i] <= base * 1.2), JSON.stringify(seconds));
    check('Loop S5: the fatal message says it gave up after 3 retries', /gave up after 3 retries/.test(fatal.message ?? ''), fatal.message);
    checkCalls('Loop S5 (one attempt and three retries of the list)', result.counts, backupCalls({ k: 0, listRequests: 4 }));
    checkExecutionLog('Loop S5', result, 'failed');
  });

  await scenario('Loop S5b: Make API failing for a moment (HTTP 503 three times)', async () => {
    await makeControl(sim, 'POST', '/_sim/inject', { method: 'GET', pathRegExp: '/scenarios\\?', status: 503, times: 3, body: 'Service Unavailable' });
    const result = await backupRun(ctx, n8nService, sim, workflow);
    recordCalls('Loop S5b Make 503 ×3, then OK', result);
    checkEqual('Loop S5b: HTTP 200, status success after the retries', [result.response.status, result.summary?.status], [200, 'success']);
    const seconds = result.stored.waits.map((wait) => wait.seconds);
    check('Loop S5b: 3 waits of 1 s, 2 s, 4 s (+ up to 20 % jitter) in the stored execution',
      seconds.length === 3 && [1, 2, 4].every((base, i) => seconds[i] >= base && seconds[i] <= base * 1.2), JSON.stringify(seconds));
    check('Loop S5b: the Wait node ran 3 times for about that long',
      result.stored.waitNodeMs.length === 3 && result.stored.waitNodeMs.every((ms, i) => Math.abs(ms - seconds[i] * 1000) < 1500), JSON.stringify(result.stored.waitNodeMs));
    checkCalls('Loop S5b (4 attempts at page 1, then the look past it)', result.counts, backupCalls({ k: 0, listRequests: 5 }));
  });

  await scenario('Loop S5c: a Make request gets no answer (HTTP Request times out)', async () => {
    // The simulator holds the socket for 8 s; the HTTP Request node gives up after the request's 5 s.
    await makeControl(sim, 'POST', '/_sim/inject', { method: 'GET', pathRegExp: '/scenarios\\?', action: 'timeout', delayMs: 8000, times: 1 });
    const result = await backupRun(ctx, n8nService, sim, workflow);
    recordCalls('Loop S5c Make list timed out once', result);
    checkEqual('Loop S5c: HTTP 200, status success after the retry', [result.response.status, result.summary?.status], [200, 'success']);
    const reasons = result.stored.waits.map((wait) => wait.reason);
    check('Loop S5c: the HTTP node\'s error item reached the engine as a timeout, retried once', reasons.length === 1 && /timed out/.test(reasons[0]), JSON.stringify(reasons));
    checkCalls('Loop S5c (2 attempts at page 1, then the look past it)', result.counts, backupCalls({ k: 0, listRequests: 3 }));
  });

  let failing = null;
  await scenario('Loop S6: one scenario blueprint fails', async () => {
    const edited = [scenarios[1].id, scenarios[2].id, scenarios[3].id];
    for (const id of edited) await editBlueprint(sim, id, 'edited by the e2e test (S6)');
    failing = edited[1];
    await makeControl(sim, 'POST', '/_sim/inject', { method: 'GET', path: `/scenarios/${failing}/blueprint`, status: 500, times: 100, body: { message: 'Internal error' } });
    const result = await backupRun(ctx, n8nService, sim, workflow);
    await makeControl(sim, 'POST', '/_sim/clear-faults');
    recordCalls('Loop S6 one blueprint failing', result);
    checkEqual('Loop S6: HTTP 200, status partial', [result.response.status, result.summary?.status], [200, 'partial']);
    checkEqual('Loop S6: the two others are backed up', scenarioCommitIds(result).sort(), edited.filter((id) => id !== failing).sort());
    const errors = result.summary?.errors ?? [];
    checkEqual('Loop S6: one error, for the failing scenario', errors.map((e) => e.scenarioId), [failing]);
    check('Loop S6: the error says what happened', errors[0]?.message?.length > 20, `${errors[0]?.code}: ${errors[0]?.message}`);
    checkEqual('Loop S6: backedUp 2', result.summary?.backedUp, 2);
    const stateAfter = JSON.parse(repo.show(sim.githubDir, result.after, STATE_PATH));
    const stateBefore = JSON.parse(repo.show(sim.githubDir, result.before, STATE_PATH));
    checkEqual('Loop S6: the failing scenario keeps its old state entry', stateAfter.scenarios[failing], stateBefore.scenarios[failing]);
    // The failing blueprint is tried 4 times (1 + 3 retries); only the two that landed read their metadata.
    checkCalls('Loop S6', result.counts, backupCalls({ k: 2, metadataReads: 2, blueprintGets: 2 + 4 }));
    checkExecutionLog('Loop S6', result, 'partial');
  });

  await scenario('Loop S7: two webhook calls at once', async () => {
    const edited = [scenarios[4].id, scenarios[5].id];
    for (const id of edited) await editBlueprint(sim, id, 'edited by the e2e test (S7)');
    // S6's failing scenario is still due too.
    const due = [...edited, failing].filter(Boolean).sort();
    await resetLogs(sim);
    const before = repo.head(sim.githubDir);
    const [first, second] = await Promise.all([callWebhook(ctx, workflow.path), callWebhook(ctx, workflow.path)]);
    const after = repo.head(sim.githubDir);
    const { counts } = await requestCounts(sim);
    const executions = queryExecutions(ctx, 'executions', workflow.id, lastExecutionId);
    lastExecutionId = Math.max(lastExecutionId, ...executions.map((row) => Number(row.id)));
    callRows.push({ label: 'Loop S7 two runs at once (both)', counts });
    checkEqual('Loop S7: both calls answer HTTP 200, status success', [first.status, second.status, first.json?.status, second.json?.status], [200, 200, 'success', 'success']);
    checkEqual('Loop S7: two executions, both finished', executions.map((row) => row.status), ['success', 'success']);
    const commits = repo.commitsBetween(sim.githubDir, before, after);
    const ids = commits.map((commit) => /^Backup scenario (\d+):/.exec(commit.subject)?.[1]).filter(Boolean).map(Number).sort();
    checkEqual('Loop S7: each due scenario committed exactly once (nothing lost or duplicated)', ids, due);
    checkEqual('Loop S7: backedUp over both runs = due scenarios', (first.json?.backedUp ?? 0) + (second.json?.backedUp ?? 0), due.length);
    const state = JSON.parse(repo.show(sim.githubDir, after, STATE_PATH));
    const listed = JSON.parse((await (await fetch(`${sim.make}/scenarios?organizationId=${ORGANIZATION_ID}&pg%5Blimit%5D=10000`, { headers: { authorization: `Token ${MAKE_TOKEN}` } })).text())).scenarios;
    const stale = listed.filter((s) => state.scenarios[s.id]?.lastEdit !== s.lastEdit).map((s) => s.id);
    checkEqual('Loop S7: the state records the current lastEdit of every scenario', stale, []);
    await checkFilesAgainstMake('Loop S7', sim, { before, after }, first.json, []);
    const patches = counts['github PATCH git/refs/heads/{branch}'] ?? 0;
    log(`Loop S7: ${patches} ref updates; warnings: ${JSON.stringify([...(first.json?.warnings ?? []), ...(second.json?.warnings ?? [])])}`);
  });

  // Issue 4's [n8n] fault rows beyond S5–S7: a blueprint that answers 404 (deleted after it was listed)
  // and a 409 on the ref update (another writer moved the branch), in one run through the loop workflow.
  await scenario('Loop S8: a scenario deleted after listing, and a 409 on the ref update', async () => {
    const [gone, kept] = [scenarios[6].id, scenarios[7].id];
    for (const id of [gone, kept]) await editBlueprint(sim, id, 'edited by the e2e test (S8)');
    await makeControl(sim, 'POST', '/_sim/inject', { method: 'GET', path: `/scenarios/${gone}/blueprint`, status: 404, times: 1, body: { detail: 'The requested resource was not found.', message: 'Not found', code: 'SC404' } });
    await githubControl(sim, 'POST', '/_sim/inject', { method: 'PATCH', pathRegExp: '/git/refs/heads/main$', status: 409, times: 1, body: { message: 'Reference update failed', documentation_url: 'https://docs.github.com/rest', status: '409' } });
    const result = await backupRun(ctx, n8nService, sim, workflow);
    await makeControl(sim, 'POST', '/_sim/clear-faults');
    await githubControl(sim, 'POST', '/_sim/clear-faults');
    recordCalls('Loop S8 404 blueprint + 409 ref update', result);
    checkEqual('Loop S8: HTTP 200, status success', [result.response.status, result.summary?.status], [200, 'success']);
    const skipped = (result.summary?.errors ?? []).filter((e) => e.code === 'deleted-since-listing').map((e) => e.scenarioId);
    checkEqual('Loop S8: the 404 scenario is skipped as deleted since listing', [skipped, result.summary?.skipped], [[gone], 1]);
    checkEqual('Loop S8: the other edit landed once, after the 409 (nothing lost or duplicated)', scenarioCommitIds(result), [kept]);
    check('Loop S8: the summary names the moved branch', (result.summary?.warnings ?? []).some((w) => /branch moved/.test(w)), JSON.stringify(result.summary?.warnings));
    checkEqual('Loop S8: two ref updates (the 409, then the replayed chain)', result.counts['github PATCH git/refs/heads/{branch}'], 2);
    checkExecutionLog('Loop S8', result, 'success');
    // Make it true: the scenario really is gone now (later runs see it deleted, not due).
    await makeControl(sim, 'POST', '/_sim/delete', { id: gone });
  });
  return s1;
}

async function oneNodeScenarios(ctx, n8nService, sim) {
  const workflow = WORKFLOWS.oneNode;
  const scenarios = await scenarioIds(sim);
  const n = scenarios.length;
  let edited = null;
  await scenario('One-node S1: initial full backup', async () => {
    const result = await backupRun(ctx, n8nService, sim, workflow, { measure: true });
    recordCalls('One-node S1 initial full backup', result);
    figures.push({ label: `one node, ${n} scenarios (S1, all new)`, result });
    checkEqual('One-node S1: HTTP 200, status success', [result.response.status, result.summary?.status], [200, 'success']);
    checkEqual('One-node S1: total = backedUp', [result.summary?.total, result.summary?.backedUp], [n, n]);
    checkBackupCommits('One-node S1', sim, result, scenarios.map((s) => s.id), scenarios);
    checkEqual('One-node S1: commits = one per scenario + the state commit', result.commits.length, n + 1);
    await checkFilesAgainstMake('One-node S1', sim, result, result.summary, scenarios.map((s) => s.id));
    const loopS1 = callRows.find((row) => row.label === 'Loop S1 initial full backup');
    checkEqual('One-node S1: the same API calls as the loop workflow', result.counts, loopS1?.counts);
    checkEqual('One-node S1: one item out of Run backup (no loop)', result.stored.nodeRuns['Run backup'], 1);
    checkExecutionLog('One-node S1', result, 'success');
  });
  await scenario('One-node S2: no change', async () => {
    const result = await backupRun(ctx, n8nService, sim, workflow);
    recordCalls('One-node S2 no change', result);
    checkEqual('One-node S2: HTTP 200, backedUp 0', [result.response.status, result.summary?.backedUp], [200, 0]);
    checkEqual('One-node S2: 0 commits, 0 GitHub writes', [result.commits.length, callTotals(result.counts).githubWrites], [0, 0]);
    checkCalls('One-node S2', result.counts, backupCalls({ k: 0 }));
  });
  await scenario('One-node S3: one scenario edited', async () => {
    edited = await editBlueprint(sim, scenarios[0].id, 'edited by the e2e test (one-node S3)');
    const result = await backupRun(ctx, n8nService, sim, workflow);
    recordCalls('One-node S3 one edit', result);
    checkEqual('One-node S3: HTTP 200, backedUp 1', [result.response.status, result.summary?.backedUp], [200, 1]);
    checkEqual('One-node S3: exactly 1 scenario commit, for the edited scenario', scenarioCommitIds(result), [edited]);
    await checkFilesAgainstMake('One-node S3', sim, result, result.summary, [edited]);
    checkCalls('One-node S3', result.counts, backupCalls({ k: 1, metadataReads: 1 }));
  });
  return { edited: edited ?? scenarios[0].id };
}

/** JSON with object keys sorted recursively, 2-space indent: the e2e's own canonical form (no core). */
function sortedJson(text) {
  const sort = (value) => {
    if (Array.isArray(value)) return value.map(sort);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sort(value[key])]));
  };
  return `${JSON.stringify(sort(JSON.parse(text)), null, 2)}\n`;
}

const restoreRows = [];

/**
 * Issue 5 §1: a backed-up scenario is deleted in Make and restored through the make-restore webhook,
 * from the latest backup and from an older commit. The restored blueprint as Make serves it must be
 * blueprint.json of that commit (read from the bare repository with git) byte for byte after
 * canonicalization; the restore makes exactly 2 GitHub reads, 1 create and 1 read-back.
 */
async function restoreScenarios(ctx, sim, victimId) {
  const workflow = WORKFLOWS.restore;
  const file = `scenarios/${victimId}/blueprint.json`;
  const restoreCalls = { 'github GET contents/{path}': 2, 'make POST scenarios': 1, 'make GET scenarios/{id}/blueprint': 1 };
  let head = null;
  let older = null;
  let victim = null;
  let existingIds = [];
  const restoredIds = [];

  /** Calls the webhook and checks what landed in Make against blueprint.json at `ref` in git. */
  async function restoreAndCheck(label, body, ref) {
    const idsBefore = (await listedScenarios(sim)).map((s) => s.id);
    await resetLogs(sim);
    const response = await callWebhook(ctx, workflow.path, body);
    const { counts } = await requestCounts(sim);
    callRows.push({ label: `Restore ${label}`, counts });
    restoreRows.push({ label, ms: response.ms, requests: Object.values(counts).reduce((a, b) => a + b, 0) });
    log(`Restore ${label}: webhook → restored scenario in ${response.ms} ms`);
    const out = response.json ?? {};
    checkEqual(`Restore ${label}: HTTP 200, status restored, identical`, [response.status, out.status, out.identical], [200, 'restored', true]);
    checkEqual(`Restore ${label}: source, ref, mode, not started`, [out.sourceScenarioId, out.gitRef, out.mode, out.started], [victimId, body.commit ?? 'main', 'create', false]);
    checkCalls(`Restore ${label} (2 GitHub reads, 1 create, 1 read-back)`, counts, restoreCalls);
    const expectedText = repo.show(sim.githubDir, ref, file);
    const listed = await listedScenarios(sim);
    const created = listed.find((s) => s.id === out.scenarioId);
    // New = an id Make never used before (the simulator, like Make, does not reuse deleted ids).
    check(`Restore ${label}: Make lists a new scenario under a new id, the one the webhook answered`,
      created !== undefined && !idsBefore.includes(out.scenarioId) && !restoredIds.includes(out.scenarioId) && !existingIds.includes(out.scenarioId),
      `scenario ${out.scenarioId}`);
    restoredIds.push(out.scenarioId);
    checkEqual(`Restore ${label}: named as the backed-up blueprint and the deleted scenario, inactive`,
      [created?.name, created?.isActive], [JSON.parse(expectedText).name, false]);
    checkEqual(`Restore ${label}: name in the response`, out.name, victim.name);
    const served = await (await fetch(`${sim.make}/scenarios/${out.scenarioId}/blueprint`, { headers: { authorization: `Token ${MAKE_TOKEN}` } })).text();
    check(`Restore ${label}: the blueprint Make serves, canonicalized by the core, is byte-identical to ${file} at ${ref.slice(0, 12)} (git)`,
      goldenBlueprintFile(served) === expectedText, `${expectedText.length} bytes`);
    check(`Restore ${label}: … and with keys sorted by this test (no core), identical too`,
      sortedJson(jsonValueText(served, ['response', 'blueprint'])) === sortedJson(expectedText));
    checkEqual(`Restore ${label}: blueprintSha in the response = git blob id of ${file} at that commit`,
      out.blueprintSha, repo.blobId(sim.githubDir, ref, file));
    return out;
  }

  await scenario('Restore: a deleted scenario through the make-restore webhook, latest backup and an older commit', async () => {
    head = repo.head(sim.githubDir);
    const history = repo.fileHistory(sim.githubDir, head, file);
    older = history[1] ?? null;
    check(`Restore: ${file} has an older version in the repository (one-node S3 edited it)`,
      older !== null && repo.show(sim.githubDir, older, file) !== repo.show(sim.githubDir, head, file), history.join(', '));
    const listedBefore = await listedScenarios(sim);
    existingIds = listedBefore.map((s) => s.id);
    victim = listedBefore.find((s) => s.id === victimId);
    const deleted = await makeControl(sim, 'POST', '/_sim/delete', { id: victimId });
    const stillListed = (await listedScenarios(sim)).some((s) => s.id === victimId);
    checkEqual(`Restore: scenario ${victimId} deleted in the Make simulator`, [deleted?.deleted, stillListed], [true, false]);

    await restoreAndCheck('latest backup', { scenarioId: victimId }, head);
    if (older) await restoreAndCheck('older commit', { scenarioId: victimId, commit: older }, older);

    // A scenario that was never backed up: an error response, no request to Make.
    await resetLogs(sim);
    const missing = await callWebhook(ctx, workflow.path, { scenarioId: 999999 });
    const { counts } = await requestCounts(sim);
    checkEqual('Restore: no backup for the id → HTTP 400 { error: { code: backup-not-found } }',
      [missing.status, missing.json?.error?.code, Object.keys(missing.json ?? {})], [400, 'backup-not-found', ['error']]);
    check('Restore: the error message names the scenario', /scenario 999999 has no backup/.test(missing.json?.error?.message ?? ''), missing.json?.error?.message);
    checkCalls('Restore: no backup (1 GitHub read, nothing sent to Make)', counts, { 'github GET contents/{path}': 1 });
    checkEqual('Restore: the repository is unchanged by restores', repo.head(sim.githubDir), head);
    // n8n stores an execution right after it responds: wait until all three are finished.
    const calls = older ? 3 : 2;
    let executions = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      executions = queryExecutions(ctx, 'executions', workflow.id, 0).filter((row) => row.stoppedAt);
      if (executions.length >= calls) break;
    }
    checkEqual('Restore: n8n stored every restore execution as successful (the error went to the error output)',
      executions.map((row) => row.status), Array(calls).fill('success'));
  });
}

/** 600 scenarios: 540 more added through the simulator's control API, then a loop run backs them up. */
async function scaleScenario(ctx, n8nService, sim) {
  await scenario('Scale: 600 scenarios through the loop workflow', async () => {
    const existing = (await scenarioIds(sim)).length;
    const toAdd = 600 - existing;
    for (let i = 0; i < toAdd; i++) {
      await makeControl(sim, 'POST', '/_sim/add', { scenario: { name: `Generated scenario ${i + 1} of ${toAdd}` } });
    }
    const total = (await scenarioIds(sim)).length;
    checkEqual('Scale: the simulator lists 600 scenarios', total, 600);
    const result = await backupRun(ctx, n8nService, sim, WORKFLOWS.loop, { measure: true });
    recordCalls(`Loop 600 scenarios (${toAdd} new)`, result);
    figures.push({ label: `loop, 600 scenarios (${toAdd} new)`, result });
    checkEqual('Scale: HTTP 200, status success', [result.response.status, result.summary?.status], [200, 'success']);
    checkEqual('Scale: the new scenarios are backed up', result.summary?.backedUp, toAdd);
    checkCalls('Scale', result.counts, backupCalls({ k: toAdd, listRequests: 3 }));
    check('Scale: stored execution data under 20 MB', result.stored.dataBytes < 20 * 1024 * 1024, `${(result.stored.dataBytes / 1048576).toFixed(2)} MiB`);
    const small = figures.find((f) => f.label.startsWith('loop,') && f !== figures[figures.length - 1]);
    if (small) {
      const perRequest = (f) => f.result.stored.dataBytes / Object.values(f.result.counts).reduce((a, b) => a + b, 0);
      log(`Scale: ${perRequest(small).toFixed(0)} B/request at ${existing} scenarios, ${perRequest(figures[figures.length - 1]).toFixed(0)} B/request at 600`);
    }
  });
}

function reportTables() {
  const keys = [...new Set(callRows.flatMap((row) => Object.keys(row.counts)))].sort();
  process.stdout.write(`\n${table('API calls per run (simulator request logs)', ['run', ...keys, 'total'], callRows.map((row) => [row.label, ...keys.map((key) => row.counts[key] ?? 0), Object.values(row.counts).reduce((a, b) => a + b, 0)]))}\n`);
  process.stdout.write(`\n${table('Stored execution data and peak RSS', ['run', 'requests', 'turns', 'execution data', 'bytes/request', 'largest item', 'peak RSS n8n', 'wall time'], figures.map(({ label, result }) => {
    const requests = Object.values(result.counts).reduce((a, b) => a + b, 0);
    return [label, requests, result.stored.nodeRuns['Continue run'] ?? 0, `${(result.stored.dataBytes / 1048576).toFixed(2)} MiB`, Math.round(result.stored.dataBytes / Math.max(requests, 1)), `${result.stored.largestItemBytes} B`, result.peakRssMiB ? `${result.peakRssMiB.toFixed(0)} MiB` : '-', `${(result.response.ms / 1000).toFixed(1)} s`];
  }))}\n`);
  process.stdout.write(`\n${table('Restore through the make-restore webhook (time from the webhook call to its response, the restored scenario)', ['restore', 'requests', 'webhook → restored'], restoreRows.map((row) => [row.label, row.requests, `${row.ms} ms`]))}\n`);
}

try {
  await main();
} catch (error) {
  check('end-to-end run completes', false, error.stack ?? String(error));
} finally {
  await stopAll();
  const passed = results.filter((result) => result.ok).length;
  const failed = results.length - passed;
  log(`wall time ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}
