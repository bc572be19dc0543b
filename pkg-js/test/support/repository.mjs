// Reads a backup repository with the git CLI and checks what every backup must satisfy.
import assert from "node:assert/strict";
import { core, git, readBlobs, readFile, treeFiles } from "./harness.mjs";

export const BACKUP_PATH = /^scenarios\/[0-9]+\/(blueprint|metadata)\.json$|^\.backup-state\.json$/;
export const BOT = "Make.com Backup Bot <bot@example.com>";

/** `{ subject, author, committer, sha }` of the commits in `since..rev`, newest first. */
export function commits(gitDir, since, rev = "main") {
  const range = since ? `${since}..${rev}` : rev;
  return git(gitDir, "log", "--format=%H%x09%an <%ae>%x09%cn <%ce>%x09%s", range)
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [sha, author, committer, subject] = line.split("\t");
      return { sha, author, committer, subject };
    });
}

export function head(gitDir) {
  return git(gitDir, "rev-parse", "main").trim();
}

export function isAncestor(gitDir, sha, rev = "main") {
  try {
    git(gitDir, "merge-base", "--is-ancestor", sha, rev);
    return true;
  } catch {
    return false;
  }
}

export function readState(gitDir, rev = "main") {
  return JSON.parse(readFile(gitDir, ".backup-state.json", rev));
}

/**
 * Every backup file is canonical JSON with the blob id git reports; exactly `scenarioIds` are backed up,
 * each with both files; the state lists exactly them, with the blob ids of their files.
 */
export function assertBackupRepository(gitDir, scenarioIds) {
  const files = treeFiles(gitDir).filter((file) => file.path !== "README.md"); // README: the double's initial commit
  const texts = readBlobs(gitDir, files.map((file) => file.blobSha));
  for (const file of files) {
    assert.match(file.path, BACKUP_PATH, `unexpected file ${file.path}`);
    const text = texts.get(file.blobSha);
    assert.equal(core.canonicalJson(text), text, `${file.path} is not canonical JSON`);
    assert.equal(core.gitBlobSha(text), file.blobSha, `${file.path}: gitBlobSha differs from git's blob id`);
  }
  const expected = [...scenarioIds].sort((a, b) => a - b).flatMap((id) => [`scenarios/${id}/blueprint.json`, `scenarios/${id}/metadata.json`]);
  assert.deepEqual(files.map((file) => file.path).filter((path) => path.startsWith("scenarios/")).sort(), expected.sort());
  const blobOf = new Map(files.map((file) => [file.path, file.blobSha]));
  const state = readState(gitDir);
  assert.deepEqual(Object.keys(state.scenarios).map(Number).sort((a, b) => a - b), [...scenarioIds].sort((a, b) => a - b));
  const history = new Set(git(gitDir, "rev-list", "main").split("\n").filter(Boolean));
  for (const [id, entry] of Object.entries(state.scenarios)) {
    assert.equal(entry.blueprintSha, blobOf.get(`scenarios/${id}/blueprint.json`), `state blueprintSha of ${id}`);
    assert.equal(entry.metadataSha, blobOf.get(`scenarios/${id}/metadata.json`), `state metadataSha of ${id}`);
    assert.ok(history.has(entry.gitSHA), `state gitSHA of ${id} is not on the branch`);
    assert.equal(JSON.parse(texts.get(blobOf.get(`scenarios/${id}/metadata.json`)) ?? "{}").id, Number(id));
  }
  return { files, state, texts };
}

/** How many requests of a simulator log since `mark` changed something (POST/PATCH/PUT/DELETE). */
export function writesSince(log, mark) {
  return log.slice(mark).filter((entry) => entry.method !== "GET").length;
}
