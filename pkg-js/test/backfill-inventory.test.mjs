// Issue 5 §2 and §5 through the whole JS stack (wasm engine + runBackup + fetch transport) against the
// Make simulator and the git-backed GitHub double: history backfill of the sample organization's older
// versions, and the dependency inventory checked against Make's lists with one scope missing.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

import { REPO_DIR, SAMPLE_ORGANIZATION_ID, SAMPLE_TOKENS, core, driver, fastClock, fetchTransport, git, readFile, sampleOrg, startGithubDouble, startMakeSim, tempDir } from "./support/harness.mjs";
import { assertBackupRepository } from "./support/repository.mjs";

const sim = await import(pathToFileURL(path.join(REPO_DIR, "tests", "sim", "sample-org.mjs")).href);
const { SAMPLE_VERSIONS_NOW, VERSIONED_SCENARIO_IDS, DRAFT_SCENARIO_ID, MISSING_CONNECTION_ID, MISSING_DATA_STORE_ID } = sim;
const ALL_SCOPES = ["scenarios:read", "connections:read", "hooks:read", "datastores:read", "udts:read", "devices:read"]; // no keys:read

test("backfill imports every older version in date order, byte for byte; the inventory flags what Make lacks", async (t) => {
  const org = sampleOrg();
  const temp = tempDir("backfill");
  // Make's clock sits where the sample's older versions are inside the 60-day window.
  const make = await startMakeSim({ token: SAMPLE_TOKENS.make, org, requestsPerMinute: 6000, clock: () => SAMPLE_VERSIONS_NOW, scopes: ALL_SCOPES });
  const github = await startGithubDouble({ owner: "acme", repo: "make-backup", branch: "main", token: SAMPLE_TOKENS.github, dir: path.join(temp.dir, "backup.git") });
  t.after(async () => {
    await Promise.all([make.close(), github.close()]);
    temp.remove();
  });
  const config = {
    make: { baseUrl: make.url, organizationId: SAMPLE_ORGANIZATION_ID, requestsPerMinute: 6000 },
    github: { apiUrl: github.url, owner: "acme", repo: "make-backup", writesPerMinute: 6000 },
    backfill: true,
    checkDependencies: true,
  };
  const transport = fetchTransport.createFetchTransport({ makeToken: SAMPLE_TOKENS.make, githubToken: SAMPLE_TOKENS.github });
  const { summary } = await driver.runBackup({ config, transport, clock: fastClock() });
  assert.equal(summary.status, "success", JSON.stringify(summary.errors));
  assert.equal(summary.backedUp, org.scenarios.length);
  assertBackupRepository(github.gitDir, org.scenarios.map((s) => s.id));

  let imported = 0;
  for (const id of VERSIONED_SCENARIO_IDS) {
    const older = org.blueprints[id].versions.filter((v) => !v.draft);
    const file = `scenarios/${id}/blueprint.json`;
    // Oldest first: every older version, then the current backup.
    const log = git(github.gitDir, "log", "--reverse", "--format=%H%x09%aI%x09%s", "main", "--", file).trim().split("\n").map((line) => line.split("\t"));
    assert.equal(log.length, older.length + 1, `${id}: ${log.map((l) => l[2]).join(" | ")}`);
    older.forEach((version, i) => {
      const [sha, authorDate, subject] = log[i];
      assert.match(subject, new RegExp(`^Backup scenario ${id}: .* \\(Make version ${version.version}, saved ${version.created.replace(/[.]/g, "\\.")}\\)$`));
      assert.equal(Date.parse(authorDate), Math.floor(Date.parse(version.created) / 1000) * 1000, "dated when Make saved it");
      assert.equal(readFile(github.gitDir, file, sha), core.canonicalJson(version.blueprintText), `${id} version ${version.version} is the version's blueprint`);
    });
    assert.doesNotMatch(log[older.length][2], /Make version/);
    assert.equal(readFile(github.gitDir, file), core.canonicalJson(org.blueprints[id].blueprintText));
    imported += older.length;
  }
  const draft = org.blueprints[DRAFT_SCENARIO_ID].versions.find((v) => v.draft);
  assert.ok(draft, "the sample has a draft");
  assert.doesNotMatch(git(github.gitDir, "log", "--format=%s", "main"), new RegExp(`Make version ${draft.version},`), "drafts are not imported");
  const versionCommits = git(github.gitDir, "log", "--format=%s", "main").split("\n").filter((s) => s.includes("(Make version "));
  assert.equal(versionCommits.length, imported);

  const inventory = JSON.parse(readFile(github.gitDir, "inventory/dependencies.json"));
  assert.equal(inventory.dependencies[`connection:${MISSING_CONNECTION_ID}`].status, "missing");
  assert.equal(inventory.dependencies[`dataStore:${MISSING_DATA_STORE_ID}`].status, "missing");
  assert.ok(Object.values(inventory.dependencies).some((d) => d.kind === "connection" && d.status === "present" && d.name), "listed connections carry their names");
  assert.ok(!inventory.checked.some((c) => c.kind === "key"), "keys stay unchecked without keys:read");
  assert.ok(summary.warnings.some((w) => w.includes("keys:read")), summary.warnings.join("\n"));
  assert.ok(summary.warnings.some((w) => w.includes(`connection ${MISSING_CONNECTION_ID}`)), summary.warnings.join("\n"));
  // No secret crosses into the inventory: the sample's connection data and hook URLs stay out.
  assert.doesNotMatch(JSON.stringify(inventory), /https:\/\/hook\.|"url"|"data"/);

  // A run with nothing new asks Make for no version again.
  const mark = make.log.length;
  const again = await driver.runBackup({ config, transport, clock: fastClock() });
  assert.equal(again.summary.backedUp, 0);
  assert.ok(!make.log.slice(mark).some((entry) => entry.path.endsWith("/blueprints") || entry.query?.blueprintId !== undefined));
});
