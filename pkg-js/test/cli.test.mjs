// The make-backup-planner CLI (dist/cli.js) as a child process, against the simulators in this process.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { DIST_DIR, SAMPLE_TOKENS, core, dist, organization, startSimulators, tempDir } from "./support/harness.mjs";
import { commits } from "./support/repository.mjs";

const CLI = path.join(DIST_DIR, "cli.js");

/** Runs the CLI without blocking this process (the simulators answer from here). */
function cli(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const TOKENS = { MAKE_API_TOKEN: SAMPLE_TOKENS.make, GITHUB_TOKEN: SAMPLE_TOKENS.github };

function simFlags(sims) {
  return ["--make-base-url", sims.make.url, "--organization-id", "4101", "--github-api-url", sims.github.url, "--owner", "acme", "--repo", "make-backup"];
}

test("--help and --version", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /MAKE_API_TOKEN/);
  assert.match(help.stdout, /--organization-id/);
  const version = await cli(["--version"]);
  assert.deepEqual([version.code, version.stdout], [0, `make-backup-planner ${core.version()}\n`]);
});

test("unusable arguments, missing credentials and invalid configs exit 2 with a clear message", async () => {
  const unknown = await cli(["--bogus"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--bogus/);
  const flags = ["--zone", "eu1", "--team-id", "1", "--owner", "acme", "--repo", "backup"];
  const noMake = await cli(flags, { GITHUB_TOKEN: "x" });
  assert.equal(noMake.code, 2);
  assert.match(noMake.stderr, /MAKE_API_TOKEN is not set/);
  const noGithub = await cli(flags, { MAKE_API_TOKEN: "x" });
  assert.equal(noGithub.code, 2);
  assert.match(noGithub.stderr, /GITHUB_TOKEN is not set/);
  const invalid = await cli(["--team-id", "1", "--owner", "acme", "--repo", "backup"], TOKENS);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /make\.zone.*\[invalid-config\]/);
  const notANumber = await cli(["--team-id", "abc"], TOKENS);
  assert.equal(notANumber.code, 2);
  assert.match(notANumber.stderr, /--team-id must be a whole number/);
});

test("flags override the config file; exclusive pairs replace each other", (t) => {
  const temp = tempDir("cli-config");
  t.after(temp.remove);
  const file = path.join(temp.dir, "config.json");
  writeFileSync(file, JSON.stringify({ make: { zone: "eu1", organizationId: 4101 }, github: { owner: "acme", repo: "make-backup" }, maxRetries: 5 }));
  const { buildConfig } = dist("cli");
  assert.deepEqual(buildConfig({ config: file, "team-id": "154819", "make-base-url": "http://127.0.0.1:1/api/v2", branch: "backup", force: true }), {
    make: { teamId: 154819, baseUrl: "http://127.0.0.1:1/api/v2" },
    github: { owner: "acme", repo: "make-backup", branch: "backup" },
    maxRetries: 5,
    force: true,
  });
});

test("a backup against the simulators: progress on stderr, report on stdout, exit 0; --json prints the summary", async (t) => {
  const sims = await startSimulators({ org: organization(3) });
  t.after(() => sims.close());
  const run = await cli(simFlags(sims), TOKENS);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^# Make\.com backup — ✅ success/);
  assert.match(run.stderr, /#\d+ make +GET +200 .*list scenarios \(page 1\)/);
  assert.match(run.stderr, /#\d+ github POST +201 .*commit "Backup scenario/);
  for (const output of [run.stdout, run.stderr]) {
    assert.ok(!output.includes(SAMPLE_TOKENS.make) && !output.includes(SAMPLE_TOKENS.github), "tokens are never printed");
  }
  assert.equal(commits(sims.gitDir).filter((commit) => commit.subject.startsWith("Backup scenario")).length, 3);

  const again = await cli([...simFlags(sims), "--json"], TOKENS);
  assert.equal(again.code, 0, again.stderr);
  const summary = JSON.parse(again.stdout);
  assert.deepEqual([summary.status, summary.total, summary.backedUp, summary.unchanged], ["success", 3, 0, 3]);
});

test("exit 1 when a scenario failed (partial), exit 2 when the run failed", async (t) => {
  const sims = await startSimulators({ org: organization(3) });
  t.after(() => sims.close());
  const temp = tempDir("cli-partial");
  t.after(temp.remove);
  const configFile = path.join(temp.dir, "config.json");
  writeFileSync(configFile, JSON.stringify({ maxRetries: 0 })); // fail fast instead of retrying for seconds
  const failing = organization(3).scenarios[1].id;
  sims.make.inject({ method: "GET", path: new RegExp(`/scenarios/${failing}/blueprint`), status: 500, times: 1 });
  const partial = await cli(["--config", configFile, ...simFlags(sims)], TOKENS);
  assert.equal(partial.code, 1, partial.stdout + partial.stderr);
  assert.match(partial.stdout, /partial/);

  const failed = await cli(["--config", configFile, ...simFlags(sims)], { ...TOKENS, GITHUB_TOKEN: "ghp_wrong" });
  assert.equal(failed.code, 2, failed.stdout + failed.stderr);
  assert.match(failed.stdout, /failed/);
  assert.ok(!failed.stdout.includes("ghp_wrong") && !failed.stderr.includes("ghp_wrong"));
});

test("--demo: full backup, one edit, incremental backup, call counts and git log", async (t) => {
  const temp = tempDir("cli-demo");
  t.after(temp.remove);
  const out = path.join(temp.dir, "demo.git");
  const demo = await cli(["--demo", "--out", out]);
  assert.equal(demo.code, 0, demo.stderr.slice(-2000));
  const reports = demo.stdout.match(/^# Make\.com backup — ✅ success$/gm) ?? [];
  assert.equal(reports.length, 2, "two reports");
  const calls = [...demo.stdout.matchAll(/^API calls \(simulator logs\): Make (\d+), GitHub (\d+) \((\d+) writes\)$/gm)];
  assert.equal(calls.length, 2);
  assert.ok(Number(calls[0][1]) > Number(calls[1][1]), "the second run calls Make less");
  assert.match(demo.stdout, new RegExp(`git --git-dir ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} log`));
  const subjects = commits(out).map((commit) => commit.subject);
  const scenarioCount = organization().scenarios.length;
  assert.equal(subjects.filter((subject) => subject.startsWith("Backup scenario")).length, scenarioCount + 1, "all scenarios, then the edited one");
  assert.equal(subjects.filter((subject) => subject.startsWith("Update backup state")).length, 2);
  assert.match(subjects[1], /^Backup scenario \d+: Edited in the demo/);
  assert.match(demo.stdout, /[0-9a-f]{7} Make\.com Backup Bot <bot@example\.com> Backup scenario/);
  // Then the edited scenario is deleted in Make and restored from the backup.
  assert.match(demo.stdout, /^Restored scenario (\d+) ".+" as scenario (\d+) \(create, inactive\)\.$/m);
  assert.match(demo.stdout, /^Make now serves the backed-up blueprint\.json exactly/m);
  assert.match(demo.stdout, /^\(4 requests, \d+ ms\)$/m);
  assert.match(demo.stdout, /healthy/);
});

test("--verify: healthy after a backup, critical when a person replaced a blueprint; exit code by status", async (t) => {
  const sims = await startSimulators({ org: organization(3) });
  t.after(() => sims.close());
  const repoFlags = ["--github-api-url", sims.github.url, "--owner", "acme", "--repo", "make-backup"];
  assert.equal((await cli(simFlags(sims), TOKENS)).code, 0);
  const healthy = await cli([...repoFlags, "--verify"], { GITHUB_TOKEN: SAMPLE_TOKENS.github });
  assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
  assert.match(healthy.stdout, /healthy/);
  assert.match(healthy.stderr, /github GET +200 .*list the tree of main/);
  const target = organization(3).scenarios[1].id;
  await sims.github.commitAsHuman({ path: `scenarios/${target}/blueprint.json`, content: '{"edited":"by hand"}\n', message: "Hand edit" });
  const critical = await cli([...repoFlags, "--verify", "--json"], { GITHUB_TOKEN: SAMPLE_TOKENS.github });
  assert.equal(critical.code, 2, critical.stdout + critical.stderr);
  const report = JSON.parse(critical.stdout);
  assert.equal(report.status, "critical");
  assert.deepEqual(report.shaMismatches.map((m) => m.scenarioId), [target]);
  const stale = await cli([...repoFlags, "--verify", "--stale-after-hours", "0"], { GITHUB_TOKEN: SAMPLE_TOKENS.github });
  assert.equal(stale.code, 2);
  const wrongBranch = await cli([...repoFlags, "--verify", "--branch", "nope"], { GITHUB_TOKEN: SAMPLE_TOKENS.github });
  assert.equal(wrongBranch.code, 2);
  assert.match(wrongBranch.stderr, /HTTP 404: check owner, repo and the branch name.*\[repository-unreadable\]/);
});

test("--restore: a deleted scenario back from the latest backup or a commit, overwrite in place, clear errors", async (t) => {
  const sims = await startSimulators({ org: organization(3) });
  t.after(() => sims.close());
  assert.equal((await cli(simFlags(sims), TOKENS)).code, 0);
  const [first, second] = organization(3).scenarios;
  const firstBackup = commits(sims.gitDir)[0].sha;
  sims.make.deleteScenario(first.id);
  const restored = await cli([...simFlags(sims), "--restore", String(first.id)], TOKENS);
  assert.equal(restored.code, 0, restored.stderr);
  const [, source, target] = /^Restored scenario (\d+) ".*" as scenario (\d+) \(create, inactive\)\.$/m.exec(restored.stdout) ?? [];
  assert.equal(Number(source), first.id);
  assert.ok(sims.make.scenarios().some((s) => s.id === Number(target) && s.isActive === false));
  assert.match(restored.stdout, /exactly/);
  assert.match(restored.stderr, /github GET +200 .*read scenarios\/\d+\/blueprint\.json of the backup/);
  for (const output of [restored.stdout, restored.stderr]) assert.ok(!output.includes(SAMPLE_TOKENS.make) && !output.includes(SAMPLE_TOKENS.github));

  const overwrite = await cli([...simFlags(sims), "--restore", String(second.id), "--overwrite", "--ref", firstBackup, "--start", "--json"], TOKENS);
  assert.equal(overwrite.code, 0, overwrite.stderr);
  const result = JSON.parse(overwrite.stdout);
  assert.deepEqual([result.restored.id, result.started, result.roundTrip.identical, result.plan.mode], [second.id, true, true, "overwrite"]);
  assert.equal(sims.make.scenarios().find((s) => s.id === second.id).isActive, true);

  const missing = await cli([...simFlags(sims), "--restore", "999999"], TOKENS);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /scenario 999999 has no backup.*\[backup-not-found\]/);
  const misplaced = await cli([...simFlags(sims), "--start"], TOKENS);
  assert.equal(misplaced.code, 2);
  assert.match(misplaced.stderr, /--start only applies to --restore/);
});
