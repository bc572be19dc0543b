// Thin async wrapper over git plumbing for one bare repository. Every call is a child
// process (spawn, no shell); object ids, fast-forward checks and compare-and-swap ref
// updates are git's own.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const ZERO_OID = '0000000000000000000000000000000000000000';
const OID_RE = /^[0-9a-f]{40}$/;

export class GitError extends Error {
  constructor(args, code, stderr) {
    super(`git ${args.join(' ')} exited ${code}: ${stderr.trim()}`);
    this.code = code;
    this.stderr = stderr;
  }
}

// Variables that would point git somewhere other than our bare repository.
const INHERITED_GIT_VARS = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE', 'GIT_CEILING_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'GIT_COMMITTER_DATE',
];

export function isOid(value) {
  return typeof value === 'string' && OID_RE.test(value);
}

/** Run git with an explicit GIT_DIR and no user/system config. Returns { code, stdout: Buffer, stderr }. */
export function runGit(gitDir, args, { input, env = {}, gitBinary = 'git' } = {}) {
  const childEnv = { ...process.env };
  for (const name of INHERITED_GIT_VARS) delete childEnv[name];
  Object.assign(childEnv, {
    GIT_DIR: gitDir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LITERAL_PATHSPECS: '1', // file names with * or ? are names, not patterns
    LC_ALL: 'C',
    ...env,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(gitBinary, args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {}); // git may exit before reading all input (EPIPE)
    child.stdin.end(input ?? '');
  });
}

/** Parse an ISO 8601 date ("2014-08-09T08:02:04+12:00", "…Z") into git's "<epoch> <±hhmm>". */
export function isoToGitDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(String(iso));
  if (!match) return null;
  const [, y, mo, d, h, mi, s, zone] = match;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const localMs = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (Number.isNaN(localMs)) return null;
  const epoch = Math.floor((localMs - offsetMinutes * 60000) / 1000);
  const abs = Math.abs(offsetMinutes);
  const tz = `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${epoch} ${tz}`;
}

/** git's "<epoch> <tz>" → the UTC form GitHub prints ("2014-11-07T22:01:45Z"). */
export function gitDateToIso(epochSeconds) {
  return new Date(Number(epochSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseIdent(line) {
  // "Name <email> 1407528124 +1200"
  const match = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!match) return null;
  return { name: match[1], email: match[2], date: gitDateToIso(match[3]), epoch: Number(match[3]), tz: match[4] };
}

// git refuses identities containing these; GitHub strips them too.
function cleanIdentPart(value) {
  return String(value).replace(/[<>\n\r\0]/g, '').trim();
}

export function createGitRepo(gitDir, { gitBinary = 'git' } = {}) {
  const git = async (args, options = {}) => {
    const result = await runGit(gitDir, args, { gitBinary, ...options });
    if (result.code !== 0) throw new GitError(args, result.code, result.stderr);
    return result;
  };
  const gitText = async (args, options) => (await git(args, options)).stdout.toString('utf8');
  const tryGit = (args, options = {}) => runGit(gitDir, args, { gitBinary, ...options });

  const repo = {
    gitDir,

    /** Commit id a ref or revision points at, or null. */
    async resolveCommit(rev) {
      const result = await tryGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
      return result.code === 0 ? result.stdout.toString('utf8').trim() : null;
    },

    /** Tree id of a tree-ish (tree, commit or ref), or null. */
    async resolveTree(rev) {
      const result = await tryGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{tree}`]);
      return result.code === 0 ? result.stdout.toString('utf8').trim() : null;
    },

    /** Current value of a full ref name (refs/heads/x), or null. */
    async readRef(ref) {
      const result = await tryGit(['rev-parse', '--verify', '--quiet', '--end-of-options', ref]);
      return result.code === 0 ? result.stdout.toString('utf8').trim() : null;
    },

    /** [{ ref, sha }] for refs under a prefix (e.g. "refs/heads/"). */
    async listRefs(prefix = 'refs/') {
      const text = await gitText(['for-each-ref', '--format=%(refname) %(objectname)', prefix]);
      return text.split('\n').filter(Boolean).map((line) => {
        const [ref, sha] = line.split(' ');
        return { ref, sha };
      });
    },

    async hasCommits() {
      return (await repo.listRefs('refs/')).length > 0;
    },

    /** Map oid → object type ('blob'|'tree'|'commit'|'tag') or 'missing', in one process. */
    async objectTypes(oids) {
      const unique = [...new Set(oids)];
      if (!unique.length) return new Map();
      const text = await gitText(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: unique.map((oid) => `${oid}\n`).join('') });
      const types = new Map();
      text.split('\n').filter(Boolean).forEach((line, index) => {
        const parts = line.split(' ');
        types.set(unique[index], parts[1] === 'missing' ? 'missing' : parts[1]);
      });
      return types;
    },

    async objectType(oid) {
      if (!isOid(oid)) return 'missing';
      return (await repo.objectTypes([oid])).get(oid);
    },

    async isAncestor(ancestor, descendant) {
      const result = await tryGit(['merge-base', '--is-ancestor', ancestor, descendant]);
      if (result.code === 0) return true;
      if (result.code === 1) return false;
      throw new GitError(['merge-base', '--is-ancestor', ancestor, descendant], result.code, result.stderr);
    },

    async writeBlob(bytes) {
      return (await gitText(['hash-object', '-w', '--stdin'], { input: bytes })).trim();
    },

    async readBlob(oid) {
      return (await git(['cat-file', 'blob', oid])).stdout;
    },

    async readCommit(oid) {
      const text = await gitText(['cat-file', 'commit', oid]);
      const split = text.indexOf('\n\n');
      const header = split === -1 ? text : text.slice(0, split);
      const message = split === -1 ? '' : text.slice(split + 2);
      const commit = { sha: oid, tree: null, parents: [], author: null, committer: null, message };
      for (const line of header.split('\n')) {
        const space = line.indexOf(' ');
        const key = line.slice(0, space);
        const value = line.slice(space + 1);
        if (key === 'tree') commit.tree = value;
        else if (key === 'parent') commit.parents.push(value);
        else if (key === 'author') commit.author = parseIdent(value);
        else if (key === 'committer') commit.committer = parseIdent(value);
      }
      return commit;
    },

    /**
     * Entries of a tree: [{ path, mode, type, sha, size? }]. Recursive listings include
     * sub-tree entries (like GitHub's). Trees carry no size.
     */
    async listTree(treeish, { recursive = false, pathspec } = {}) {
      const args = ['ls-tree', '-l', '-z', '--full-tree'];
      if (recursive) args.push('-r', '-t');
      args.push(treeish);
      if (pathspec !== undefined) args.push('--', pathspec);
      const text = await gitText(args);
      return text.split('\0').filter(Boolean).map((record) => {
        const tab = record.indexOf('\t');
        const [mode, type, sha, size] = record.slice(0, tab).split(/ +/);
        const entry = { path: record.slice(tab + 1), mode, type, sha };
        if (type === 'blob') entry.size = Number(size);
        return entry;
      });
    },

    /** The entry at exactly `filePath` in a commit/tree, or null. */
    async entryAt(treeish, filePath) {
      const entries = await repo.listTree(treeish, { pathspec: filePath });
      return entries.find((entry) => entry.path === filePath) ?? null;
    },

    /**
     * Build a tree from an optional base tree and edits, through a temporary index
     * (read-tree + update-index --index-info + write-tree). Edits:
     *   { path, mode, sha }            add/replace a blob (or gitlink with mode 160000)
     *   { path, mode:'040000', sha }   graft a whole tree at path
     *   { path, remove: true }         delete a file or a whole directory
     * The caller validates paths and existence; git silently ignores removing a missing path.
     */
    async buildTree(baseTree, edits, { baseEntries } = {}) {
      const indexFile = path.join(os.tmpdir(), `github-double-index-${process.pid}-${randomBytes(6).toString('hex')}`);
      const env = { GIT_INDEX_FILE: indexFile };
      try {
        await git(baseTree ? ['read-tree', baseTree] : ['read-tree', '--empty'], { env });
        const existing = baseEntries ?? (baseTree ? await repo.listTree(baseTree, { recursive: true }) : []);
        const files = existing.filter((entry) => entry.type !== 'tree').map((entry) => entry.path);
        const records = [];
        const grafts = [];
        const removeUnder = (prefix) => {
          for (const file of files) {
            if (file === prefix || file.startsWith(`${prefix}/`)) records.push(`0 ${ZERO_OID}\t${file}`);
          }
        };
        for (const edit of edits) {
          if (edit.remove) {
            removeUnder(edit.path);
          } else if (edit.mode === '040000') {
            removeUnder(edit.path);
            grafts.push(edit);
          } else {
            records.push(`${edit.mode} ${edit.sha}\t${edit.path}`);
          }
        }
        if (records.length) {
          await git(['update-index', '-z', '--index-info'], { env, input: records.map((record) => `${record}\0`).join('') });
        }
        for (const graft of grafts) {
          await git(['read-tree', `--prefix=${graft.path}/`, graft.sha], { env });
        }
        return (await gitText(['write-tree'], { env })).trim();
      } finally {
        await rm(indexFile, { force: true });
        await rm(`${indexFile}.lock`, { force: true });
      }
    },

    /**
     * Write a commit object with exact bytes (message verbatim, as GitHub stores it).
     * author/committer: { name, email, date (ISO 8601) }.
     */
    async writeCommit({ tree, parents = [], author, committer, message }) {
      const ident = (who) => `${cleanIdentPart(who.name)} <${cleanIdentPart(who.email)}> ${isoToGitDate(who.date)}`;
      const lines = [`tree ${tree}`, ...parents.map((parent) => `parent ${parent}`), `author ${ident(author)}`, `committer ${ident(committer)}`];
      const text = `${lines.join('\n')}\n\n${message}`;
      return (await gitText(['hash-object', '-t', 'commit', '-w', '--stdin'], { input: Buffer.from(text, 'utf8') })).trim();
    },

    /**
     * Compare-and-swap a ref: set `ref` to `newOid` only if it is currently `oldOid`
     * (ZERO_OID = must not exist yet). Returns { ok: true } or { ok: false, message }
     * with git's own wording, e.g. "is at X but expected Y".
     */
    async compareAndSwapRef(ref, newOid, oldOid) {
      const result = await tryGit(['update-ref', ref, newOid, oldOid]);
      if (result.code === 0) return { ok: true };
      const match = /cannot lock ref '[^']*': (.*)/.exec(result.stderr);
      return { ok: false, message: (match ? match[1] : result.stderr).trim() };
    },

    async deleteRef(ref, oldOid) {
      const result = await tryGit(['update-ref', '-d', ref, oldOid]);
      return result.code === 0;
    },

    async setHead(ref) {
      await git(['symbolic-ref', 'HEAD', ref]);
    },

    async headRef() {
      const result = await tryGit(['symbolic-ref', '-q', 'HEAD']);
      return result.code === 0 ? result.stdout.toString('utf8').trim() : null;
    },
  };
  return repo;
}

export async function initBareRepo(gitDir, branch, { gitBinary = 'git' } = {}) {
  const result = await runGit(gitDir, ['init', '--bare', '--quiet', `--initial-branch=${branch}`, gitDir], { gitBinary });
  if (result.code !== 0) throw new GitError(['init', '--bare', gitDir], result.code, result.stderr);
}
