// The Make simulator + GitHub double (tests/sim/serve.mjs) as a child process, and its control API.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { startService } from './processes.mjs';

const REPO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');

export const MAKE_TOKEN = 'make-test-token';
export const GITHUB_TOKEN = 'ghp_testtoken';
export const ORGANIZATION_ID = 4101;
export const OWNER = 'acme';
export const REPO = 'make-backup';

/**
 * Starts one simulator pair. The rate limits of the doubles are raised far above what the runs use:
 * the e2e tests the n8n plumbing and the engine's behaviour, not the doubles' throttling.
 */
export async function startSimulators(name, workDir, node) {
  const readyFile = path.join(workDir, `${name}.ready.json`);
  const githubDir = path.join(workDir, `${name}-github.git`);
  const service = startService(
    `simulators ${name}`,
    node,
    [
      path.join(REPO_DIR, 'tests', 'sim', 'serve.mjs'),
      '--github-dir', githubDir,
      '--ready-file', readyFile,
      '--make-rpm', '1000000',
      '--github-writes-per-minute', '1000000',
    ],
    { cwd: REPO_DIR, env: process.env, logFile: path.join(workDir, `${name}.log`) },
  );
  const started = Date.now();
  while (!existsSync(readyFile)) {
    if (!service.running) throw new Error(`simulators ${name} exited; see ${path.join(workDir, `${name}.log`)}`);
    if (Date.now() - started > 30_000) throw new Error(`simulators ${name} not ready after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
  return { name, service, ...ready, githubOrigin: ready.github };
}

async function control(origin, method, route, body) {
  const response = await fetch(`${origin}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${origin}${route} → ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export const makeControl = (sim, method, route, body) => control(sim.makeControl, method, route, body);
export const githubControl = (sim, method, route, body) => control(sim.githubOrigin, method, route, body);

export async function resetLogs(sim) {
  await makeControl(sim, 'POST', '/_sim/reset-log');
  await githubControl(sim, 'POST', '/_sim/reset-log');
}

/** Request counts since the last reset, keyed like "make GET list" / "github POST git/trees". */
export async function requestCounts(sim) {
  const entries = [...(await makeControl(sim, 'GET', '/_sim/log')), ...(await githubControl(sim, 'GET', '/_sim/log'))];
  const counts = {};
  for (const entry of entries) {
    const key = `${entry.service} ${entry.method} ${routeOf(entry.path)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return { entries, counts };
}

/** The API route of a logged path, with ids and SHAs folded, e.g. "scenarios/{id}/blueprint". */
export function routeOf(requestPath) {
  return requestPath
    .replace(/^\/api\/v2\//, '')
    .replace(/^\/repos\/[^/]+\/[^/]+\//, '')
    .replace(/\/[0-9a-f]{40}(?=\/|$)/g, '/{sha}')
    .replace(/\/\d+(?=\/|$)/g, '/{id}')
    .replace(/^(branches|git\/refs\/heads)\/.*/, '$1/{branch}')
    .replace(/^contents\/.*/, 'contents/{path}');
}

export async function listScenarios(sim) {
  const response = await fetch(`${sim.make}/scenarios?organizationId=${ORGANIZATION_ID}&pg%5Blimit%5D=10000`, {
    headers: { authorization: `Token ${MAKE_TOKEN}` },
  });
  if (!response.ok) throw new Error(`listing the Make simulator failed: ${response.status}`);
  return { text: await response.text() };
}
