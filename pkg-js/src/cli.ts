#!/usr/bin/env node
/**
 * `make-backup-planner`: backs up the Make.com scenarios of a team or organization into a GitHub repository.
 * Progress goes to stderr, the Markdown report (or `--json` summary) to stdout.
 * Exit code: 0 success, 1 partial (some scenarios failed), 2 failed (or unusable arguments).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { CoreError, RestoreError, makeBaseUrl, restoreScenario, verifyBackup, version } from "./index";
import type { Action, BackupConfig, RestoreOptions, RestoreResult, Summary } from "./index";
import { runBackup } from "./driver";
import type { BackupResult, Transport } from "./driver";
import { createFetchTransport } from "./transport-fetch";

const USAGE = `usage: make-backup-planner [--config FILE] [options]
       make-backup-planner --restore ID [--ref REF] [--overwrite] [--start] [--config FILE] [options]
       make-backup-planner --verify [--branch NAME] [--stale-after-hours N] [--config FILE] [options]
       make-backup-planner --demo [--out DIR]

Backs up Make.com scenarios into a GitHub repository (one commit per changed scenario).

Credentials come only from the environment:
  MAKE_API_TOKEN   Make API token (Profile → API access; scopes scenarios:read, organizations:read)
  GITHUB_TOKEN     GitHub token with contents:write on the repository

Options (override the same fields of --config; see src/protocol.md for every field):
  --config FILE            JSON config file
  --team-id N              back up this Make team        (make.teamId)
  --organization-id N      back up this Make organization (make.organizationId)
  --zone ZONE              eu1 | eu2 | us1 | us2 | host   (make.zone)
  --make-base-url URL      Make API base URL             (make.baseUrl)
  --owner NAME             GitHub repository owner       (github.owner)
  --repo NAME              GitHub repository name        (github.repo)
  --branch NAME            branch to commit to           (github.branch, default main)
  --github-api-url URL     GitHub API root               (github.apiUrl)
  --commit-mode MODE       perScenario | perRun          (commitMode)
  --force                  back up every scenario even when unchanged
  --backfill               import each new scenario's older versions (Make keeps 60 days) as commits
                           before its first backup (backfill)
  --check-dependencies     compare inventory/dependencies.json with Make's lists of connections, hooks,
                           data stores, data structures, keys and devices (checkDependencies; needs
                           their read scopes, a list without one stays unchecked)
  --seed N                 retry-jitter seed (default 0)
  --json                   print the summary as JSON instead of the Markdown report
  --restore ID             restore scenario ID from the backup repository instead of backing up
                           (needs the scenarios:write scope; the scenario is created inactive)
  --ref REF                restore: commit SHA, branch or tag to restore from (default: the default branch)
  --overwrite              restore: replace the blueprint of the existing scenario (--target-id, default ID)
                           instead of creating a new scenario
  --target-id N            restore: the scenario to overwrite
  --folder-id N            restore: folder of the restored scenario
  --start                  restore: start (activate) the scenario afterwards
  --verify                 check the backup repository against its .backup-state.json instead of backing
                           up (missing or altered files, untracked files, stale entries; needs only GITHUB_TOKEN);
                           exit 0 healthy, 1 degraded, 2 critical
  --stale-after-hours N    verify: an entry older than this is stale (default 26)
  --demo                   run against the repository's bundled simulators (no credentials needed)
  --out DIR                demo: bare repository to write (default ./demo-backup.git, reset each demo)
  --version, --help

Exit code: 0 success, 1 partial (some scenarios failed), 2 failed.`;

const EXIT_FOR_STATUS: Record<string, number> = { success: 0, partial: 1, failed: 2 };
const EXIT_FAILED = 2;

/** An error in how the CLI was called or set up; printed without a stack trace. */
class UsageError extends Error {}

type JsonObject = Record<string, unknown>;

const OPTIONS = {
  config: { type: "string" },
  "team-id": { type: "string" },
  "organization-id": { type: "string" },
  zone: { type: "string" },
  "make-base-url": { type: "string" },
  owner: { type: "string" },
  repo: { type: "string" },
  branch: { type: "string" },
  "github-api-url": { type: "string" },
  "commit-mode": { type: "string" },
  force: { type: "boolean" },
  backfill: { type: "boolean" },
  "check-dependencies": { type: "boolean" },
  seed: { type: "string" },
  json: { type: "boolean" },
  demo: { type: "boolean" },
  restore: { type: "string" },
  verify: { type: "boolean" },
  "stale-after-hours": { type: "string" },
  ref: { type: "string" },
  overwrite: { type: "boolean" },
  "target-id": { type: "string" },
  "folder-id": { type: "string" },
  start: { type: "boolean" },
  out: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

type Flags = ReturnType<typeof parseFlags>;

function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function section(config: JsonObject, name: string): JsonObject {
  const existing = config[name];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  config[name] = created;
  return created;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${flag} must be a whole number, got ${JSON.stringify(text)}`);
  return value;
}

/** The config file (if any) with the flags applied on top. The core validates the result. */
export function buildConfig(flags: Flags): BackupConfig {
  let config: JsonObject = {};
  if (flags.config !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(flags.config, "utf8"));
    } catch (error) {
      throw new UsageError(`cannot read --config ${flags.config}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!isObject(parsed)) throw new UsageError(`--config ${flags.config} must contain a JSON object (see src/protocol.md, Config)`);
    config = parsed;
  }
  const make = section(config, "make");
  const github = section(config, "github");
  // Each pair is exclusive in the core, so a flag replaces whichever of the pair the file set.
  if (flags["team-id"] !== undefined) {
    make["teamId"] = positiveInteger("team-id", flags["team-id"]);
    delete make["organizationId"];
  }
  if (flags["organization-id"] !== undefined) {
    make["organizationId"] = positiveInteger("organization-id", flags["organization-id"]);
    delete make["teamId"];
  }
  if (flags.zone !== undefined) {
    make["zone"] = flags.zone;
    delete make["baseUrl"];
  }
  if (flags["make-base-url"] !== undefined) {
    make["baseUrl"] = flags["make-base-url"];
    delete make["zone"];
  }
  if (flags.owner !== undefined) github["owner"] = flags.owner;
  if (flags.repo !== undefined) github["repo"] = flags.repo;
  if (flags.branch !== undefined) github["branch"] = flags.branch;
  if (flags["github-api-url"] !== undefined) github["apiUrl"] = flags["github-api-url"];
  if (flags["commit-mode"] !== undefined) config["commitMode"] = flags["commit-mode"];
  if (flags.force) config["force"] = true;
  if (flags.backfill) config["backfill"] = true;
  if (flags["check-dependencies"]) config["checkDependencies"] = true;
  // The shape is checked by the core (Engine.start), which names any wrong field.
  return config as unknown as BackupConfig;
}

function requireEnv(name: string, what: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === "") {
    throw new UsageError(`${name} is not set: export ${what} as ${name} (credentials are read only from the environment)`);
  }
  return value.trim();
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Logs each request with its outcome and duration as it completes. */
function withProgress(transport: Transport): Transport {
  return async (request) => {
    const started = Date.now();
    const label = `#${request.id} ${request.service.padEnd(6)} ${request.method.padEnd(5)}`;
    try {
      const reply = await transport(request);
      progress(`${label} ${reply.status} ${String(Date.now() - started).padStart(5)} ms  ${request.purpose}`);
      return reply;
    } catch (error) {
      progress(`${label} failed ${Date.now() - started} ms  ${request.purpose}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  };
}

function logWaits(action: Action): void {
  if (action.type === "wait") progress(`… waiting ${action.seconds.toFixed(2)} s: ${action.reason}`);
}

function printResult(result: BackupResult, asJson: boolean): void {
  process.stdout.write(asJson ? `${JSON.stringify(result.summary, null, 2)}\n` : `${result.report.trimEnd()}\n`);
}

function exitCodeFor(summary: Summary): number {
  return EXIT_FOR_STATUS[summary.status] ?? EXIT_FAILED;
}

async function runFromFlags(flags: Flags): Promise<number> {
  const config = buildConfig(flags);
  const transport = createFetchTransport({
    makeToken: requireEnv("MAKE_API_TOKEN", "your Make API token"),
    githubToken: requireEnv("GITHUB_TOKEN", "a GitHub token with contents:write on the repository"),
  });
  const seed = flags.seed === undefined ? undefined : positiveInteger("seed", flags.seed);
  const result = await runBackup({ config, transport: withProgress(transport), onAction: logWaits, ...(seed === undefined ? {} : { seed }) });
  progress(`${result.requests} requests`);
  printResult(result, flags.json === true);
  return exitCodeFor(result.summary);
}

/** Restore options from the flags; the Make API root comes from the config's zone or baseUrl. */
function restoreOptions(flags: Flags, config: BackupConfig): RestoreOptions {
  const make = isObject(config.make) ? (config.make as unknown as JsonObject) : {};
  const teamId = flags["team-id"] === undefined ? null : positiveInteger("team-id", flags["team-id"]);
  return {
    makeBaseUrl: makeBaseUrl(config),
    mode: flags.overwrite ? "overwrite" : "create",
    teamId: teamId ?? (typeof make["teamId"] === "number" ? make["teamId"] : null),
    folderId: flags["folder-id"] === undefined ? null : positiveInteger("folder-id", flags["folder-id"]),
    targetScenarioId: flags["target-id"] === undefined ? null : positiveInteger("target-id", flags["target-id"]),
    start: flags.start === true,
  };
}

function printRestore(result: RestoreResult, asJson: boolean): void {
  if (asJson) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const { plan, restored, roundTrip } = result;
  const lines = [
    `Restored scenario ${plan.sourceScenarioId ?? "?"} ${JSON.stringify(plan.name)} as scenario ${restored.id} (${plan.mode}${result.started ? ", started" : ", inactive"}).`,
    roundTrip.identical
      ? `Make now serves the backed-up blueprint.json exactly (canonical SHA ${roundTrip.backupSha}).`
      : `Make serves a blueprint that differs from the backup: ${roundTrip.firstDifference ?? "see the scenario in Make"}`,
  ];
  if (plan.needs.length > 0) lines.push("", "Still needed before it runs:", ...plan.needs.map((need) => `- ${need.message}`));
  if (plan.warnings.length > 0) lines.push("", "Warnings:", ...plan.warnings.map((warning) => `- ${warning}`));
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function restoreFromFlags(flags: Flags, id: string): Promise<number> {
  const config = buildConfig(flags);
  const github = isObject(config.github) ? (config.github as unknown as JsonObject) : {};
  const owner = github["owner"];
  const repo = github["repo"];
  if (typeof owner !== "string" || typeof repo !== "string") throw new UsageError("--restore needs the backup repository: --owner and --repo (or github.owner/repo in --config)");
  const options = restoreOptions(flags, config);
  const transport = createFetchTransport({
    makeToken: requireEnv("MAKE_API_TOKEN", "a Make API token with the scenarios:write scope"),
    githubToken: requireEnv("GITHUB_TOKEN", "a GitHub token that can read the backup repository"),
  });
  const apiUrl = typeof github["apiUrl"] === "string" ? github["apiUrl"] : "https://api.github.com";
  const result = await restoreScenario({
    scenarioId: positiveInteger("restore", id),
    source: { apiUrl, owner, repo, gitRef: flags.ref ?? null },
    options,
    transport: withProgress(transport),
  });
  printRestore(result, flags.json === true);
  return result.roundTrip.identical ? 0 : 1;
}

const EXIT_FOR_VERIFY: Record<string, number> = { healthy: 0, degraded: 1, critical: 2 };

async function verifyFromFlags(flags: Flags): Promise<number> {
  const config = buildConfig(flags);
  const github = isObject(config.github) ? (config.github as unknown as JsonObject) : {};
  const owner = github["owner"];
  const repo = github["repo"];
  if (typeof owner !== "string" || typeof repo !== "string") throw new UsageError("--verify needs the backup repository: --owner and --repo (or github.owner/repo in --config)");
  const transport = withProgress(createFetchTransport({ makeToken: "", githubToken: requireEnv("GITHUB_TOKEN", "a GitHub token that can read the backup repository") }));
  const report = await verifyBackup({
    source: {
      apiUrl: typeof github["apiUrl"] === "string" ? github["apiUrl"] : "https://api.github.com",
      owner,
      repo,
      gitRef: typeof github["branch"] === "string" ? github["branch"] : "main",
    },
    transport,
    now: new Date().toISOString(),
    ...(flags["stale-after-hours"] === undefined ? {} : { staleAfterHours: positiveInteger("stale-after-hours", flags["stale-after-hours"]) }),
  });
  process.stdout.write(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${report.markdown.trimEnd()}\n`);
  return EXIT_FOR_VERIFY[report.status] ?? EXIT_FAILED;
}

// ─── demo: the repository's simulators of Make and GitHub, in this process ───

interface SimLogEntry {
  method: string;
  path: string;
  status: number | null;
}
interface MakeSim {
  url: string;
  log: SimLogEntry[];
  editScenario(id: number, patch: JsonObject, options?: JsonObject): unknown;
  deleteScenario(id: number): boolean;
  close(): Promise<void>;
}
interface GithubDouble {
  url: string;
  gitDir: string;
  log: SimLogEntry[];
  close(): Promise<void>;
}
interface Simulators {
  startMakeSim(options: { token: string; org: unknown; requestsPerMinute: number }): Promise<MakeSim>;
  startGithubDouble(options: { owner: string; repo: string; branch: string; token: string; dir: string }): Promise<GithubDouble>;
  sampleOrg(): unknown;
  tokens: { make: string; github: string };
}

/** The simulators live in the repository (tests/sim), not in the package: load them only for --demo. */
export async function loadSimulators(simDir = path.resolve(__dirname, "..", "..", "tests", "sim")): Promise<Simulators> {
  const files = { make: "make-sim.mjs", github: "github-double.mjs", org: "sample-org.mjs" };
  for (const file of Object.values(files)) {
    if (!existsSync(path.join(simDir, file))) {
      throw new UsageError(`--demo needs the simulators of the repository (${path.join(simDir, file)} is missing); run it from a clone of the make-backup-planner repository`);
    }
  }
  const load = async (file: string): Promise<JsonObject> => (await import(pathToFileURL(path.join(simDir, file)).href)) as JsonObject;
  const [make, github, org] = await Promise.all([load(files.make), load(files.github), load(files.org)]);
  const tokens = org["SAMPLE_TOKENS"] ?? make["SAMPLE_TOKENS"];
  const missing = [
    typeof make["startMakeSim"] === "function" ? null : `${files.make}: startMakeSim`,
    typeof github["startGithubDouble"] === "function" ? null : `${files.github}: startGithubDouble`,
    typeof org["sampleOrg"] === "function" ? null : `${files.org}: sampleOrg`,
    isObject(tokens) && typeof tokens["make"] === "string" && typeof tokens["github"] === "string" ? null : "SAMPLE_TOKENS { make, github }",
  ].filter((item): item is string => item !== null);
  if (missing.length > 0) throw new UsageError(`the simulators in ${simDir} lack ${missing.join(", ")}`);
  return {
    startMakeSim: make["startMakeSim"] as Simulators["startMakeSim"],
    startGithubDouble: github["startGithubDouble"] as Simulators["startGithubDouble"],
    sampleOrg: org["sampleOrg"] as Simulators["sampleOrg"],
    tokens: tokens as Simulators["tokens"],
  };
}

const DEMO_ORGANIZATION_ID = 4101;

function countCalls(log: SimLogEntry[], since: number): { total: number; writes: number } {
  const entries = log.slice(since);
  return { total: entries.length, writes: entries.filter((entry) => entry.method !== "GET").length };
}

function firstScenarioId(org: unknown): number {
  const scenarios = isObject(org) ? org["scenarios"] : undefined;
  const first: unknown = Array.isArray(scenarios) ? scenarios[0] : undefined;
  if (!isObject(first) || typeof first["id"] !== "number") throw new UsageError("sampleOrg() has no scenarios with a numeric id");
  return first["id"];
}

async function runDemo(flags: Flags): Promise<number> {
  const sims = await loadSimulators();
  const out = path.resolve(flags.out ?? "demo-backup.git");
  rmSync(out, { recursive: true, force: true }); // each demo starts from an empty repository
  const org = sims.sampleOrg();
  const makeSim = await sims.startMakeSim({ token: sims.tokens.make, org, requestsPerMinute: 600 });
  const github = await sims.startGithubDouble({ owner: "acme", repo: "make-backup", branch: "main", token: sims.tokens.github, dir: out });
  try {
    const config: BackupConfig = {
      make: { baseUrl: makeSim.url, organizationId: DEMO_ORGANIZATION_ID, requestsPerMinute: 600 },
      github: { apiUrl: github.url, owner: "acme", repo: "make-backup", branch: "main", writesPerMinute: 600 },
      // The sample organization lacks two objects its blueprints use: the demo shows them flagged.
      checkDependencies: true,
    };
    const transport = withProgress(createFetchTransport({ makeToken: sims.tokens.make, githubToken: sims.tokens.github }));
    let status = 0;
    const run = async (title: string): Promise<void> => {
      const makeBefore = makeSim.log.length;
      const githubBefore = github.log.length;
      progress(`\n=== ${title} ===`);
      const result = await runBackup({ config, transport, onAction: logWaits });
      printResult(result, flags.json === true);
      const make = countCalls(makeSim.log, makeBefore);
      const gh = countCalls(github.log, githubBefore);
      process.stdout.write(`\nAPI calls (simulator logs): Make ${make.total}, GitHub ${gh.total} (${gh.writes} writes)\n`);
      status = Math.max(status, exitCodeFor(result.summary));
    };
    await run("Run 1: initial backup of organization 4101");
    const edited = firstScenarioId(org);
    await makeSim.editScenario(edited, { name: `Edited in the demo at ${new Date().toISOString()}` });
    await run(`Run 2: scenario ${edited} edited in Make, incremental backup`);

    makeSim.deleteScenario(edited);
    progress(`\n=== Restore: scenario ${edited} deleted in Make, restored from the backup ===`);
    const started = Date.now();
    const restored = await restoreScenario({
      scenarioId: edited,
      source: { apiUrl: github.url, owner: "acme", repo: "make-backup" },
      options: { makeBaseUrl: makeSim.url },
      transport,
    });
    process.stdout.write("\n");
    printRestore(restored, flags.json === true);
    process.stdout.write(`(${restored.requests} requests, ${Date.now() - started} ms)\n`);
    if (!restored.roundTrip.identical) status = Math.max(status, 1);

    progress("\n=== Verify: the repository against its .backup-state.json ===");
    const report = await verifyBackup({ source: { apiUrl: github.url, owner: "acme", repo: "make-backup", gitRef: "main" }, transport, now: new Date().toISOString() });
    process.stdout.write(`\n${report.markdown.trimEnd()}\n`);
    if (report.status !== "healthy") status = Math.max(status, 1);
    // The audit report sits in inventory/README.md: the double's first commit holds a README.md of its own.
    const shown = spawnSync("git", ["--git-dir", github.gitDir, "show", "main:inventory/README.md"], { encoding: "utf8" });
    const head = shown.stdout.split("\n").slice(0, 12).join("\n");
    process.stdout.write(`\n$ git --git-dir ${github.gitDir} show main:inventory/README.md | head -12\n${head}\n${shown.stderr}`);
    const log = spawnSync("git", ["--git-dir", github.gitDir, "log", "--format=%h %an <%ae> %s"], { encoding: "utf8" });
    process.stdout.write(`\n$ git --git-dir ${github.gitDir} log --format='%h %an <%ae> %s'\n${log.stdout}${log.stderr}`);
    return status;
  } finally {
    await Promise.all([makeSim.close(), github.close()]);
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const flags = parseFlags(argv);
    if (flags.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (flags.version) {
      process.stdout.write(`make-backup-planner ${version()}\n`);
      return 0;
    }
    if (flags.out !== undefined && !flags.demo) throw new UsageError("--out only applies to --demo");
    if (flags["stale-after-hours"] !== undefined && !flags.verify) throw new UsageError("--stale-after-hours only applies to --verify");
    if ([flags.verify, flags.restore !== undefined, flags.demo].filter(Boolean).length > 1) throw new UsageError("choose one of --verify, --restore and --demo");
    if (flags.verify) return await verifyFromFlags(flags);
    const restoreOnly = (["ref", "overwrite", "target-id", "folder-id", "start"] as const).filter((flag) => flags[flag] !== undefined);
    if (flags.restore === undefined && restoreOnly.length > 0) throw new UsageError(`--${restoreOnly[0]} only applies to --restore`);
    if (flags.restore !== undefined && flags.demo) throw new UsageError("--restore and --demo cannot be combined (the demo restores a scenario itself)");
    if (flags.restore !== undefined) return await restoreFromFlags(flags, flags.restore);
    return flags.demo ? await runDemo(flags) : await runFromFlags(flags);
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`make-backup-planner: ${error.message}\n`);
    else if (error instanceof CoreError || error instanceof RestoreError) process.stderr.write(`make-backup-planner: ${error.message} [${error.code}]\n`);
    else throw error;
    return EXIT_FAILED;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`make-backup-planner: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_FAILED;
    },
  );
}
