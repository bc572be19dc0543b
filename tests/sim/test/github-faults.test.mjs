// Fault injection, auth, rate limits and the request log of the GitHub double.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startGithubDouble } from '../github-double.mjs';
import { b64, githubCall, GITHUB_HEADERS } from './support/http.mjs';

/** Build and push one commit with the Git Data sequence, as the engine does. */
async function commitOneFile(gh, path, content, { head } = {}) {
  const branch = await githubCall(gh, 'GET', '/branches/main');
  const parent = head ?? branch.json.commit.sha;
  const tree = await githubCall(gh, 'POST', '/git/trees', { base_tree: branch.json.commit.commit.tree.sha, tree: [{ path, mode: '100644', type: 'blob', content }] });
  const commit = await githubCall(gh, 'POST', '/git/commits', { message: `Backup ${path}`, tree: tree.json.sha, parents: [parent] });
  return { parent, commit: commit.json, patch: () => githubCall(gh, 'PATCH', '/git/refs/heads/main', { sha: commit.json.sha, force: false }) };
}

describe('GitHub double fault injection', () => {
  let gh;
  before(async () => {
    gh = await startGithubDouble();
  });
  after(() => gh?.close());

  test('an injected status replaces the reply for `times` matching requests, then real handling resumes', async () => {
    gh.inject({ method: 'GET', path: /\/branches\/main$/, times: 2, status: 503, body: { message: 'Service Unavailable' }, headers: { 'retry-after': '7' } });
    const first = await githubCall(gh, 'GET', '/branches/main');
    const second = await githubCall(gh, 'GET', '/branches/main');
    const third = await githubCall(gh, 'GET', '/branches/main');
    assert.deepEqual([first.status, second.status, third.status], [503, 503, 200]);
    assert.deepEqual(first.json, { message: 'Service Unavailable' });
    assert.equal(first.headers.get('retry-after'), '7');
    assert.ok(first.headers.get('x-ratelimit-remaining'), 'rate-limit headers on injected replies too');
  });

  test('a string body is sent verbatim; other methods and paths do not match', async () => {
    gh.inject({ method: 'POST', path: '/git/trees', status: 502, body: '<html><body>Bad gateway</body></html>', headers: { 'content-type': 'text/html' } });
    const untouched = await githubCall(gh, 'GET', '/git/ref/heads/main');
    assert.equal(untouched.status, 200);
    const reply = await githubCall(gh, 'POST', '/git/trees', { tree: [] });
    assert.equal(reply.status, 502);
    assert.equal(reply.text, '<html><body>Bad gateway</body></html>');
    assert.equal(reply.headers.get('content-type'), 'text/html');
  });

  test("action 'after': the write happens, the client sees the injected failure", async () => {
    const { commit, patch } = await commitOneFile(gh, 'after.json', '{"after":true}\n');
    gh.inject({ method: 'PATCH', path: '/git/refs/heads/main', action: 'after', status: 500, body: { message: 'Server Error' } });
    const reply = await patch();
    assert.equal(reply.status, 500);
    assert.equal(await gh.headOf(), commit.sha, 'the ref moved anyway');
    const retry = await patch();
    assert.equal(retry.status, 200, 'a retried PATCH to the same sha is a no-op fast-forward');
  });

  test("action 'moveBranch': another writer commits first, so the engine's PATCH is not a fast forward", async () => {
    const { commit, patch, parent } = await commitOneFile(gh, 'race.json', '{"race":1}\n');
    gh.inject({ method: 'PATCH', path: '/git/refs/heads/main', action: 'moveBranch' });
    const reply = await patch();
    assert.equal(reply.status, 422);
    assert.equal(reply.json.message, 'Update is not a fast forward');
    const head = await gh.headOf();
    assert.notEqual(head, commit.sha);
    assert.notEqual(head, parent);
    assert.equal((await gh.readFile('NOTES.md')).toString('utf8').trim().split('\n').at(-1), 'human edit');
    const human = await githubCall(gh, 'GET', `/git/commits/${head}`);
    assert.deepEqual(human.json.parents.map((p) => p.sha), [parent]);
    assert.equal(human.json.author.name, 'Hanna Human');
    // Rebuilding on the new head succeeds.
    const again = await commitOneFile(gh, 'race.json', '{"race":1}\n');
    assert.equal((await again.patch()).status, 200);
  });

  test("action 'timeout': the socket is held, then dropped without a response", async () => {
    gh.inject({ path: '/git/ref/heads/main', action: 'timeout', delayMs: 150 });
    const started = Date.now();
    await assert.rejects(githubCall(gh, 'GET', '/git/ref/heads/main'));
    assert.ok(Date.now() - started >= 140);
    const entry = gh.log.at(-1);
    assert.equal(entry.status, null);
    assert.equal(entry.fault, 'timeout');
    // With no delay given the socket is held until the client gives up.
    gh.inject({ path: '/git/ref/heads/main', action: 'timeout' });
    await assert.rejects(fetch(`${gh.url}/repos/acme/make-backup/git/ref/heads/main`, { headers: GITHUB_HEADERS, signal: AbortSignal.timeout(200) }), /aborted|timeout/i);
  });

  test('delayMs alone slows the real reply', async () => {
    gh.inject({ path: '/branches/main', delayMs: 120 });
    const started = Date.now();
    const reply = await githubCall(gh, 'GET', '/branches/main');
    assert.equal(reply.status, 200);
    assert.ok(Date.now() - started >= 110);
  });

  test('commitAsHuman adds a commit on the branch', async () => {
    const before = await gh.headOf();
    const { sha } = await gh.commitAsHuman({ path: 'scenarios/418401/blueprint.json', content: '{"edited":"by hand"}\n', message: 'Hand edit' });
    assert.notEqual(sha, before);
    assert.equal(await gh.headOf(), sha);
    const contents = await githubCall(gh, 'GET', '/contents/scenarios/418401/blueprint.json');
    assert.equal(Buffer.from(contents.json.content, 'base64').toString('utf8'), '{"edited":"by hand"}\n');
  });

  test('the log records every request, faulted ones included; resetLog empties it', async () => {
    gh.resetLog();
    gh.inject({ path: '/git/commits', status: 500, body: { message: 'boom' } });
    await githubCall(gh, 'GET', '/git/trees/main?recursive=1');
    await githubCall(gh, 'POST', '/git/commits', { message: 'x' });
    assert.equal(gh.log.length, 2);
    const [first, second] = gh.log;
    assert.deepEqual({ ...first, at: undefined }, { method: 'GET', path: '/repos/acme/make-backup/git/trees/main', query: { recursive: '1' }, status: 200, service: 'github', at: undefined });
    assert.match(first.at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(second.status, 500);
    assert.equal(second.fault, 'inject');
    gh.resetLog();
    assert.equal(gh.log.length, 0);
  });

  test('invalid rules are refused', () => {
    assert.throws(() => gh.inject({ path: '/x' }), /status, a delayMs or an action/);
    assert.throws(() => gh.inject({ status: 200, action: 'explode' }), /unknown fault action/);
  });
});

describe('GitHub double auth and request checks', () => {
  let gh;
  before(async () => {
    gh = await startGithubDouble();
  });
  after(() => gh?.close());

  test('Bearer and token schemes are accepted; a wrong token is 401 Bad credentials', async () => {
    assert.equal((await githubCall(gh, 'GET', '/branches/main', undefined, { authorization: 'token ghp_testtoken' })).status, 200);
    const wrong = await githubCall(gh, 'GET', '/branches/main', undefined, { authorization: 'Bearer ghp_nope' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
  });

  test('no credentials on a private repository → 404 Not Found (GitHub hides private repos)', async () => {
    const anonymous = { ...GITHUB_HEADERS };
    delete anonymous.authorization;
    const res = await fetch(`${gh.url}/repos/acme/make-backup/branches/main`, { headers: anonymous });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-ratelimit-limit'), '60');
  });

  test('another repository → 404; no User-Agent → 403; unknown API version → 400', async () => {
    const other = await fetch(`${gh.url}/repos/acme/other/branches/main`, { headers: GITHUB_HEADERS });
    assert.equal(other.status, 404);
    const noAgent = await githubCall(gh, 'GET', '/branches/main', undefined, { 'user-agent': '' });
    assert.equal(noAgent.status, 403);
    assert.match(noAgent.text, /User-Agent/);
    const version = await githubCall(gh, 'GET', '/branches/main', undefined, { 'x-github-api-version': '2099-01-01' });
    assert.equal(version.status, 400);
  });

  test('malformed JSON body → 400 Problems parsing JSON', async () => {
    const reply = await githubCall(gh, 'POST', '/git/blobs', '{"content":');
    assert.equal(reply.status, 400);
    assert.equal(reply.json.message, 'Problems parsing JSON');
  });

  test('token null disables the credential check', async () => {
    const open = await startGithubDouble({ token: null });
    try {
      const anonymous = { ...GITHUB_HEADERS };
      delete anonymous.authorization;
      const res = await fetch(`${open.url}/repos/acme/make-backup/branches/main`, { headers: anonymous });
      assert.equal(res.status, 200);
    } finally {
      await open.close();
    }
  });
});

describe('GitHub double rate limits', () => {
  test('primary budget: 403 with x-ratelimit-remaining 0 once the hourly budget is spent, reset after the hour', async () => {
    let now = Date.UTC(2026, 10, 23, 2, 0, 0);
    const gh = await startGithubDouble({ rateLimit: 3, clock: () => now });
    try {
      const statuses = [];
      let last;
      for (let i = 0; i < 4; i += 1) {
        last = await githubCall(gh, 'GET', '/branches/main');
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 403]);
      assert.equal(last.headers.get('x-ratelimit-remaining'), '0');
      assert.match(last.json.message, /^API rate limit exceeded/);
      assert.equal(Number(last.headers.get('x-ratelimit-reset')), Math.floor(now / 1000) + 3600);
      now += 3_600_000;
      assert.equal((await githubCall(gh, 'GET', '/branches/main')).status, 200);
    } finally {
      await gh.close();
    }
  });

  test('secondary limit on writes: 403 "secondary rate limit" with retry-after; reads still pass', async () => {
    let now = Date.UTC(2026, 10, 23, 2, 0, 0);
    const gh = await startGithubDouble({ writesPerMinute: 2, clock: () => now });
    try {
      const write = () => githubCall(gh, 'POST', '/git/blobs', { content: 'x' });
      assert.equal((await write()).status, 201);
      now += 10_000;
      assert.equal((await write()).status, 201);
      const limited = await write();
      assert.equal(limited.status, 403);
      assert.match(limited.json.message, /secondary rate limit/);
      assert.equal(limited.headers.get('retry-after'), '50');
      assert.equal((await githubCall(gh, 'GET', '/branches/main')).status, 200);
      now += 50_000;
      assert.equal((await write()).status, 201, 'the window slid');
    } finally {
      await gh.close();
    }
  });

  test('secondary limit in points per minute (GET 1, write 5)', async () => {
    const now = Date.UTC(2026, 10, 23, 2, 0, 0);
    const gh = await startGithubDouble({ secondaryLimitPerMinute: 7, clock: () => now });
    try {
      assert.equal((await githubCall(gh, 'GET', '/branches/main')).status, 200); // 1
      assert.equal((await githubCall(gh, 'POST', '/git/blobs', { content: 'x' })).status, 201); // 6
      assert.equal((await githubCall(gh, 'GET', '/branches/main')).status, 200); // 7
      const limited = await githubCall(gh, 'GET', '/branches/main');
      assert.equal(limited.status, 403);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
    } finally {
      await gh.close();
    }
  });
});

describe('GitHub double contents API under concurrency', () => {
  test('parallel PUTs to one branch: the losers get 409 "is at X but expected Y"', async () => {
    const gh = await startGithubDouble();
    try {
      const replies = await Promise.all([0, 1, 2, 3].map((i) => githubCall(gh, 'PUT', `/contents/f${i}.txt`, { message: `f${i}`, content: b64(`${i}`) })));
      assert.ok(replies.some((reply) => reply.status === 201));
      for (const reply of replies.filter((r) => r.status !== 201)) {
        assert.equal(reply.status, 409);
        assert.match(reply.json.message, /^is at [0-9a-f]{40} but expected [0-9a-f]{40}$/);
      }
    } finally {
      await gh.close();
    }
  });

  test('parallel bootstrap PUTs on an empty repository: one root commit wins, the others get 409', async () => {
    const gh = await startGithubDouble({ empty: true });
    try {
      const replies = await Promise.all([0, 1, 2].map((i) => githubCall(gh, 'PUT', `/contents/f${i}.txt`, { message: `f${i}`, content: b64(`${i}`) })));
      const winners = replies.filter((reply) => reply.status === 201);
      assert.ok(winners.length >= 1);
      for (const reply of replies.filter((r) => r.status !== 201)) assert.equal(reply.status, 409);
      const roots = winners.filter((reply) => reply.json.commit.parents.length === 0);
      assert.equal(roots.length, 1, 'exactly one root commit reached the branch');
    } finally {
      await gh.close();
    }
  });
});
