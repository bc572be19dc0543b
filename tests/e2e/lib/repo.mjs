// Reads the GitHub double's bare repository with plain git.
import { runQuiet } from './processes.mjs';

function git(gitDir, args) {
  const result = runQuiet('git', ['--git-dir', gitDir, ...args], { maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

export function head(gitDir, branch = 'main') {
  return git(gitDir, ['rev-parse', `refs/heads/${branch}`]).trim();
}

/** Commits reachable from `to` but not from `from` (oldest first). */
export function commitsBetween(gitDir, from, to) {
  const range = from ? `${from}..${to}` : to;
  const out = git(gitDir, ['log', '--reverse', '--format=%H%x1f%s%x1f%cn%x1f%ce%x1f%an%x1f%ae%x1f%P%x1e', range]);
  return out
    .split('\x1e')
    .map((record) => record.trim())
    .filter(Boolean)
    .map((record) => {
      const [sha, subject, committerName, committerEmail, authorName, authorEmail, parents] = record.split('\x1f');
      return { sha, subject, committer: `${committerName} <${committerEmail}>`, author: `${authorName} <${authorEmail}>`, parents: parents.split(' ').filter(Boolean) };
    });
}

/** Paths of all files at `ref`. */
export function files(gitDir, ref) {
  return git(gitDir, ['ls-tree', '-r', '--name-only', ref]).split('\n').filter(Boolean);
}

/** Exact bytes of a file at `ref` as a UTF-8 string. */
export function show(gitDir, ref, filePath) {
  return git(gitDir, ['show', `${ref}:${filePath}`]);
}

/** Files changed by one commit. */
export function changedFiles(gitDir, sha) {
  return git(gitDir, ['diff-tree', '--no-commit-id', '--name-only', '-r', '--root', sha]).split('\n').filter(Boolean);
}

/** Paths and sizes (bytes) of all files at `ref`. */
export function fileSizes(gitDir, ref) {
  return git(gitDir, ['ls-tree', '-r', '-l', ref])
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [meta, filePath] = line.split('\t');
      return { path: filePath, size: Number(meta.trim().split(/\s+/)[3]) };
    });
}

/** Commits (newest first) reachable from `ref` that changed `filePath`. */
export function fileHistory(gitDir, ref, filePath) {
  return git(gitDir, ['log', '--format=%H', ref, '--', filePath]).split('\n').filter(Boolean);
}

/** The git blob id of `filePath` at `ref` (what GitHub reports as the file's sha). */
export function blobId(gitDir, ref, filePath) {
  return git(gitDir, ['rev-parse', `${ref}:${filePath}`]).trim();
}
