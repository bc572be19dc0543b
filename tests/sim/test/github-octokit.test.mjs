// @octokit/rest pointed at the GitHub double: the Git Data commit sequence, the Contents API
// state machine (github-api.md §2.2 table), fast-forward rejection and the empty repository.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { Octokit } from '@octokit/rest';

import { startGithubDouble } from '../github-double.mjs';
import { b64, gitBlobSha } from './support/http.mjs';

const OWNER = 'acme';
const REPO = 'make-backup';

function octokitFor(double) {
  return new Octokit({ auth: 'ghp_testtoken', baseUrl: double.url, userAgent: 'sim-tests', log: { debug() {}, info() {}, warn() {}, error() {} } });
}

/** The octokit RequestError for a call expected to fail. */
async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the request to fail');
}

function gitLog(gitDir, ...args) {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' });
}

describe('Git Data API through @octokit/rest', () => {
  let gh;
  let octokit;
  before(async () => {
    gh = await startGithubDouble();
    octokit = octokitFor(gh);
  });
  after(() => gh?.close());

  test('blob → tree → commit → ref: one atomic commit with exact git object ids', async () => {
    const { data: branch } = await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'main' });
    const parent = branch.commit.sha;
    const baseTree = branch.commit.commit.tree.sha;

    const metadata = '{\n  "name": "Rechnungsprüfung – Übersicht",\n  "emoji": "🚀"\n}\n';
    const binary = Buffer.from([0, 1, 2, 255, 254]);
    const { data: blob } = await octokit.rest.git.createBlob({ owner: OWNER, repo: REPO, content: binary.toString('base64'), encoding: 'base64' });
    assert.equal(blob.sha, gitBlobSha(binary));

    const { data: tree } = await octokit.rest.git.createTree({
      owner: OWNER,
      repo: REPO,
      base_tree: baseTree,
      tree: [
        { path: 'scenarios/418401/metadata.json', mode: '100644', type: 'blob', content: metadata },
        { path: 'scenarios/418401/blob.bin', mode: '100644', type: 'blob', sha: blob.sha },
      ],
    });
    // The response lists the new tree's top level.
    assert.deepEqual(tree.tree.map((entry) => [entry.path, entry.type]), [['README.md', 'blob'], ['scenarios', 'tree']]);

    const message = 'Backup scenario 418401: Rechnungsprüfung\n\nrun 2026-11-23';
    const date = '2026-11-23T02:00:00Z';
    const { data: commit } = await octokit.rest.git.createCommit({
      owner: OWNER,
      repo: REPO,
      message,
      tree: tree.sha,
      parents: [parent],
      author: { name: 'Make.com Backup Bot', email: 'bot@example.com', date },
      committer: { name: 'Make.com Backup Bot', email: 'bot@example.com', date: '2026-11-23T03:00:00+01:00' },
    });
    assert.equal(commit.message, message, 'message verbatim');
    assert.equal(commit.author.date, date);
    assert.equal(commit.committer.date, '2026-11-23T02:00:00Z', 'offsets come back in UTC');
    assert.deepEqual(commit.parents.map((p) => p.sha), [parent]);

    const { data: ref } = await octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: commit.sha, force: false });
    assert.equal(ref.object.sha, commit.sha);

    // The bare repository agrees: inline content stored as its UTF-8 bytes, dates honoured.
    assert.equal(gitLog(gh.gitDir, 'rev-parse', 'refs/heads/main').trim(), commit.sha);
    assert.equal(gitLog(gh.gitDir, 'show', `${commit.sha}:scenarios/418401/metadata.json`), metadata);
    assert.match(gitLog(gh.gitDir, 'cat-file', 'commit', commit.sha), /committer Make\.com Backup Bot <bot@example\.com> \d+ \+0100/);

    const { data: listing } = await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: commit.tree.sha, recursive: '1' });
    const paths = listing.tree.map((entry) => `${entry.mode} ${entry.type} ${entry.path}`);
    assert.deepEqual(paths, [
      '100644 blob README.md',
      '040000 tree scenarios',
      '040000 tree scenarios/418401',
      '100644 blob scenarios/418401/blob.bin',
      '100644 blob scenarios/418401/metadata.json',
    ]);
    assert.equal(listing.tree.find((entry) => entry.type === 'tree').size, undefined, 'trees carry no size');
    // GitHub recurses for any value of `recursive`, even "0".
    const { data: zero } = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}?recursive=0', { owner: OWNER, repo: REPO, tree_sha: commit.tree.sha });
    assert.equal(zero.tree.length, 5);
    const { data: flat } = await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: commit.tree.sha });
    assert.equal(flat.tree.length, 2);

    const { data: readBack } = await octokit.rest.git.getBlob({ owner: OWNER, repo: REPO, file_sha: listing.tree[4].sha });
    assert.equal(Buffer.from(readBack.content, 'base64').toString('utf8'), metadata);
  });

  test('tree edits: sha:null deletes, deleting a missing path is 422, sha+content or neither is 422', async () => {
    const { data: branch } = await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'main' });
    const baseTree = branch.commit.commit.tree.sha;
    const { data: removed } = await octokit.rest.git.createTree({ owner: OWNER, repo: REPO, base_tree: baseTree, tree: [{ path: 'scenarios/418401/blob.bin', mode: '100644', type: 'blob', sha: null }] });
    const { data: after } = await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: removed.sha, recursive: '1' });
    assert.ok(!after.tree.some((entry) => entry.path === 'scenarios/418401/blob.bin'));
    assert.ok(after.tree.some((entry) => entry.path === 'scenarios/418401/metadata.json'));

    const missing = await failure(octokit.rest.git.createTree({ owner: OWNER, repo: REPO, base_tree: baseTree, tree: [{ path: 'scenarios/999/blueprint.json', mode: '100644', type: 'blob', sha: null }] }));
    assert.equal(missing.status, 422);
    const both = await failure(octokit.rest.git.createTree({ owner: OWNER, repo: REPO, base_tree: baseTree, tree: [{ path: 'a.json', mode: '100644', type: 'blob', sha: 'a'.repeat(40), content: 'x' }] }));
    assert.equal(both.status, 422);
    assert.match(both.response.data.message, /Must supply either tree\.sha or tree\.content/);
    const neither = await failure(octokit.rest.git.createTree({ owner: OWNER, repo: REPO, base_tree: baseTree, tree: [{ path: 'a.json', mode: '100644', type: 'blob' }] }));
    assert.equal(neither.status, 422);
    const badPath = await failure(octokit.rest.git.createTree({ owner: OWNER, repo: REPO, base_tree: baseTree, tree: [{ path: '../escape.json', mode: '100644', type: 'blob', content: 'x' }] }));
    assert.equal(badPath.status, 422);

    // Without base_tree the new tree holds only the listed entries.
    const { data: only } = await octokit.rest.git.createTree({ owner: OWNER, repo: REPO, tree: [{ path: 'only.txt', mode: '100644', type: 'blob', content: 'x' }] });
    assert.deepEqual(only.tree.map((entry) => entry.path), ['only.txt']);
  });

  test('commit validation: unknown tree 422 "Tree SHA does not exist", unknown parent 422', async () => {
    const noTree = await failure(octokit.rest.git.createCommit({ owner: OWNER, repo: REPO, message: 'x', tree: 'f'.repeat(40), parents: [] }));
    assert.equal(noTree.status, 422);
    assert.equal(noTree.response.data.message, 'Tree SHA does not exist');
    const { data: branch } = await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'main' });
    const noParent = await failure(octokit.rest.git.createCommit({ owner: OWNER, repo: REPO, message: 'x', tree: branch.commit.commit.tree.sha, parents: ['c'.repeat(40)] }));
    assert.equal(noParent.status, 422);
  });

  test('ref update: a non-descendant is 422 "Update is not a fast forward" unless force', async () => {
    const { data: branch } = await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'main' });
    const head = branch.commit.sha;
    // A sibling commit: same parent as head, so not a descendant of head.
    const { data: sibling } = await octokit.rest.git.createCommit({ owner: OWNER, repo: REPO, message: 'sibling', tree: branch.commit.commit.tree.sha, parents: branch.commit.parents.map((p) => p.sha) });
    const rejected = await failure(octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: sibling.sha, force: false }));
    assert.equal(rejected.status, 422);
    assert.equal(rejected.response.data.message, 'Update is not a fast forward');
    assert.equal(await gh.headOf(), head, 'branch unchanged');

    const { data: forced } = await octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: sibling.sha, force: true });
    assert.equal(forced.object.sha, sibling.sha);
    await octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: head, force: true });

    const created = await octokit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/heads/archive', sha: head });
    assert.equal(created.status, 201);
    const { data: ref } = await octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/archive' });
    assert.equal(ref.object.sha, head);
    const missingRef = await failure(octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/nope', sha: head }));
    assert.equal(missingRef.status, 422);
  });

  test('matching refs, literal file names with glob characters, submodule gitlinks', async () => {
    const { data: heads } = await octokit.rest.git.listMatchingRefs({ owner: OWNER, repo: REPO, ref: 'heads/' });
    assert.ok(heads.some((ref) => ref.ref === 'refs/heads/main'));
    const { data: none } = await octokit.rest.git.listMatchingRefs({ owner: OWNER, repo: REPO, ref: 'tags/v' });
    assert.deepEqual(none, []);

    const { data: branch } = await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'main' });
    const { data: tree } = await octokit.rest.git.createTree({
      owner: OWNER,
      repo: REPO,
      base_tree: branch.commit.commit.tree.sha,
      tree: [
        { path: 'odd/[draft] *.json', mode: '100644', type: 'blob', content: '{}' },
        { path: 'vendor/lib', mode: '160000', type: 'commit', sha: '1'.repeat(40) },
      ],
    });
    const { data: commit } = await octokit.rest.git.createCommit({ owner: OWNER, repo: REPO, message: 'odd paths', tree: tree.sha, parents: [branch.commit.sha] });
    await octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: commit.sha });
    const { data: odd } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'odd/[draft] *.json' });
    assert.equal(odd.path, 'odd/[draft] *.json');
    const missing = await failure(octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'odd/*.json' }));
    assert.equal(missing.status, 404, 'a * in a path is not a wildcard');
    const { data: listing } = await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: tree.sha, recursive: '1' });
    assert.deepEqual(listing.tree.filter((entry) => entry.path === 'vendor/lib').map((entry) => [entry.mode, entry.type]), [['160000', 'commit']]);
  });

  test('a blob over 1 MB: GET blob works, contents JSON has content "" and encoding "none", raw media type gives bytes', async () => {
    const big = 'x'.repeat(1_100_000);
    const { data: branch } = await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'main' });
    const { data: tree } = await octokit.rest.git.createTree({ owner: OWNER, repo: REPO, base_tree: branch.commit.commit.tree.sha, tree: [{ path: 'big.json', mode: '100644', type: 'blob', content: big }] });
    const { data: commit } = await octokit.rest.git.createCommit({ owner: OWNER, repo: REPO, message: 'big', tree: tree.sha, parents: [branch.commit.sha] });
    await octokit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: commit.sha });
    const { data: file } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'big.json' });
    assert.equal(file.encoding, 'none');
    assert.equal(file.content, '');
    assert.equal(file.size, big.length);
    assert.equal(file.sha, gitBlobSha(big));
    const raw = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'big.json', mediaType: { format: 'raw' } });
    assert.equal(String(raw.data).length, big.length);
    const { data: blob } = await octokit.rest.git.getBlob({ owner: OWNER, repo: REPO, file_sha: file.sha });
    assert.equal(Buffer.from(blob.content, 'base64').length, big.length);
    const lines = blob.content.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.ok(lines.slice(0, -1).every((line) => line.length === 60), 'base64 wrapped every 60 chars');
    assert.ok(lines.at(-1).length <= 60);
  });
});

describe('Contents API state machine (github-api.md §2.2)', () => {
  let gh;
  let octokit;
  before(async () => {
    gh = await startGithubDouble();
    octokit = octokitFor(gh);
  });
  after(() => gh?.close());

  const put = (params) => octokit.rest.repos.createOrUpdateFileContents({ owner: OWNER, repo: REPO, ...params });

  test('create 201, update 200, each PUT one commit even when unchanged', async () => {
    const head0 = await gh.headOf();
    const created = await put({ path: 'scenarios/1/blueprint.json', message: 'Add 1', content: b64('{"a":1}\n'), committer: { name: 'Bot', email: 'bot@example.com' } });
    assert.equal(created.status, 201);
    assert.equal(created.data.content.sha, gitBlobSha('{"a":1}\n'));
    assert.deepEqual(created.data.commit.parents.map((p) => p.sha), [head0]);
    assert.equal(created.data.commit.committer.name, 'Bot');
    assert.equal(created.data.commit.author.name, 'Bot', 'author defaults to the committer');

    const same = await put({ path: 'scenarios/1/blueprint.json', message: 'Same again', content: b64('{"a":1}\n'), sha: created.data.content.sha });
    assert.equal(same.status, 200);
    assert.notEqual(same.data.commit.sha, created.data.commit.sha, 'a commit even without a change');
    assert.equal(same.data.commit.tree.sha, created.data.commit.tree.sha);

    const { data: file } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'scenarios/1/blueprint.json' });
    assert.equal(Buffer.from(file.content, 'base64').toString('utf8'), '{"a":1}\n');
    const { data: atOld } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'README.md', ref: head0 });
    assert.equal(atOld.name, 'README.md');
    const noRef = await failure(octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'README.md', ref: 'no-such-ref' }));
    assert.equal(noRef.status, 404);
  });

  test('existing file without sha → 422 "sha" wasn\'t supplied', async () => {
    const err = await failure(put({ path: 'scenarios/1/blueprint.json', message: 'x', content: b64('{}') }));
    assert.equal(err.status, 422);
    assert.equal(err.response.data.message, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    assert.equal(err.response.data.status, '422');
  });

  test('wrong sha → 409 "<path> does not match <sha>" (malformed, unknown, or another blob)', async () => {
    const other = gitBlobSha('something else');
    for (const sha of ['deadbeef', 'a'.repeat(40), other]) {
      const err = await failure(put({ path: 'scenarios/1/blueprint.json', message: 'x', content: b64('{}'), sha }));
      assert.equal(err.status, 409);
      assert.equal(err.response.data.message, `scenarios/1/blueprint.json does not match ${sha}`);
      assert.equal(err.response.data.errors, undefined);
    }
  });

  test('new path with any sha → 201 (sha ignored); missing branch → 404 before the sha check', async () => {
    const created = await put({ path: 'scenarios/2/blueprint.json', message: 'Add 2', content: b64('{}'), sha: 'deadbeef' });
    assert.equal(created.status, 201);
    const err = await failure(put({ path: 'scenarios/1/blueprint.json', message: 'x', content: b64('{}'), sha: 'deadbeef', branch: 'no-such-branch' }));
    assert.equal(err.status, 404);
  });

  test('a write that loses the race to another writer → 409 "is at X but expected Y"', async () => {
    const { data: file } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'scenarios/1/blueprint.json' });
    const before = await gh.headOf();
    gh.inject({ method: 'PUT', path: '/contents/scenarios/1/', action: 'raceBranch' });
    const err = await failure(put({ path: 'scenarios/1/blueprint.json', message: 'race', content: b64('{"b":2}'), sha: file.sha }));
    assert.equal(err.status, 409);
    const moved = await gh.headOf();
    assert.notEqual(moved, before);
    assert.match(err.response.data.message, new RegExp(`^is at ${moved} but expected ${before}$`));
  });

  test('delete: 422 without sha, 409 wrong sha, 200 with content null', async () => {
    const { data: file } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'scenarios/2/blueprint.json' });
    const params = { owner: OWNER, repo: REPO, path: 'scenarios/2/blueprint.json', message: 'Remove 2' };
    assert.equal((await failure(octokit.request('DELETE /repos/{owner}/{repo}/contents/{path}', params))).status, 422);
    assert.equal((await failure(octokit.rest.repos.deleteFile({ ...params, sha: 'b'.repeat(40) }))).status, 409);
    const removed = await octokit.rest.repos.deleteFile({ ...params, sha: file.sha });
    assert.equal(removed.status, 200);
    assert.equal(removed.data.content, null);
    assert.equal((await failure(octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'scenarios/2/blueprint.json' }))).status, 404);
  });
});

describe('empty repository', () => {
  let gh;
  let octokit;
  before(async () => {
    gh = await startGithubDouble({ empty: true });
    octokit = octokitFor(gh);
  });
  after(() => gh?.close());

  test('Git Data → 409 "Git Repository is empty.", branch → 404, then one PUT creates the root commit and the branch', async () => {
    const ref = await failure(octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/main' }));
    assert.equal(ref.status, 409);
    assert.equal(ref.response.data.message, 'Git Repository is empty.');
    const branch = await failure(octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'main' }));
    assert.equal(branch.status, 404);
    assert.equal(branch.response.data.message, 'Branch not found');
    const blob = await failure(octokit.rest.git.createBlob({ owner: OWNER, repo: REPO, content: 'x' }));
    assert.equal(blob.status, 409);
    const newRef = await failure(octokit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/heads/main', sha: 'a'.repeat(40) }));
    assert.equal(newRef.status, 409);

    const created = await octokit.rest.repos.createOrUpdateFileContents({ owner: OWNER, repo: REPO, path: '.backup-state.json', message: 'Initialize backup repository', content: b64('{"version":1}\n') });
    assert.equal(created.status, 201);
    assert.deepEqual(created.data.commit.parents, []);
    assert.equal(created.data.commit.author.email, '90000001+make-backup-bot@users.noreply.github.com');
    const { data: head } = await octokit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/main' });
    assert.equal(head.object.sha, created.data.commit.sha);
    const { data: got } = await octokit.rest.repos.getBranch({ owner: OWNER, repo: REPO, branch: 'main' });
    assert.equal(got.commit.commit.message, 'Initialize backup repository');
  });
});

describe('existing bare repository passed as dir', () => {
  test('a second double over the same dir sees the first one\'s commits; dir is kept on close', async () => {
    const first = await startGithubDouble();
    const dir = `${first.gitDir}-kept`;
    await first.close();
    const a = await startGithubDouble({ dir });
    try {
      const human = await a.commitAsHuman({ path: 'docs/NOTE.md', content: 'hello\n', message: 'Note' });
      await a.close();
      const b = await startGithubDouble({ dir });
      try {
        assert.equal(await b.headOf(), human.sha);
        assert.equal((await b.readFile('docs/NOTE.md')).toString('utf8'), 'hello\n');
      } finally {
        await b.close();
      }
      assert.equal(gitLog(dir, 'rev-parse', 'refs/heads/main').trim(), human.sha, 'kept after close');
    } finally {
      await a.close();
      execFileSync('rm', ['-rf', dir]);
    }
  });
});
