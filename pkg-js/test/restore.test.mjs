// Restore round trip (issue 5 §1) through the built package and both simulators: back up, delete a
// scenario in Make, restore it from the backup repository with restoreScenario, and check that what Make
// serves afterwards is the backed-up blueprint.json (canonically identical), from the latest backup and
// from an older commit; then overwrite an existing scenario in place.
import assert from "node:assert/strict";
import { test } from "node:test";
import { driver, fastClock, git, readFile, sampleOrg, startSimulators } from "./support/harness.mjs";

const { runBackup, restoreScenario, RestoreError } = driver;

test("restore: a deleted scenario comes back identical, from the latest backup or an older commit", async (t) => {
  const sims = await startSimulators({ org: sampleOrg() });
  t.after(() => sims.close());
  const backup = () => runBackup({ config: sims.config(), transport: sims.transport, clock: fastClock() });
  assert.equal((await backup()).summary.status, "success");
  const victim = sims.make.scenarios()[3];
  const firstBackup = git(sims.gitDir, "rev-parse", "main").trim();
  const originalBlueprint = readFile(sims.gitDir, `scenarios/${victim.id}/blueprint.json`);

  // An edit lands as a second backup; then the scenario is deleted in Make.
  const edited = JSON.parse(sims.make.blueprintReplyText(victim.id)).response.blueprint;
  edited.name = `${victim.name} (edited)`;
  sims.make.editScenario(victim.id, { name: edited.name }, { blueprint: edited });
  assert.equal((await backup()).summary.backedUp, 1);
  sims.make.deleteScenario(victim.id);
  assert.ok(!sims.make.scenarios().some((s) => s.id === victim.id));

  const source = { apiUrl: sims.github.url, owner: "acme", repo: "make-backup" };
  const options = { makeBaseUrl: sims.make.url };
  const seen = [];
  const latest = await restoreScenario({ scenarioId: victim.id, source, options, transport: sims.transport, onRequest: (request, reply) => seen.push(`${request.service} ${request.method} ${reply.status}`) });
  assert.equal(latest.roundTrip.identical, true, latest.roundTrip.firstDifference ?? "");
  assert.notEqual(latest.restored.id, victim.id, "a new scenario (new id)");
  assert.equal(latest.started, false, "restored inactive unless asked");
  assert.deepEqual(seen, ["github GET 200", "github GET 200", "make POST 200", "make GET 200"]);
  assert.equal(latest.requests, 4);
  const restored = sims.make.scenarios().find((s) => s.id === latest.restored.id);
  assert.equal(restored.name, edited.name);
  assert.equal(restored.teamId, victim.teamId);
  assert.equal(restored.isActive, false);

  // From the first backup's commit: the blueprint before the edit, and started this time.
  const older = await restoreScenario({ scenarioId: victim.id, source: { ...source, gitRef: firstBackup }, options: { ...options, start: true }, transport: sims.transport });
  assert.equal(older.roundTrip.identical, true);
  assert.equal(older.started, true);
  const servedNow = JSON.parse(sims.make.blueprintReplyText(older.restored.id)).response.blueprint;
  assert.equal(servedNow.name, JSON.parse(originalBlueprint).name);

  // Overwrite in place: an existing scenario gets the backed-up blueprint back under the same id.
  const other = sims.make.scenarios()[5];
  const otherBackup = JSON.parse(readFile(sims.gitDir, `scenarios/${other.id}/blueprint.json`));
  const broken = { ...otherBackup, flow: [] };
  sims.make.editScenario(other.id, {}, { blueprint: broken });
  const overwrite = await restoreScenario({ scenarioId: other.id, source, options: { ...options, mode: "overwrite" }, transport: sims.transport });
  assert.equal(overwrite.restored.id, other.id);
  assert.equal(overwrite.roundTrip.identical, true);
  assert.equal(JSON.parse(sims.make.blueprintReplyText(other.id)).response.blueprint.flow.length, otherBackup.flow.length);
});

test("restore: a scenario without a backup is a clear error", async (t) => {
  const sims = await startSimulators({ org: sampleOrg() });
  t.after(() => sims.close());
  const source = { apiUrl: sims.github.url, owner: "acme", repo: "make-backup" };
  await assert.rejects(
    restoreScenario({ scenarioId: 999999, source, options: { makeBaseUrl: sims.make.url }, transport: sims.transport }),
    (error) => error instanceof RestoreError && error.code === "backup-not-found" && /scenario 999999 has no backup/.test(error.message),
  );
});
