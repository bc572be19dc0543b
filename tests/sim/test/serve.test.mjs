// serve.mjs: both simulators in one child process, driven over HTTP, stopped by a signal.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { b64, GITHUB_HEADERS } from './support/http.mjs';

const SERVE = fileURLToPath(new URL('../serve.mjs', import.meta.url));

/** Start serve.mjs; resolves with { child, ready } once it printed its JSON line. */
function startServe(args) {
  const child = spawn(process.execPath, [SERVE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const ready = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`serve.mjs not ready in 10 s; stderr: ${stderr}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline !== -1) {
        clearTimeout(timer);
        resolve(JSON.parse(stdout.slice(0, newline)));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited ${code}: ${stderr}`));
    });
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, ready, exited };
}

describe('serve.mjs', () => {
  const cleanup = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  test('serves Make and GitHub, exposes control routes, keeps the repo, exits 0 on SIGTERM', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'sim-serve-'));
    cleanup.push(() => rm(work, { recursive: true, force: true }));
    const gitDir = path.join(work, 'backup.git');
    const readyFile = path.join(work, 'ready.json');
    const serve = startServe(['--github-dir', gitDir, '--ready-file', readyFile]);
    cleanup.push(async () => {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    });
    const ready = await serve.ready;
    assert.match(ready.make, /^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    assert.match(ready.github, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(ready.githubDir, gitDir);
    assert.deepEqual(JSON.parse(await readFile(readyFile, 'utf8')), ready);

    // Make: API and control.
    const list = await fetch(`${ready.make}/scenarios?teamId=51&pg%5Blimit%5D=5`, { headers: { authorization: 'Token make-test-token' } });
    assert.equal(list.status, 200);
    const makeControl = ready.makeControl;
    const post = (base, route, body) => fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post(makeControl, '/_sim/edit', { id: 418401, patch: { name: 'Edited over HTTP' } })).status, 200);
    const one = await fetch(`${ready.make}/scenarios/418401`, { headers: { authorization: 'Token make-test-token' } }).then((r) => r.json());
    assert.equal(one.scenario.name, 'Edited over HTTP');
    assert.equal((await post(makeControl, '/_sim/inject', { pathRegExp: 'blueprint$', status: 500, body: { detail: 'x', message: 'Internal Server Error', code: 'SC500' } })).status, 200);
    assert.equal((await fetch(`${ready.make}/scenarios/418401/blueprint`, { headers: { authorization: 'Token make-test-token' } })).status, 500);
    const makeLog = await fetch(`${makeControl}/_sim/log`).then((r) => r.json());
    assert.deepEqual(makeLog.map((entry) => entry.status), [200, 200, 500]);

    // GitHub: API and control.
    const branch = await fetch(`${ready.github}/repos/acme/make-backup/branches/main`, { headers: GITHUB_HEADERS }).then((r) => r.json());
    const human = await post(ready.github, '/_sim/commit-as-human', { path: 'NOTES.md', content: 'human edit\n', message: 'Human edit' }).then((r) => r.json());
    assert.notEqual(human.sha, branch.commit.sha);
    await post(ready.github, '/_sim/inject', { method: 'PUT', path: '/contents/', status: 503, body: { message: 'Service Unavailable' } });
    const put = await fetch(`${ready.github}/repos/acme/make-backup/contents/x.json`, { method: 'PUT', headers: GITHUB_HEADERS, body: JSON.stringify({ message: 'x', content: b64('x') }) });
    assert.equal(put.status, 503);
    const ghLog = await fetch(`${ready.github}/_sim/log`).then((r) => r.json());
    assert.deepEqual(ghLog.map((entry) => [entry.method, entry.status, entry.service]), [['GET', 200, 'github'], ['PUT', 503, 'github']]);
    assert.equal((await post(ready.github, '/_sim/reset-log', {})).status, 200);
    assert.deepEqual(await fetch(`${ready.github}/_sim/log`).then((r) => r.json()), []);

    serve.child.kill('SIGTERM');
    const { code } = await serve.exited;
    assert.equal(code, 0);
    // The repository given with --github-dir outlives the process.
    assert.equal(execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'refs/heads/main'], { encoding: 'utf8' }).trim(), human.sha);
  });

  test('--empty starts an empty repository; SIGINT also stops it cleanly', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'sim-serve-'));
    cleanup.push(() => rm(work, { recursive: true, force: true }));
    const serve = startServe(['--github-dir', path.join(work, 'empty.git'), '--empty']);
    cleanup.push(async () => {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    });
    const ready = await serve.ready;
    const ref = await fetch(`${ready.github}/repos/acme/make-backup/git/ref/heads/main`, { headers: GITHUB_HEADERS });
    assert.equal(ref.status, 409);
    serve.child.kill('SIGINT');
    assert.equal((await serve.exited).code, 0);
  });
});
