// PRD test scenarios 1, 2, 3, 6 and 7, driving runBackup (real fetch transport) against both simulators.
// Results are read from the bare repository with the git CLI.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BIG_NUMBER_SCENARIO_ID, driver, fastClock, readFile, sampleOrg, startSimulators, treeFiles } from "./support/harness.mjs";
import { BOT, assertBackupRepository, commits, head, isAncestor, readState, writesSince } from "./support/repository.mjs";

const { runBackup } = driver;
const ORG = sampleOrg();
const ALL_IDS = ORG.scenarios.map((scenario) => scenario.id);
const NAME_OF = new Map(ORG.scenarios.map((scenario) => [scenario.id, scenario.name]));

test("PRD 1–3: initial backup, unchanged rerun, one edited scenario", async (t) => {
  const sims = await startSimulators({ org: sampleOrg() });
  t.after(() => sims.close());
  const backup = () => runBackup({ config: sims.config(), transport: sims.transport, clock: fastClock() });
  const initialCommit = head(sims.gitDir);

  await t.test("1: every scenario backed up, one commit each, then the state", async () => {
    const { summary } = await backup();
    assert.equal(summary.status, "success");
    assert.deepEqual([summary.total, summary.backedUp, summary.errors.length], [ALL_IDS.length, ALL_IDS.length, 0]);
    const made = commits(sims.gitDir, initialCommit);
    assert.equal(made.length, ALL_IDS.length + 1);
    assert.match(made[0].subject, /^Update backup state/);
    const scenarioCommits = made.slice(1).reverse();
    assert.deepEqual(scenarioCommits.map((commit) => commit.subject), ALL_IDS.map((id) => `Backup scenario ${id}: ${NAME_OF.get(id)}`));
    assert.ok(made.every((commit) => commit.author === BOT && commit.committer === BOT));
    assert.deepEqual(summary.commits.map((commit) => commit.sha).sort(), made.map((commit) => commit.sha).sort());
    const { state } = assertBackupRepository(sims.gitDir, ALL_IDS);
    for (const id of ALL_IDS) assert.equal(state.scenarios[id].backupCount, 1);
    // Numbers JS cannot hold survive the whole trip (Make text → wasm → GitHub) digit for digit.
    assert.match(readFile(sims.gitDir, `scenarios/${BIG_NUMBER_SCENARIO_ID}/blueprint.json`), /: 12345678901234567890[,\n]/);
  });

  await t.test("2: no change → no GitHub writes, no commits, state untouched", async () => {
    const before = head(sims.gitDir);
    const githubMark = sims.github.log.length;
    const { summary } = await backup();
    assert.equal(summary.status, "success");
    assert.deepEqual([summary.total, summary.backedUp, summary.unchanged, summary.commits.length], [ALL_IDS.length, 0, ALL_IDS.length, 0]);
    assert.equal(writesSince(sims.github.log, githubMark), 0);
    assert.equal(head(sims.gitDir), before);
  });

  await t.test("3: one scenario edited → exactly one scenario commit (plus the state)", async () => {
    const edited = ALL_IDS[4];
    const before = head(sims.gitDir);
    const stateBefore = readState(sims.gitDir);
    const blueprint = JSON.parse(ORG.blueprints[edited].blueprintText);
    const newName = `${NAME_OF.get(edited)} (v2)`;
    blueprint.name = newName;
    sims.make.editScenario(edited, { name: newName }, { blueprint });

    const { summary } = await backup();
    assert.equal(summary.status, "success");
    assert.deepEqual([summary.backedUp, summary.unchanged], [1, ALL_IDS.length - 1]);
    const made = commits(sims.gitDir, before);
    assert.deepEqual(made.map((commit) => commit.subject), [made[0].subject, `Backup scenario ${edited}: ${newName}`]);
    assert.match(made[0].subject, /^Update backup state/);
    const previous = new Set(treeFiles(sims.gitDir, before).map((file) => `${file.path} ${file.blobSha}`));
    const changed = treeFiles(sims.gitDir).filter((file) => !previous.has(`${file.path} ${file.blobSha}`));
    // The state commit also refreshes the audit report (beside the double's own README.md) and the
    // dependency inventory, which names the scenario.
    assert.deepEqual(changed.map((file) => file.path).sort(), [
      ".backup-state.json",
      "inventory/README.md",
      "inventory/dependencies.json",
      `scenarios/${edited}/blueprint.json`,
      `scenarios/${edited}/metadata.json`,
    ]);
    assert.equal(JSON.parse(readFile(sims.gitDir, "inventory/dependencies.json")).scenarios[edited].name, newName);
    assert.match(readFile(sims.gitDir, "inventory/README.md"), new RegExp(`${edited}.*\\(v2\\)`));
    assert.match(readFile(sims.gitDir, `scenarios/${edited}/blueprint.json`), /\(v2\)/);

    const { state } = assertBackupRepository(sims.gitDir, ALL_IDS);
    for (const id of ALL_IDS.filter((id) => id !== edited)) assert.deepEqual(state.scenarios[id], stateBefore.scenarios[id], `state of ${id} changed`);
    assert.equal(state.scenarios[edited].backupCount, 2);
    assert.equal(state.scenarios[edited].name, newName);
    assert.equal(state.scenarios[edited].gitSHA, made[1].sha);
    // backupHistory lists the earlier backups: here the one from run 1.
    const { backupHistory } = JSON.parse(readFile(sims.gitDir, `scenarios/${edited}/metadata.json`));
    assert.deepEqual(backupHistory.map((entry) => [entry.gitCommit, entry.gitSHA]), [[stateBefore.scenarios[edited].gitSHA, stateBefore.scenarios[edited].blueprintSha]]);
  });
});

test("PRD 6: one scenario's blueprint fails 4 times → the others land, the error names it, state skips it", async (t) => {
  const sims = await startSimulators({ org: sampleOrg() });
  t.after(() => sims.close());
  const failing = ALL_IDS[2];
  const blueprintPath = new RegExp(`/scenarios/${failing}/blueprint`);
  sims.make.inject({ method: "GET", path: blueprintPath, status: 500, times: 4, body: { detail: "Internal error", message: "Internal Server Error", code: "SC500" } });
  const initialCommit = head(sims.gitDir);

  const { summary, report: lastReport } = await runBackup({ config: sims.config(), transport: sims.transport, clock: fastClock() });
  assert.equal(summary.status, "partial");
  assert.equal(summary.backedUp, ALL_IDS.length - 1);
  assert.equal(summary.errors.length, 1);
  const [error] = summary.errors;
  assert.equal(error.scenarioId, failing);
  assert.equal(error.name, NAME_OF.get(failing));
  assert.equal(error.status, 500);
  assert.equal(error.class, "scenario");
  assert.match(error.request, new RegExp(`GET .*/scenarios/${failing}/blueprint`));
  const reportLines = lastReport.split("\n").filter((line) => line.includes(String(failing)));
  assert.ok(reportLines.some((line) => line.includes(NAME_OF.get(failing))), "the report names the failed scenario");
  assert.equal(sims.make.log.filter((entry) => blueprintPath.test(entry.path)).length, 4, "one attempt and three retries");

  const others = ALL_IDS.filter((id) => id !== failing);
  assertBackupRepository(sims.gitDir, others);
  const subjects = commits(sims.gitDir, initialCommit).map((commit) => commit.subject);
  assert.equal(subjects.length, others.length + 1);
  assert.ok(!subjects.some((subject) => subject.startsWith(`Backup scenario ${failing}:`)));

  await t.test("the next run backs it up", async () => {
    const before = head(sims.gitDir);
    const next = await runBackup({ config: sims.config(), transport: sims.transport, clock: fastClock() });
    assert.equal(next.summary.status, "success");
    assert.equal(next.summary.backedUp, 1);
    assert.deepEqual(commits(sims.gitDir, before).map((commit) => commit.subject).slice(1), [`Backup scenario ${failing}: ${NAME_OF.get(failing)}`]);
    assertBackupRepository(sims.gitDir, ALL_IDS);
  });
});

test("PRD 7: two runs at once on the same repository → both finish, each scenario committed once, nothing lost", async (t) => {
  const sims = await startSimulators({ org: sampleOrg() });
  t.after(() => sims.close());
  const initialCommit = head(sims.gitDir);
  const run = (seed) => runBackup({ config: sims.config(), transport: sims.transport, clock: fastClock(), seed });
  const results = await Promise.all([run(1), run(2)]);

  for (const { summary } of results) {
    assert.equal(summary.status, "success", JSON.stringify(summary.errors));
    for (const commit of summary.commits) assert.ok(isAncestor(sims.gitDir, commit.sha), `${commit.message} (${commit.sha}) was lost`);
  }
  assert.equal(results[0].summary.backedUp + results[1].summary.backedUp, ALL_IDS.length, "each scenario backed up by exactly one run");
  const subjects = commits(sims.gitDir, initialCommit).map((commit) => commit.subject);
  for (const id of ALL_IDS) {
    assert.equal(subjects.filter((subject) => subject.startsWith(`Backup scenario ${id}:`)).length, 1, `commits of scenario ${id}`);
  }
  assertBackupRepository(sims.gitDir, ALL_IDS);
});
