// A GitHub REST double for the endpoints the backup engine uses, backed by a real bare git
// repository driven with git plumbing: object ids are git's, fast-forward checks are
// `git merge-base --is-ancestor`, ref updates are compare-and-swap `git update-ref`.
// Status codes, messages and shapes follow /work/shared/reference/github-api.md and the
// official OpenAPI description (@octokit/openapi); where GitHub's exact wording is not
// documented the choice is marked "guess" below.

import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { startSimServer, SlidingWindow } from './lib/http-kit.mjs';
import { createGitRepo, initBareRepo, isOid, ZERO_OID, isoToGitDate } from './lib/git.mjs';

const DOCS = 'https://docs.github.com/rest';
const DOC = {
  branch: '/branches/branches#get-a-branch',
  getRef: '/git/refs#get-a-reference',
  listRefs: '/git/refs#list-matching-references',
  createRef: '/git/refs#create-a-reference',
  updateRef: '/git/refs#update-a-reference',
  deleteRef: '/git/refs#delete-a-reference',
  getCommit: '/git/commits#get-a-commit-object',
  createCommit: '/git/commits#create-a-commit',
  getTree: '/git/trees#get-a-tree',
  createTree: '/git/trees#create-a-tree',
  getBlob: '/git/blobs#get-a-blob',
  createBlob: '/git/blobs#create-a-blob',
  getContent: '/repos/contents#get-repository-content',
  putContent: '/repos/contents#create-or-update-file-contents',
  deleteContent: '/repos/contents#delete-a-file',
  rateLimit: '/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user',
  root: '',
};
const RATE_LIMIT_DOC = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const SECONDARY_DOC = 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

const UNSIGNED = Object.freeze({ verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null });
const BLOB_MODES = new Set(['100644', '100755', '120000']);
const TREE_MODE = '040000';
const GITLINK_MODE = '160000';
const CONTENTS_JSON_LIMIT = 1024 * 1024; // files above 1 MB come back with content "" and encoding "none"
const SUPPORTED_API_VERSIONS = new Set(['2022-11-28', '2026-03-10']);
const INITIAL_README = '# Make scenarios backup\n';
// Fixed identity and date for the initial commit, so a fresh double always has the same root id.
const INITIAL_AUTHOR = { name: 'Repository Owner', email: 'owner@example.com', date: '2026-01-01T00:00:00Z' };
const HUMAN_AUTHOR = { name: 'Hanna Human', email: 'hanna.human@example.com' };

/** Ruby's Base64.encode64, which GitHub uses: lines of 60 chars, each ending in "\n". */
export function githubBase64(bytes) {
  const plain = Buffer.from(bytes).toString('base64');
  let out = '';
  for (let i = 0; i < plain.length; i += 60) out += `${plain.slice(i, i + 60)}\n`;
  return out;
}

function nodeId(text) {
  return Buffer.from(text, 'utf8').toString('base64');
}

function errorReply(status, message, docPath = DOC.root, extra = {}) {
  return { status, body: { message, documentation_url: `${DOCS}${docPath}`, status: String(status), ...extra } };
}

/** GitHub's schema-validation wording for a missing field: `Invalid request.\n\n"sha" wasn't supplied.` */
function notSupplied(field, docPath) {
  return errorReply(422, `Invalid request.\n\n"${field}" wasn't supplied.`, docPath);
}

function validPath(filePath) {
  if (typeof filePath !== 'string' || filePath === '') return false;
  return filePath.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && segment.toLowerCase() !== '.git' && !segment.includes('\0'));
}

function decodeSegment(raw) {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

function strictBase64(text) {
  const compact = String(text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  return Buffer.from(compact, 'base64');
}

/**
 * Start the double.
 * @param {object} [opts]
 * @param {string} [opts.owner='acme']
 * @param {string} [opts.repo='make-backup']
 * @param {string} [opts.branch='main']            default branch
 * @param {string|null} [opts.token='ghp_testtoken'] null = accept any (or no) credential
 * @param {boolean} [opts.empty=false]             start with no commits (only applies to a new repository)
 * @param {string} [opts.dir]                      bare repository path; created if missing and kept on close.
 *                                                  Default: a temp dir removed on close.
 * @param {number} [opts.port=0]
 * @param {number} [opts.writesPerMinute]          secondary limit on content-creating requests (POST/PATCH/PUT/DELETE)
 * @param {number} [opts.secondaryLimitPerMinute]  secondary limit in points per minute (GET 1, writes 5)
 * @param {number} [opts.rateLimit=5000]           primary budget per hour
 * @param {() => number} [opts.clock]              epoch ms, for rate-limit windows and default commit dates
 * @param {string} [opts.gitBinary='git']
 */
export async function startGithubDouble(opts = {}) {
  const {
    owner = 'acme',
    repo: repoName = 'make-backup',
    branch: defaultBranch = 'main',
    token = 'ghp_testtoken',
    empty = false,
    dir,
    port = 0,
    writesPerMinute,
    secondaryLimitPerMinute,
    rateLimit = 5000,
    clock = () => Date.now(),
    gitBinary = 'git',
  } = opts;
  const user = { login: 'make-backup-bot', id: 90000001 };
  const userIdentity = { name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com` };
  const repoId = 700000001;

  // --- the repository -------------------------------------------------------------------
  let gitDir;
  let removeOnClose = false;
  if (dir) {
    gitDir = path.resolve(dir);
  } else {
    gitDir = await mkdtemp(path.join(os.tmpdir(), 'github-double-'));
    removeOnClose = true;
  }
  const git = createGitRepo(gitDir, { gitBinary });
  const existed = await isExistingRepo(gitDir);
  if (!existed) {
    await initBareRepo(gitDir, defaultBranch, { gitBinary });
    if (!empty) {
      const blob = await git.writeBlob(Buffer.from(INITIAL_README, 'utf8'));
      const tree = await git.buildTree(null, [{ path: 'README.md', mode: '100644', sha: blob }]);
      const commit = await git.writeCommit({ tree, parents: [], author: INITIAL_AUTHOR, committer: INITIAL_AUTHOR, message: 'Initial commit' });
      await git.compareAndSwapRef(`refs/heads/${defaultBranch}`, commit, ZERO_OID);
    }
  }

  // --- rate limits -----------------------------------------------------------------------
  const primary = { used: 0, resetAt: 0 };
  const anonymous = { used: 0, resetAt: 0 };
  const writeWindow = new SlidingWindow(60_000);
  const pointWindow = new SlidingWindow(60_000);
  const startHex = Math.floor(clock() / 1000).toString(16).toUpperCase();
  // GitHub-like "XXXX:XXXX:XXXX:XXXX:XXXX" request id, from the server's request sequence number.
  const requestIdOf = (ctx) => {
    const hex = ctx.seq.toString(16).toUpperCase();
    return `51A0:${hex.padStart(5, '0')}:${hex.padStart(6, '0')}:${hex.padStart(7, '0')}:${startHex}`;
  };

  function budgetFor(authenticated) {
    const budget = authenticated ? primary : anonymous;
    const now = clock();
    if (now >= budget.resetAt) {
      budget.used = 0;
      budget.resetAt = now + 3_600_000;
    }
    return { budget, limit: authenticated ? rateLimit : 60 };
  }

  function rateHeaders(ctx) {
    const { budget, limit } = budgetFor(ctx.authenticated !== false);
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - budget.used)),
      'x-ratelimit-used': String(budget.used),
      'x-ratelimit-reset': String(Math.floor(budget.resetAt / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }

  // --- URLs ------------------------------------------------------------------------------
  let origin = '';
  const api = (suffix) => `${origin}/repos/${owner}/${repoName}${suffix}`;
  const html = (suffix) => `${origin}/${owner}/${repoName}${suffix}`;
  const encodePath = (filePath) => filePath.split('/').map(encodeURIComponent).join('/');

  // --- renderers -------------------------------------------------------------------------
  const who = (ident) => ({ name: ident.name, email: ident.email, date: ident.date });

  function renderGitCommit(commit) {
    return {
      sha: commit.sha,
      node_id: nodeId(`06:Commit${repoId}:${commit.sha}`),
      url: api(`/git/commits/${commit.sha}`),
      html_url: html(`/commit/${commit.sha}`),
      author: who(commit.author),
      committer: who(commit.committer),
      tree: { sha: commit.tree, url: api(`/git/trees/${commit.tree}`) },
      message: commit.message,
      parents: commit.parents.map((sha) => ({ sha, url: api(`/git/commits/${sha}`), html_url: html(`/commit/${sha}`) })),
      verification: { ...UNSIGNED },
    };
  }

  // The "Commit" shape of GET /branches (repos API), not the Git Data one.
  function renderRepoCommit(commit) {
    return {
      sha: commit.sha,
      node_id: nodeId(`06:Commit${repoId}:${commit.sha}`),
      commit: {
        author: who(commit.author),
        committer: who(commit.committer),
        message: commit.message,
        tree: { sha: commit.tree, url: api(`/git/trees/${commit.tree}`) },
        url: api(`/git/commits/${commit.sha}`),
        comment_count: 0,
        verification: { ...UNSIGNED },
      },
      url: api(`/commits/${commit.sha}`),
      html_url: html(`/commit/${commit.sha}`),
      comments_url: api(`/commits/${commit.sha}/comments`),
      // null: commit e-mails are not GitHub accounts here
      author: null,
      committer: null,
      parents: commit.parents.map((sha) => ({ sha, url: api(`/commits/${sha}`), html_url: html(`/commit/${sha}`) })),
    };
  }

  function renderRef(ref, sha, type = 'commit') {
    return {
      ref,
      node_id: nodeId(`03:Ref${ref}`),
      url: api(`/git/${ref}`),
      object: { type, sha, url: api(`/git/${type}s/${sha}`) },
    };
  }

  function renderTreeEntry(entry) {
    const out = { path: entry.path, mode: entry.mode, type: entry.type, sha: entry.sha };
    if (entry.type === 'blob') out.size = entry.size;
    if (entry.type === 'blob') out.url = api(`/git/blobs/${entry.sha}`);
    else if (entry.type === 'tree') out.url = api(`/git/trees/${entry.sha}`);
    return out;
  }

  function contentLinks(filePath, sha, ref, type) {
    const self = api(`/contents/${encodePath(filePath)}?ref=${encodeURIComponent(ref)}`);
    const gitUrl = type === 'dir' ? api(`/git/trees/${sha}`) : api(`/git/blobs/${sha}`);
    const htmlUrl = html(`/${type === 'dir' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${encodePath(filePath)}`);
    return { url: self, git_url: gitUrl, html_url: htmlUrl, download_url: type === 'dir' ? null : `${origin}/_raw/${owner}/${repoName}/${encodeURIComponent(ref)}/${encodePath(filePath)}` };
  }

  function renderContentSummary(entry, ref) {
    const type = entry.type === 'tree' ? 'dir' : entry.type === 'commit' ? 'submodule' : entry.mode === '120000' ? 'symlink' : 'file';
    const links = contentLinks(entry.path, entry.sha, ref, type);
    return {
      name: path.posix.basename(entry.path),
      path: entry.path,
      sha: entry.sha,
      size: entry.type === 'blob' ? entry.size : 0,
      ...links,
      type,
      _links: { self: links.url, git: links.git_url, html: links.html_url },
    };
  }

  // --- shared state helpers ----------------------------------------------------------------
  async function isEmptyRepo() {
    return !(await git.hasCommits());
  }

  async function headBranch() {
    const ref = await git.headRef();
    return ref ? ref.replace(/^refs\/heads\//, '') : defaultBranch;
  }

  function emptyRepoConflict(docPath) {
    return errorReply(409, 'Git Repository is empty.', docPath);
  }

  function parseJsonBody(ctx, docPath) {
    if (ctx.bodyText.trim() === '') return {};
    try {
      const value = JSON.parse(ctx.bodyText);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errorReply(400, 'Problems parsing JSON', docPath);
      return value;
    } catch (err) {
      if (err?.status) throw err;
      throw errorReply(400, 'Problems parsing JSON', docPath);
    }
  }

  /** Validates {name, email, date?}; returns a full identity or throws a 422. */
  function identity(value, fallback, docPath) {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'object') throw errorReply(422, 'Invalid request.\n\nFor \'properties/author\', "" is not an object.', docPath); // guess
    if (typeof value.name !== 'string') throw notSupplied('name', docPath);
    if (typeof value.email !== 'string') throw notSupplied('email', docPath);
    let date = fallback.date;
    if (value.date !== undefined) {
      if (isoToGitDate(value.date) === null) throw errorReply(422, `Invalid request.\n\n${JSON.stringify(String(value.date))} is not a valid date-time.`, docPath); // guess
      date = value.date;
    }
    return { name: value.name, email: value.email, date };
  }

  function nowIso() {
    return new Date(clock()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Commit a change to a branch as a second writer would (a person in the web UI). */
  async function commitAsHuman({ path: filePath = 'NOTES.md', content, message = 'Human edit', branch = defaultBranch } = {}) {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const ref = `refs/heads/${branch}`;
      const head = await git.readRef(ref);
      let text = content;
      if (text === undefined) {
        const previous = head ? await git.entryAt(head, filePath) : null;
        const before = previous && previous.type === 'blob' ? (await git.readBlob(previous.sha)).toString('utf8') : '';
        text = `${before}human edit\n`;
      }
      const blob = await git.writeBlob(Buffer.from(text, 'utf8'));
      const baseTree = head ? await git.resolveTree(head) : null;
      const tree = await git.buildTree(baseTree, [{ path: filePath, mode: '100644', sha: blob }]);
      const author = { ...HUMAN_AUTHOR, date: nowIso() };
      const sha = await git.writeCommit({ tree, parents: head ? [head] : [], author, committer: author, message });
      const swap = await git.compareAndSwapRef(ref, sha, head ?? ZERO_OID);
      if (swap.ok) {
        if (!head && (await git.listRefs('refs/heads/')).length === 1) await git.setHead(ref);
        return { sha, branch, path: filePath };
      }
    }
    throw new Error('commitAsHuman: the branch kept moving');
  }

  // --- handlers --------------------------------------------------------------------------
  async function getBranch(ctx, branchName) {
    const sha = (await git.readRef(`refs/heads/${branchName}`)) ?? null;
    if (!sha) return errorReply(404, 'Branch not found', DOC.branch);
    const commit = await git.readCommit(sha);
    return {
      status: 200,
      body: {
        name: branchName,
        commit: renderRepoCommit(commit),
        _links: { self: api(`/branches/${encodeURIComponent(branchName)}`), html: html(`/tree/${branchName}`) },
        protected: false,
        protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
        protection_url: api(`/branches/${encodeURIComponent(branchName)}/protection`),
      },
    };
  }

  async function getRef(ctx, refPath) {
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.getRef);
    const ref = `refs/${refPath.replace(/^refs\//, '')}`;
    const sha = await git.readRef(ref);
    if (!sha || !refPath) return errorReply(404, 'Not Found', DOC.getRef);
    return { status: 200, body: renderRef(ref, sha, await git.objectType(sha)) };
  }

  async function refsUnder(prefix) {
    const wanted = `refs/${prefix.replace(/^refs\//, '')}`;
    const refs = (await git.listRefs('refs/')).filter((entry) => entry.ref.startsWith(wanted));
    const types = await git.objectTypes(refs.map((entry) => entry.sha));
    return refs.map((entry) => renderRef(entry.ref, entry.sha, types.get(entry.sha)));
  }

  // Legacy GET /git/refs/{prefix}: the exact ref as an object, else an array of refs under the prefix.
  async function listRefsLegacy(ctx, prefix) {
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.listRefs);
    const matches = await refsUnder(prefix);
    const exact = matches.find((ref) => ref.ref === `refs/${prefix.replace(/^refs\//, '')}`);
    if (exact) return { status: 200, body: exact };
    if (!matches.length) return errorReply(404, 'Not Found', DOC.listRefs);
    return { status: 200, body: matches };
  }

  // GET /git/matching-refs/{prefix}: always an array, empty when nothing matches.
  async function listMatchingRefs(ctx, prefix) {
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.listRefs);
    return { status: 200, body: await refsUnder(prefix) };
  }

  async function getCommit(ctx, sha) {
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.getCommit);
    if (!isOid(sha) || (await git.objectType(sha)) !== 'commit') return errorReply(404, 'Not Found', DOC.getCommit);
    return { status: 200, body: renderGitCommit(await git.readCommit(sha)) };
  }

  async function getTree(ctx, treeish) {
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.getTree);
    // Only ids and plain ref names: never let a client pass git revision syntax.
    if (!/^[A-Za-z0-9._\/-]+$/.test(treeish) || treeish.includes('..')) return errorReply(404, 'Not Found', DOC.getTree);
    const treeSha = await git.resolveTree(isOid(treeish) ? treeish : `refs/heads/${treeish}`) ?? (isOid(treeish) ? null : await git.resolveTree(`refs/tags/${treeish}`));
    if (!treeSha) return errorReply(404, 'Not Found', DOC.getTree);
    // GitHub: any value of `recursive` (even 0 or "false") turns recursion on.
    const recursive = ctx.query.has('recursive');
    const entries = await git.listTree(treeSha, { recursive });
    return { status: 200, body: { sha: treeSha, url: api(`/git/trees/${treeSha}`), tree: entries.map(renderTreeEntry), truncated: false } };
  }

  async function getBlob(ctx, sha) {
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.getBlob);
    const type = isOid(sha) ? await git.objectType(sha) : 'missing';
    if (type === 'missing') return errorReply(404, 'Not Found', DOC.getBlob);
    if (type !== 'blob') return errorReply(422, 'Invalid object requested. SHA must identify a blob.', DOC.getBlob); // guess
    const bytes = await git.readBlob(sha);
    if (wantsRaw(ctx)) return { status: 200, headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' }, body: bytes };
    return {
      status: 200,
      body: { sha, node_id: nodeId(`04:Blob${repoId}:${sha}`), size: bytes.length, url: api(`/git/blobs/${sha}`), content: githubBase64(bytes), encoding: 'base64' },
    };
  }

  async function createBlob(ctx) {
    const body = parseJsonBody(ctx, DOC.createBlob);
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.createBlob);
    if (typeof body.content !== 'string') return notSupplied('content', DOC.createBlob);
    const encoding = body.encoding ?? 'utf-8';
    let bytes;
    if (encoding === 'utf-8' || encoding === 'utf8') bytes = Buffer.from(body.content, 'utf8');
    else if (encoding === 'base64') {
      bytes = strictBase64(body.content);
      if (!bytes) return errorReply(422, 'content is not valid Base64', DOC.createBlob); // guess
    } else {
      return errorReply(422, `encoding must be "utf-8" or "base64"`, DOC.createBlob); // guess
    }
    const sha = await git.writeBlob(bytes);
    return { status: 201, headers: { location: api(`/git/blobs/${sha}`) }, body: { sha, url: api(`/git/blobs/${sha}`) } };
  }

  async function createTree(ctx) {
    const body = parseJsonBody(ctx, DOC.createTree);
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.createTree);
    if (!Array.isArray(body.tree)) return notSupplied('tree', DOC.createTree);
    let baseTree = null;
    if (body.base_tree !== undefined && body.base_tree !== null) {
      if (!isOid(body.base_tree) || (await git.objectType(body.base_tree)) !== 'tree') {
        return errorReply(422, 'base_tree is not a valid tree oid', DOC.createTree);
      }
      baseTree = body.base_tree;
    }
    const baseEntries = baseTree ? await git.listTree(baseTree, { recursive: true }) : [];
    const basePaths = new Set(baseEntries.map((entry) => entry.path));

    // Validate every entry first (one bad entry rejects the whole request).
    const edits = [];
    const referenced = [];
    for (const item of body.tree) {
      if (item === null || typeof item !== 'object') return errorReply(422, 'Invalid tree info', DOC.createTree); // guess
      if (!validPath(item.path)) return errorReply(422, 'tree.path contains a malformed path component', DOC.createTree);
      const mode = String(item.mode ?? '');
      const expectedType = BLOB_MODES.has(mode) ? 'blob' : mode === TREE_MODE ? 'tree' : mode === GITLINK_MODE ? 'commit' : null;
      if (!expectedType) {
        return errorReply(422, `Invalid request.\n\nFor 'properties/mode', ${JSON.stringify(mode)} is not one of ["100644", "100755", "040000", "160000", "120000"].`, DOC.createTree); // guess
      }
      const type = item.type ?? expectedType;
      if (type !== expectedType) return errorReply(422, `Invalid request.\n\ntree.type ${JSON.stringify(type)} does not match mode ${mode}.`, DOC.createTree); // guess
      const hasSha = Object.prototype.hasOwnProperty.call(item, 'sha');
      const hasContent = item.content !== undefined;
      if (hasSha === hasContent) {
        return errorReply(422, 'Must supply either tree.sha or tree.content. Request will be rejected if both are present.', DOC.createTree);
      }
      if (hasSha && item.sha === null) {
        // Deleting a path the base does not have is an error on GitHub (git would ignore it).
        if (!basePaths.has(item.path)) return errorReply(422, 'GitRPC::BadObjectState', DOC.createTree);
        edits.push({ path: item.path, remove: true });
      } else if (hasSha) {
        if (!isOid(item.sha)) return errorReply(422, `tree.sha ${item.sha} is not a valid ${type}`, DOC.createTree); // guess
        // A submodule (gitlink) points at a commit of another repository: it need not exist here.
        if (type !== 'commit') referenced.push({ sha: item.sha, type });
        edits.push({ path: item.path, mode, sha: item.sha });
      } else {
        if (typeof item.content !== 'string' || type !== 'blob') return errorReply(422, 'Invalid tree info', DOC.createTree); // guess
        edits.push({ path: item.path, mode, content: item.content });
      }
    }
    const types = await git.objectTypes(referenced.map((entry) => entry.sha));
    for (const entry of referenced) {
      if (types.get(entry.sha) !== entry.type) return errorReply(422, `tree.sha ${entry.sha} is not a valid ${entry.type}`, DOC.createTree); // guess
    }
    // Inline content is text: stored as the UTF-8 bytes of the JSON string.
    for (const edit of edits) {
      if (edit.content !== undefined) {
        edit.sha = await git.writeBlob(Buffer.from(edit.content, 'utf8'));
        delete edit.content;
      }
    }
    const sha = await git.buildTree(baseTree, edits, { baseEntries });
    const entries = await git.listTree(sha);
    return { status: 201, headers: { location: api(`/git/trees/${sha}`) }, body: { sha, url: api(`/git/trees/${sha}`), tree: entries.map(renderTreeEntry), truncated: false } };
  }

  async function createCommit(ctx) {
    const body = parseJsonBody(ctx, DOC.createCommit);
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.createCommit);
    if (typeof body.message !== 'string') return notSupplied('message', DOC.createCommit);
    if (typeof body.tree !== 'string') return notSupplied('tree', DOC.createCommit);
    if (!isOid(body.tree) || (await git.objectType(body.tree)) !== 'tree') return errorReply(422, 'Tree SHA does not exist', DOC.createCommit);
    const parents = body.parents ?? [];
    if (!Array.isArray(parents)) return errorReply(422, 'Invalid request.\n\nFor \'properties/parents\', is not an array.', DOC.createCommit); // guess
    const parentTypes = await git.objectTypes(parents.filter(isOid));
    for (const parent of parents) {
      if (!isOid(parent) || parentTypes.get(parent) !== 'commit') return errorReply(422, 'Parent SHA does not exist or is not a commit object', DOC.createCommit);
    }
    const now = nowIso();
    const author = identity(body.author, { ...userIdentity, date: now }, DOC.createCommit);
    // GitHub: an omitted committer is filled in from the author.
    const committer = identity(body.committer, author, DOC.createCommit);
    const sha = await git.writeCommit({ tree: body.tree, parents, author, committer, message: body.message });
    return { status: 201, headers: { location: api(`/git/commits/${sha}`) }, body: renderGitCommit(await git.readCommit(sha)) };
  }

  async function updateRef(ctx, refPath) {
    const body = parseJsonBody(ctx, DOC.updateRef);
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.updateRef);
    if (typeof body.sha !== 'string') return notSupplied('sha', DOC.updateRef);
    const ref = `refs/${refPath.replace(/^refs\//, '')}`;
    const force = body.force === true;
    if (!isOid(body.sha) || (await git.objectType(body.sha)) === 'missing') return errorReply(422, 'Object does not exist', DOC.updateRef);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const current = await git.readRef(ref);
      if (!current) return errorReply(422, 'Reference does not exist', DOC.updateRef);
      if (!force && current !== body.sha) {
        const fastForward = (await git.objectType(body.sha)) === 'commit' && (await git.isAncestor(current, body.sha));
        if (!fastForward) return errorReply(422, 'Update is not a fast forward', DOC.updateRef);
      }
      if (ctx.rule?.action === 'raceBranch' && attempt === 0) await commitAsHuman({ branch: ref.replace(/^refs\/heads\//, '') });
      // Compare-and-swap: if another writer moved the ref since we read it, check again.
      const swap = await git.compareAndSwapRef(ref, body.sha, current);
      if (swap.ok) return { status: 200, body: renderRef(ref, body.sha, await git.objectType(body.sha)) };
    }
    return errorReply(409, 'Reference update failed', DOC.updateRef); // guess; only under heavy contention
  }

  async function createRef(ctx) {
    const body = parseJsonBody(ctx, DOC.createRef);
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.createRef);
    if (typeof body.ref !== 'string') return notSupplied('ref', DOC.createRef);
    if (typeof body.sha !== 'string') return notSupplied('sha', DOC.createRef);
    if (!/^refs\/[^/]+\/.+/.test(body.ref) || !validPath(body.ref) || /[\s~^:?*[\\]|@\{|\.lock(\/|$)/.test(body.ref)) {
      return errorReply(422, "Reference name must start with 'refs/' and have at least two slashes.", DOC.createRef); // guess
    }
    if (!isOid(body.sha) || (await git.objectType(body.sha)) === 'missing') return errorReply(422, 'Object does not exist', DOC.createRef);
    const swap = await git.compareAndSwapRef(body.ref, body.sha, ZERO_OID);
    if (!swap.ok) return errorReply(422, 'Reference already exists', DOC.createRef);
    return { status: 201, headers: { location: api(`/git/${body.ref}`) }, body: renderRef(body.ref, body.sha, await git.objectType(body.sha)) };
  }

  async function deleteRef(ctx, refPath) {
    if (await isEmptyRepo()) return emptyRepoConflict(DOC.deleteRef);
    const ref = `refs/${refPath.replace(/^refs\//, '')}`;
    const current = await git.readRef(ref);
    if (!current || !(await git.deleteRef(ref, current))) return errorReply(422, 'Reference does not exist', DOC.deleteRef);
    return { status: 204 };
  }

  function wantsRaw(ctx) {
    return /application\/vnd\.github(\.v3)?\.raw/.test(String(ctx.headers.accept ?? ''));
  }

  async function getContent(ctx, filePath) {
    if (await isEmptyRepo()) return errorReply(404, 'This repository is empty.', DOC.getContent);
    const ref = ctx.query.get('ref') || (await headBranch());
    const commit = isOid(ref) ? await git.resolveCommit(ref) : (await git.resolveCommit(`refs/heads/${ref}`)) ?? (await git.resolveCommit(`refs/tags/${ref}`));
    if (!commit || !/^[A-Za-z0-9._\/-]+$/.test(ref)) return errorReply(404, `No commit found for the ref ${ref}`, DOC.getContent);
    const cleanPath = filePath.replace(/^\/+|\/+$/g, '');
    if (cleanPath === '') {
      const entries = await git.listTree(commit);
      return { status: 200, body: entries.map((entry) => renderContentSummary(entry, ref)) };
    }
    const entry = await git.entryAt(commit, cleanPath);
    if (!entry) return errorReply(404, 'Not Found', DOC.getContent);
    if (entry.type === 'tree') {
      const entries = await git.listTree(commit, { pathspec: `${cleanPath}/` });
      return { status: 200, body: entries.map((child) => renderContentSummary(child, ref)) };
    }
    const summary = renderContentSummary(entry, ref);
    if (entry.type !== 'blob') return { status: 200, body: { ...summary, submodule_git_url: '' } };
    const bytes = await git.readBlob(entry.sha);
    if (wantsRaw(ctx)) return { status: 200, headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' }, body: bytes };
    const tooLarge = bytes.length > CONTENTS_JSON_LIMIT;
    const { name, path: p, sha, size, url, git_url: gitUrl, html_url: htmlUrl, download_url: downloadUrl, _links } = summary;
    return {
      status: 200,
      body: {
        type: summary.type,
        encoding: tooLarge ? 'none' : 'base64',
        size,
        name,
        path: p,
        content: tooLarge ? '' : githubBase64(bytes),
        sha,
        url,
        git_url: gitUrl,
        html_url: htmlUrl,
        download_url: downloadUrl,
        _links,
      },
    };
  }

  /** Shared by PUT and DELETE contents: one commit on `branch` changing one path, CAS on the ref. */
  async function writeOneFile(ctx, filePath, { remove, docPath }) {
    const body = parseJsonBody(ctx, docPath);
    if (typeof body.message !== 'string') return notSupplied('message', docPath);
    let bytes = null;
    if (!remove) {
      if (typeof body.content !== 'string') return notSupplied('content', docPath);
      bytes = strictBase64(body.content);
      if (!bytes) return errorReply(422, 'content is not valid Base64', docPath); // guess
    }
    if (!validPath(filePath)) return errorReply(422, 'path contains a malformed path component', docPath); // guess
    const now = nowIso();
    const committer = identity(body.committer, { ...userIdentity, date: now }, docPath);
    const author = identity(body.author, committer, docPath);

    const emptyRepo = await isEmptyRepo();
    const branchName = body.branch ?? (await headBranch());
    const ref = `refs/heads/${branchName}`;
    const head = await git.readRef(ref);
    if (!head && (!emptyRepo || remove)) {
      // Branch checked before the sha (a wrong sha on a missing branch is still a 404).
      return emptyRepo ? errorReply(404, 'This repository is empty.', docPath) : errorReply(404, `Branch ${branchName} not found`, docPath);
    }
    const existing = head ? await git.entryAt(head, filePath) : null;
    if (existing && existing.type !== 'blob') return errorReply(422, `Invalid request.\n\n${filePath} is a directory.`, docPath); // guess
    if (remove && !existing) return errorReply(404, 'Not Found', docPath);
    if (existing) {
      if (body.sha === undefined || body.sha === null) return notSupplied('sha', docPath);
      if (body.sha !== existing.sha) return errorReply(409, `${filePath} does not match ${body.sha}`, docPath);
    }
    // (A sha sent for a path that does not exist yet is ignored, like GitHub.)

    const baseTree = head ? await git.resolveTree(head) : null;
    let blobSha = null;
    let edit;
    if (remove) {
      edit = { path: filePath, remove: true };
    } else {
      blobSha = await git.writeBlob(bytes);
      edit = { path: filePath, mode: existing?.mode ?? '100644', sha: blobSha };
    }
    const tree = await git.buildTree(baseTree, [edit]);
    const commitSha = await git.writeCommit({ tree, parents: head ? [head] : [], author, committer, message: body.message });
    if (ctx.rule?.action === 'raceBranch') await commitAsHuman({ branch: branchName });
    const swap = await git.compareAndSwapRef(ref, commitSha, head ?? ZERO_OID);
    if (!swap.ok) return errorReply(409, swap.message, docPath);
    if (emptyRepo) await git.setHead(ref); // the first branch of an empty repository becomes its default

    const commit = renderGitCommit(await git.readCommit(commitSha));
    const fileCommit = {
      content: remove ? null : renderContentSummary({ path: filePath, type: 'blob', mode: edit.mode, sha: blobSha, size: bytes.length }, branchName),
      commit: {
        sha: commit.sha,
        node_id: commit.node_id,
        url: commit.url,
        html_url: commit.html_url,
        author: commit.author,
        committer: commit.committer,
        tree: commit.tree,
        message: commit.message,
        parents: commit.parents,
        verification: commit.verification,
      },
    };
    return { status: remove || existing ? 200 : 201, body: fileCommit };
  }

  async function getRateLimit() {
    const { budget, limit } = budgetFor(true);
    const core = { limit, used: budget.used, remaining: Math.max(0, limit - budget.used), reset: Math.floor(budget.resetAt / 1000) };
    return { status: 200, body: { resources: { core }, rate: core } };
  }

  // --- routing -----------------------------------------------------------------------------
  const repoRoutes = [
    ['GET', /^\/branches\/(.+)$/, getBranch],
    ['GET', /^\/git\/ref\/(.+)$/, getRef],
    ['GET', /^\/git\/refs(?:\/(.*))?$/, (ctx, prefix) => listRefsLegacy(ctx, prefix ?? '')],
    ['GET', /^\/git\/matching-refs\/(.*)$/, listMatchingRefs],
    ['POST', /^\/git\/refs\/?$/, createRef],
    ['PATCH', /^\/git\/refs\/(.+)$/, updateRef],
    ['DELETE', /^\/git\/refs\/(.+)$/, deleteRef],
    ['GET', /^\/git\/commits\/([^/]+)$/, getCommit],
    ['POST', /^\/git\/commits\/?$/, createCommit],
    ['GET', /^\/git\/trees\/(.+)$/, getTree],
    ['POST', /^\/git\/trees\/?$/, createTree],
    ['GET', /^\/git\/blobs\/([^/]+)$/, getBlob],
    ['POST', /^\/git\/blobs\/?$/, createBlob],
    ['GET', /^\/contents(?:\/(.*))?$/, (ctx, filePath) => getContent(ctx, filePath ?? '')],
    ['PUT', /^\/contents\/(.+)$/, (ctx, filePath) => writeOneFile(ctx, filePath, { remove: false, docPath: DOC.putContent })],
    ['DELETE', /^\/contents\/(.+)$/, (ctx, filePath) => writeOneFile(ctx, filePath, { remove: true, docPath: DOC.deleteContent })],
  ];

  function credentialOf(headers) {
    const header = headers.authorization;
    if (!header) return null;
    const match = /^(?:bearer|token)\s+(.+)$/i.exec(String(header).trim());
    return match ? match[1] : '';
  }

  async function handle(ctx) {
    // Requests without a User-Agent are refused by GitHub (not JSON).
    if (!ctx.headers['user-agent']) {
      ctx.authenticated = false;
      return { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n' };
    }
    const version = ctx.headers['x-github-api-version'];
    if (version !== undefined && !SUPPORTED_API_VERSIONS.has(version)) {
      return errorReply(400, `Invalid 'X-GitHub-Api-Version' header: ${version}`, '/about-the-rest-api/api-versions'); // guess
    }

    const credential = credentialOf(ctx.headers);
    const authenticated = token === null ? true : credential === token;
    ctx.authenticated = authenticated;
    if (token !== null && credential !== null && credential !== token) {
      return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
    }

    // Primary budget (per hour) and secondary limits (per minute).
    const { budget, limit } = budgetFor(authenticated);
    if (budget.used >= limit) {
      const subject = authenticated ? `user ID ${user.id}` : '127.0.0.1';
      return { status: 403, body: { message: `API rate limit exceeded for ${subject}.`, documentation_url: RATE_LIMIT_DOC, status: '403' } };
    }
    const now = clock();
    const isWrite = ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.method !== 'OPTIONS';
    const points = isWrite ? 5 : 1;
    const overWrites = isWrite && writesPerMinute !== undefined && writeWindow.count(now) >= writesPerMinute;
    const overPoints = secondaryLimitPerMinute !== undefined && pointWindow.count(now) + points > secondaryLimitPerMinute;
    if (overWrites || overPoints) {
      const waitMs = overWrites ? writeWindow.retryAfterMs(now) : pointWindow.retryAfterMs(now);
      budget.used += 1;
      return {
        status: 403,
        headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
        body: {
          message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestIdOf(ctx)}.`,
          documentation_url: SECONDARY_DOC,
          status: '403',
        },
      };
    }
    budget.used += 1;
    if (isWrite) writeWindow.add(now);
    for (let i = 0; i < points; i += 1) pointWindow.add(now);

    if (ctx.method === 'GET' && ctx.pathname === '/rate_limit') return getRateLimit();

    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(ctx.pathname);
    if (!match) return errorReply(404, 'Not Found', DOC.root);
    // A private repository: without valid credentials it does not exist.
    const sameRepo = decodeSegment(match[1])?.toLowerCase() === owner.toLowerCase() && decodeSegment(match[2])?.toLowerCase() === repoName.toLowerCase();
    if (!authenticated || !sameRepo) return errorReply(404, 'Not Found', DOC.root);
    const rest = match[3] ?? '';
    for (const [method, pattern, handler] of repoRoutes) {
      const found = pattern.exec(rest);
      if (!found || method !== ctx.method) continue;
      const args = found.slice(1).map((raw) => (raw === undefined ? undefined : decodeSegment(raw)));
      if (args.some((arg) => arg === null)) return errorReply(404, 'Not Found', DOC.root);
      return handler(ctx, ...args);
    }
    return errorReply(404, 'Not Found', DOC.root);
  }

  async function beforeHandle(ctx) {
    if (ctx.rule.action === 'moveBranch') {
      const file = ctx.rule.file ?? {};
      await commitAsHuman({ path: file.path ?? 'NOTES.md', content: file.content, message: file.message ?? 'Human edit', branch: file.branch ?? defaultBranch });
    }
  }

  function decorate(reply, ctx) {
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      ...rateHeaders(ctx),
      'x-github-request-id': requestIdOf(ctx),
      'x-github-api-version-selected': ctx.headers['x-github-api-version'] ?? '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      ...(reply.headers ?? {}),
    };
    return { ...reply, headers };
  }

  const server = await startSimServer({
    service: 'github',
    port,
    clock,
    actions: ['moveBranch', 'raceBranch'],
    handle: async (ctx) => handle(ctx),
    beforeHandle,
    decorate: (reply, ctx) => decorate(reply, ctx),
    internalError: (err) => errorReply(500, `Server Error: ${err.message}`),
    control: {
      'POST /_sim/commit-as-human': async ({ json }) => ({ status: 200, body: await commitAsHuman(json) }),
      'GET /_sim/state': async () => ({ status: 200, body: { gitDir, refs: await git.listRefs('refs/') } }),
    },
  });
  origin = server.origin;

  return {
    url: server.origin,
    port: server.port,
    gitDir,
    owner,
    repo: repoName,
    branch: defaultBranch,
    token,
    log: server.log,
    resetLog: server.resetLog,
    inject: server.inject,
    clearFaults: server.clearFaults,
    commitAsHuman,
    /** Current commit id of a branch (default: the default branch), or null. */
    headOf: (branchName = defaultBranch) => git.readRef(`refs/heads/${branchName}`),
    /** Bytes of a file at a branch head, or null. */
    async readFile(filePath, branchName = defaultBranch) {
      const head = await git.readRef(`refs/heads/${branchName}`);
      const entry = head ? await git.entryAt(head, filePath) : null;
      return entry && entry.type === 'blob' ? git.readBlob(entry.sha) : null;
    },
    git,
    async close() {
      await server.close();
      if (removeOnClose) await rm(gitDir, { recursive: true, force: true });
    },
  };
}

async function isExistingRepo(gitDir) {
  try {
    await stat(path.join(gitDir, 'HEAD'));
    await stat(path.join(gitDir, 'objects'));
    return true;
  } catch {
    try {
      const entries = await readdir(gitDir);
      if (entries.length) throw new Error(`${gitDir} exists, is not empty and is not a bare git repository`);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    return false;
  }
}
