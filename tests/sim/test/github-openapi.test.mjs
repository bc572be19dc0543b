// Every GitHub double response the engine relies on must match the response schema GitHub
// publishes for that operation (@octokit/openapi 23.0.2), for success and error statuses.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startGithubDouble } from '../github-double.mjs';
import { assertMatchesComponent, assertMatchesOpenApi } from './support/openapi.mjs';
import { b64, githubCall } from './support/http.mjs';

/** Call, check the status, validate the body against the operation's declared response. */
async function expectValid(double, operationId, expectedStatus, method, path, body) {
  const reply = await githubCall(double, method, path, body);
  assert.equal(reply.status, expectedStatus, `${method} ${path} → ${reply.status} ${reply.text}`);
  assertMatchesOpenApi(operationId, reply.status, reply.json);
  return reply;
}

describe('GitHub double responses match the OpenAPI description', () => {
  let gh;
  let empty;
  before(async () => {
    gh = await startGithubDouble();
    empty = await startGithubDouble({ empty: true });
  });
  after(async () => {
    await gh?.close();
    await empty?.close();
  });

  test('common headers on every reply', async () => {
    const reply = await githubCall(gh, 'GET', '/branches/main');
    assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
    for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-used', 'x-ratelimit-reset', 'x-ratelimit-resource', 'x-github-request-id']) {
      assert.ok(reply.headers.get(name), `missing ${name}`);
    }
    assert.equal(reply.headers.get('x-ratelimit-limit'), '5000');
    assert.equal(reply.headers.get('x-ratelimit-resource'), 'core');
    assert.equal(Number(reply.headers.get('x-ratelimit-used')) + Number(reply.headers.get('x-ratelimit-remaining')), 5000);
    const next = await githubCall(gh, 'GET', '/branches/main');
    assert.equal(Number(next.headers.get('x-ratelimit-used')), Number(reply.headers.get('x-ratelimit-used')) + 1);
    assert.notEqual(next.headers.get('x-github-request-id'), reply.headers.get('x-github-request-id'));
  });

  test('read side: branch, ref, commit, tree, blob, contents (+ their 404s)', async () => {
    const branch = await expectValid(gh, 'repos/get-branch', 200, 'GET', '/branches/main');
    assert.equal(branch.json.name, 'main');
    assert.equal(branch.json.protected, false);
    const head = branch.json.commit.sha;
    const tree = branch.json.commit.commit.tree.sha;
    assert.match(head, /^[0-9a-f]{40}$/);
    assert.equal(branch.json.commit.commit.message, 'Initial commit');
    const missingBranch = await expectValid(gh, 'repos/get-branch', 404, 'GET', '/branches/does-not-exist');
    assert.equal(missingBranch.json.message, 'Branch not found');
    assert.equal(missingBranch.json.status, '404');

    const ref = await expectValid(gh, 'git/get-ref', 200, 'GET', '/git/ref/heads/main');
    assert.deepEqual([ref.json.ref, ref.json.object.type, ref.json.object.sha], ['refs/heads/main', 'commit', head]);
    const missingRef = await expectValid(gh, 'git/get-ref', 404, 'GET', '/git/ref/heads/nope');
    assert.equal(missingRef.json.message, 'Not Found');

    const commit = await expectValid(gh, 'git/get-commit', 200, 'GET', `/git/commits/${head}`);
    assert.equal(commit.json.tree.sha, tree);
    assert.deepEqual(commit.json.parents, []);
    await expectValid(gh, 'git/get-commit', 404, 'GET', `/git/commits/${'0'.repeat(39)}1`);

    const listing = await expectValid(gh, 'git/get-tree', 200, 'GET', `/git/trees/${tree}?recursive=1`);
    assert.equal(listing.json.truncated, false);
    assert.deepEqual(listing.json.tree.map((entry) => [entry.path, entry.mode, entry.type, entry.size]), [['README.md', '100644', 'blob', 24]]);
    await expectValid(gh, 'git/get-tree', 404, 'GET', `/git/trees/${'e'.repeat(40)}`);

    const readmeSha = listing.json.tree[0].sha;
    const blob = await expectValid(gh, 'git/get-blob', 200, 'GET', `/git/blobs/${readmeSha}`);
    assert.equal(Buffer.from(blob.json.content, 'base64').toString('utf8'), '# Make scenarios backup\n');
    await expectValid(gh, 'git/get-blob', 404, 'GET', `/git/blobs/${'d'.repeat(40)}`);

    const file = await expectValid(gh, 'repos/get-content', 200, 'GET', '/contents/README.md');
    assert.equal(file.json.type, 'file');
    assert.equal(file.json.encoding, 'base64');
    assert.equal(file.json.sha, readmeSha);
    const root = await expectValid(gh, 'repos/get-content', 200, 'GET', '/contents/');
    assert.ok(Array.isArray(root.json));
    await expectValid(gh, 'repos/get-content', 404, 'GET', '/contents/nothing/here.json');
  });

  test('write side: blob, tree, commit, ref update, ref create (+ their 422s)', async () => {
    const branch = await githubCall(gh, 'GET', '/branches/main');
    const head = branch.json.commit.sha;
    const baseTree = branch.json.commit.commit.tree.sha;

    const blob = await expectValid(gh, 'git/create-blob', 201, 'POST', '/git/blobs', { content: b64('binary\u0000ok'), encoding: 'base64' });
    assert.ok(blob.headers.get('location').endsWith(`/git/blobs/${blob.json.sha}`));
    await expectValid(gh, 'git/create-blob', 422, 'POST', '/git/blobs', { encoding: 'utf-8' });

    const tree = await expectValid(gh, 'git/create-tree', 201, 'POST', '/git/trees', {
      base_tree: baseTree,
      tree: [
        { path: 'scenarios/418401/blueprint.json', mode: '100644', type: 'blob', content: '{"name":"Invoice intake → Xero"}\n' },
        { path: 'scenarios/418401/raw.bin', mode: '100644', type: 'blob', sha: blob.json.sha },
      ],
    });
    await expectValid(gh, 'git/create-tree', 422, 'POST', '/git/trees', { base_tree: baseTree, tree: [{ path: 'gone.json', mode: '100644', type: 'blob', sha: null }] });

    const commit = await expectValid(gh, 'git/create-commit', 201, 'POST', '/git/commits', {
      message: 'Backup scenario 418401',
      tree: tree.json.sha,
      parents: [head],
      author: { name: 'Make.com Backup Bot', email: 'bot@example.com', date: '2026-11-23T02:00:00Z' },
    });
    await expectValid(gh, 'git/create-commit', 422, 'POST', '/git/commits', { message: 'x', tree: 'f'.repeat(40), parents: [head] });

    const moved = await expectValid(gh, 'git/update-ref', 200, 'PATCH', '/git/refs/heads/main', { sha: commit.json.sha, force: false });
    assert.equal(moved.json.object.sha, commit.json.sha);
    const rejected = await expectValid(gh, 'git/update-ref', 422, 'PATCH', '/git/refs/heads/main', { sha: head, force: false });
    assert.equal(rejected.json.message, 'Update is not a fast forward');

    const created = await expectValid(gh, 'git/create-ref', 201, 'POST', '/git/refs', { ref: 'refs/heads/backup-preview', sha: head });
    assert.equal(created.json.ref, 'refs/heads/backup-preview');
    const duplicate = await expectValid(gh, 'git/create-ref', 422, 'POST', '/git/refs', { ref: 'refs/heads/backup-preview', sha: head });
    assert.equal(duplicate.json.message, 'Reference already exists');
  });

  test('contents PUT: 201 create, 200 update, 422 missing sha, 409 wrong sha, 404 missing branch', async () => {
    const create = await expectValid(gh, 'repos/create-or-update-file-contents', 201, 'PUT', '/contents/.backup-state.json', { message: 'Create state', content: b64('{"version":1}\n') });
    assert.equal(create.json.content.path, '.backup-state.json');
    const update = await expectValid(gh, 'repos/create-or-update-file-contents', 200, 'PUT', '/contents/.backup-state.json', { message: 'Update state', content: b64('{"version":2}\n'), sha: create.json.content.sha });
    assert.deepEqual(update.json.commit.parents.map((parent) => parent.sha), [create.json.commit.sha]);
    await expectValid(gh, 'repos/create-or-update-file-contents', 422, 'PUT', '/contents/.backup-state.json', { message: 'no sha', content: b64('x') });
    await expectValid(gh, 'repos/create-or-update-file-contents', 409, 'PUT', '/contents/.backup-state.json', { message: 'bad sha', content: b64('x'), sha: 'deadbeef' });
    await expectValid(gh, 'repos/create-or-update-file-contents', 404, 'PUT', '/contents/x.json', { message: 'm', content: b64('x'), branch: 'no-such-branch' });
  });

  test('empty repository: Git Data 409, branch 404, contents PUT bootstraps', async () => {
    const conflict = await expectValid(empty, 'git/get-ref', 409, 'GET', '/git/ref/heads/main');
    assert.equal(conflict.json.message, 'Git Repository is empty.');
    await expectValid(empty, 'git/create-blob', 409, 'POST', '/git/blobs', { content: 'x' });
    await expectValid(empty, 'git/create-tree', 409, 'POST', '/git/trees', { tree: [] });
    await expectValid(empty, 'git/get-commit', 409, 'GET', `/git/commits/${'a'.repeat(40)}`);
    await expectValid(empty, 'repos/get-branch', 404, 'GET', '/branches/main');
    await expectValid(empty, 'repos/get-content', 404, 'GET', '/contents/README.md');
    const bootstrap = await expectValid(empty, 'repos/create-or-update-file-contents', 201, 'PUT', '/contents/.backup-state.json', { message: 'Bootstrap backup repository', content: b64('{}\n') });
    assert.deepEqual(bootstrap.json.commit.parents, []);
    await expectValid(empty, 'git/get-ref', 200, 'GET', '/git/ref/heads/main');
  });

  test('401 Bad credentials is a Basic Error', async () => {
    const reply = await githubCall(gh, 'GET', '/branches/main', undefined, { authorization: 'Bearer wrong' });
    assert.equal(reply.status, 401);
    assert.deepEqual(reply.json, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    assertMatchesComponent('basic-error', reply.json);
  });
});
