// A typed consumer of every export, compiled with `tsc --noEmit -p test` by api.test.mjs.
// The @ts-expect-error lines prove the declarations are precise (an `any` would make them unused errors).
import { CoreError, Engine, RestoreError, canonicalJson, gitBlobSha, makeBaseUrl, restoreScenario, version } from "make-backup-planner";
import type { BackupSource, Coverage, RestoreOptions, RestoreResult, RoundTrip } from "make-backup-planner";
import type { Action, BackupConfig, DoneAction, PlannedRequest, Reply, RequestAction, Summary, WaitAction } from "make-backup-planner";
import type { ApiCalls, CommitMode, CommitRecord, Committer, ErrorClass, Failure, GithubConfig, MakeConfig, Method, RunError, RunStatus, Service, Verdict, VerdictKind } from "make-backup-planner";
import { TransportFailure, classifyTransportError, runBackup, systemClock } from "make-backup-planner/driver";
import type { BackupResult, Clock, FailureKind, HttpReply, RunBackupOptions, Transport } from "make-backup-planner/driver";
import { createFetchTransport } from "make-backup-planner/transport-fetch";
import type { FetchTransportOptions } from "make-backup-planner/transport-fetch";

const make: MakeConfig = { zone: "eu1", organizationId: 4101, requestsPerMinute: 60 };
const committer: Committer = { name: "Bot", email: "bot@example.com" };
const github: GithubConfig = { owner: "acme", repo: "make-backup", branch: "main", committer };
const commitMode: CommitMode = "perScenario";
const config: BackupConfig = { make, github, commitMode, force: false };
// @ts-expect-error teamId is a number
const wrongType: BackupConfig = { make: { zone: "eu1", teamId: "154819" }, github: { owner: "a", repo: "b" } };
// @ts-expect-error github.repo is required
const missingRepo: BackupConfig = { make: { zone: "eu1", teamId: 1 }, github: { owner: "a" } };
// @ts-expect-error commitMode is "perScenario" | "perRun"
const wrongMode: BackupConfig = { ...config, commitMode: "sometimes" };

const engine: Engine = Engine.start(config, "2026-11-23T02:00:00.000Z", 7);
const action: Action = engine.poll("2026-11-23T02:00:00.000Z");
// @ts-expect-error `request` exists only once the action is narrowed to type "request"
void action.request;
function describe(next: Action): string {
  switch (next.type) {
    case "request": {
      const request: PlannedRequest = next.request;
      const service: Service = request.service;
      const method: Method = request.method;
      const body: string | null = request.body;
      const timeoutMs: number = request.timeoutMs;
      return `${service} ${method} ${request.url} ${body ?? ""} ${timeoutMs} ${request.purpose}`;
    }
    case "wait":
      return `${next.seconds} ${next.until} ${next.reason}`;
    case "done": {
      const summary: Summary = next.summary;
      const status: RunStatus = summary.status;
      const calls: ApiCalls = summary.apiCalls;
      const errors: RunError[] = summary.errors;
      const classes: ErrorClass[] = errors.map((error) => error.class);
      const verdicts: Verdict[] = summary.verdicts;
      const kinds: VerdictKind[] = verdicts.map((verdict) => verdict.verdict);
      const commits: CommitRecord[] = summary.commits;
      const fatal: RunError | null = summary.fatal;
      return `${status} ${summary.backedUp}/${summary.total} ${calls.make + calls.github} ${classes} ${kinds} ${commits.length} ${fatal?.code} ${next.report}`;
    }
  }
}
const requestAction: RequestAction | undefined = action.type === "request" ? action : undefined;
const waitAction: WaitAction | undefined = action.type === "wait" ? action : undefined;
const doneAction: DoneAction | undefined = action.type === "done" ? action : undefined;
const reply: Reply = { requestId: 1, status: 200, headers: { "content-type": "application/json" }, body: "{}" };
const failure: Failure = { kind: "timeout", message: "no answer" };
const failed: Reply = { requestId: 1, failure };
// @ts-expect-error failure.kind is "timeout" | "network"
const badFailure: Reply = { requestId: 1, failure: { kind: "dns", message: "x" } };
try {
  engine.handle("2026-11-23T02:00:00.000Z", reply);
} catch (error) {
  if (error instanceof CoreError) {
    const code: string = error.code;
    void code;
  }
}
const saved: string = engine.toJSON();
const restored: Engine = Engine.fromJSON(saved);
restored.free();
engine.free();
const texts: string[] = [version(), canonicalJson("{}"), gitBlobSha(""), describe(action)];

const clock: Clock = systemClock;
const transportOptions: FetchTransportOptions = { makeToken: "m", githubToken: "g", fetchImpl: fetch };
const transport: Transport = createFetchTransport(transportOptions);
const scripted: Transport = async (request: PlannedRequest): Promise<HttpReply> => ({ requestId: request.id, status: 503, headers: {}, body: "" });
const kind: FailureKind = classifyTransportError(new TransportFailure("network", "refused")).kind;
const options: RunBackupOptions = { config, transport, seed: 1, clock, onAction: (next: Action) => void describe(next) };
const result: Promise<BackupResult> = runBackup({ ...options, transport: scripted });
result.then((done) => {
  const summary: Summary = done.summary;
  const report: string = done.report;
  const requests: number = done.requests;
  return [summary, report, requests];
});

// Restore: the core plans every request; the transport only performs them.
const source: BackupSource = { apiUrl: "https://api.github.com", owner: "acme", repo: "make-backup", gitRef: null };
const restoreOptions: RestoreOptions = { makeBaseUrl: makeBaseUrl(config), mode: "create", teamId: null, folderId: null, targetScenarioId: null, start: false };
const restoring: Promise<RestoreResult> = restoreScenario({ scenarioId: 1, source, options: restoreOptions, transport: async () => ({ status: 404, body: "" }) });
restoring.then(
  (done) => {
    const roundTrip: RoundTrip = done.roundTrip;
    return [roundTrip.identical, done.restored.id, done.plan.needs.length];
  },
  (error: unknown) => (error instanceof RestoreError ? error.code : String(error)),
);
const coverage: Coverage | null = ({} as Summary).coverage;

void [coverage, wrongType, missingRepo, wrongMode, requestAction, waitAction, doneAction, failed, badFailure, texts, kind];
