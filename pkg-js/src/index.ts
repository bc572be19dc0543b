/**
 * make-backup-planner — the planner core: decides every HTTP request of a Make.com → GitHub backup and
 * performs none of them. It is Rust compiled to WebAssembly, inlined in this package, and loads
 * synchronously with `require`. This module touches no file system, network, clock or host globals;
 * the loop that performs requests is in `make-backup-planner/driver`, an HTTP transport in
 * `make-backup-planner/transport-fetch`. Shapes of every value: src/protocol.md in the repository.
 */
import * as wasm from "./wasm/make_backup_planner_wasm";
import type {
  Action,
  BackupConfig,
  CommitPlan,
  PlanInput,
  RenderedFile,
  RenderInput,
  Reply,
  SelectInput,
  StateUpdateInput,
  Verdict,
  VerifyReport,
  SecretFinding,
  RestoreInput,
  RestoreOptions,
  RestorePlan,
  RestoredScenario,
  RoundTrip,
  BackupSource,
  DiffInput,
  ScenarioDiff,
  ScenarioDependencies,
  AuditInput,
  AuditReport,
} from "./wasm/make_backup_planner_wasm";

// Generated from the Rust types (tsify). `Request` is exported as PlannedRequest (below) so it cannot be
// confused with fetch's Request; the stage-function types are exported with the stage functions.
export type {
  Action,
  ApiCalls,
  BackupConfig,
  CommitMode,
  CommitRecord,
  Committer,
  ErrorClass,
  Failure,
  FailureKind,
  GithubConfig,
  MakeConfig,
  Method,
  Reply,
  RunError,
  RunStatus,
  Service,
  Summary,
  Verdict,
  VerdictKind,
  RenderedFile,
  RenderInput,
  SelectInput,
  PlanInput,
  CommitPlan,
  StateUpdateInput,
  StateAdvance,
  VerifyReport,
  SecretFinding,
  RestoreInput,
  RestoreMode,
  RestoreOptions,
  RestoreNeed,
  RestoreNeedKind,
  RestorePlan,
  RestoredScenario,
  RoundTrip,
  BackupSource,
  DiffInput,
  ScenarioDiff,
  ScenarioDependencies,
  AuditInput,
  AuditReport,
  Coverage,
} from "./wasm/make_backup_planner_wasm";

/** `{ type: "request" }`: perform `request`, then pass the reply to {@link Engine.handle}. */
export type RequestAction = Extract<Action, { type: "request" }>;
/** `{ type: "wait" }`: sleep `seconds`, then poll again. */
export type WaitAction = Extract<Action, { type: "wait" }>;
/** `{ type: "done" }`: the run is over; `summary` and `report` describe it. */
export type DoneAction = Extract<Action, { type: "done" }>;
/** An HTTP request the engine wants performed (it never carries credentials). */
export type PlannedRequest = RequestAction["request"];

/** An error raised by the planner core; branch on `code` (stable), show `message` (actionable). */
export class CoreError extends Error {
  /** Stable kebab-case code, e.g. `invalid-config`, `invalid-input`, `unexpected-reply`, `internal`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CoreError";
    this.code = code;
  }
}

/** Turns whatever the wasm threw into a CoreError, keeping its message and code. */
function toCoreError(error: unknown): CoreError {
  if (error instanceof CoreError) return error;
  if (error instanceof Error) {
    const code: unknown = (error as Error & { code?: unknown }).code;
    if (typeof code === "string") return new CoreError(code, error.message);
    if (error.name === "RuntimeError") {
      // A Rust panic aborts inside wasm ("unreachable"); the core is written not to panic, so this is a bug.
      return new CoreError(
        "internal",
        `the planner core crashed (${error.message}); this is a bug: please report it with the config and replies that led to it, and start a new Engine`,
        { cause: error },
      );
    }
    return new CoreError("internal", error.message, { cause: error });
  }
  return new CoreError("internal", String(error));
}

function callCore<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw toCoreError(error);
  }
}

/**
 * One backup run as a state machine. Loop: `poll(now)` → for `request` perform it and `handle(now, reply)`,
 * for `wait` sleep `seconds`, for `done` stop. `now` is always an RFC 3339 UTC timestamp from the host's clock.
 * Every method throws {@link CoreError}.
 */
export class Engine {
  #engine: wasm.Engine | undefined;

  private constructor(engine: wasm.Engine) {
    this.#engine = engine;
  }

  /** Validates `config` and starts a run. `seed` (default 0) drives retry jitter: equal inputs, equal runs. */
  static start(config: BackupConfig, now: string, seed?: number): Engine {
    // Values cross into wasm as JSON text (see pkg-js/binding/src/lib.rs for why).
    return new Engine(callCore(() => wasm.Engine.start(JSON.stringify(config), now, seed)));
  }

  /** Restores an engine saved with {@link Engine.toJSON}. */
  static fromJSON(text: string): Engine {
    return new Engine(callCore(() => wasm.Engine.fromJSON(text)));
  }

  /** The next action. While a request is outstanding it returns that same request (same `id`) again. */
  poll(now: string): Action {
    const engine = this.#live();
    return callCore(() => {
      const action = JSON.parse(engine.poll(now)) as Action;
      // Bodies (up to several MB of tree content) cross as plain strings, not inside the action's JSON.
      if (action.type === "request") action.request.body = engine.takeBody() ?? null;
      return action;
    });
  }

  /** Feeds the reply to the outstanding request: `{requestId, status, headers, body}` or `{requestId, failure}`. */
  handle(now: string, reply: Reply): void {
    const engine = this.#live();
    // The body crosses as its own string: never re-encoded inside JSON, never parsed on the way.
    const { body, ...head } = reply;
    callCore(() => engine.handle(now, JSON.stringify(head), body ?? ""));
  }

  /** The whole engine state as JSON text (to resume later, even on another machine, with {@link Engine.fromJSON}). */
  toJSON(): string {
    const engine = this.#live();
    return callCore(() => engine.toJSON());
  }

  /**
   * Releases the engine's wasm memory now rather than at garbage collection. Calling it again does nothing;
   * any other method afterwards throws a CoreError with code `engine-freed`.
   */
  free(): void {
    this.#engine?.free();
    this.#engine = undefined;
  }

  #live(): wasm.Engine {
    if (this.#engine === undefined) {
      throw new CoreError("engine-freed", "this Engine was freed; start a new one or restore one with Engine.fromJSON");
    }
    return this.#engine;
  }
}

/** Version of the planner core compiled into this package. */
export function version(): string {
  return callCore(() => wasm.version());
}

/** Canonical JSON text of any JSON text: the exact bytes the backup writes to the repository. */
export function canonicalJson(text: string): string {
  return callCore(() => wasm.canonicalJson(text));
}

/** Git blob SHA-1 (40 hex digits) of the UTF-8 bytes of `text`, as git and GitHub report it for a file. */
export function gitBlobSha(text: string): string {
  return callCore(() => wasm.gitBlobSha(text));
}

// ───────────── Stage functions: the steps of a run as pure functions, for hosts that build their own flow ─────────────

/** Verdict per scenario (new, changed, metadata-only, forced, unchanged, deleted) from raw list pages and the state text. */
export function selectScenarios(input: SelectInput): Verdict[] {
  return callCore(() => JSON.parse(wasm.selectScenarios(JSON.stringify(input))) as Verdict[]);
}

/** `blueprint.json` and `metadata.json` of one scenario, exactly as the engine renders them. */
export function renderFiles(input: RenderInput): RenderedFile[] {
  return callCore(() => wasm.renderFiles(JSON.stringify(input)) as RenderedFile[]);
}

/** `scenarios/{id}/blueprint.json` from the raw `GET /scenarios/{id}/blueprint` body. */
export function renderBlueprint(scenarioId: number, blueprintReply: string): RenderedFile {
  return callCore(() => wasm.renderBlueprint(scenarioId, blueprintReply) as RenderedFile);
}

/** Drops files the repository tree already holds and builds the commit's tree request body and message. */
export function planCommit(input: PlanInput): CommitPlan {
  return callCore(() => JSON.parse(wasm.planCommit(JSON.stringify(input))) as CommitPlan);
}

/** The next `.backup-state.json` after landed backups (advances) and deletions. */
export function nextStateFile(input: StateUpdateInput): RenderedFile {
  return callCore(() => JSON.parse(wasm.nextStateFile(JSON.stringify(input))) as RenderedFile);
}

// ───────────── Checks, restore and insight ─────────────

/** Checks a repository (raw recursive tree listing + state text): missing files, untracked files, SHA mismatches, stale entries. */
export function verifyRepository(treeListing: string, state: string | null, now: string, staleAfterHours = 26): VerifyReport {
  return callCore(() => JSON.parse(wasm.verifyRepository(treeListing, state, now, staleAfterHours)) as VerifyReport);
}

/** Secrets typed into a blueprint's modules: kind, JSON pointer and module (never the value). */
export function scanSecrets(blueprintJson: string): SecretFinding[] {
  return callCore(() => JSON.parse(wasm.scanSecrets(blueprintJson)) as SecretFinding[]);
}

/** The Make requests (create or overwrite, then optionally start) that restore a scenario from its backup files. */
export function planRestore(input: RestoreInput): RestorePlan {
  return callCore(() => JSON.parse(wasm.planRestore(JSON.stringify(input))) as RestorePlan);
}

/** The Make API root that `config.make` (zone or baseUrl) points at, e.g. `https://eu1.make.com/api/v2`. */
export function makeBaseUrl(config: BackupConfig): string {
  return callCore(() => wasm.makeBaseUrl(JSON.stringify(config)));
}

/** The two requests {@link verifyBackup} performs: the recursive tree of `source.gitRef` and its `.backup-state.json`. */
export function verifyRequests(source: BackupSource): [PlannedRequest, PlannedRequest] {
  return callCore(() => JSON.parse(wasm.verifyRequests(JSON.stringify(source))) as [PlannedRequest, PlannedRequest]);
}

export interface VerifyBackupOptions {
  /** The backup repository; `gitRef` is the branch (or tag, or commit) to check. */
  source: BackupSource;
  /** Performs a request, adding the credential of `request.service`; resolves with any HTTP status. */
  transport: (request: PlannedRequest) => Promise<RestoreReply>;
  /** RFC 3339 "now" for staleness (this module reads no clock: the host passes it). */
  now: string;
  /** A state entry older than this is stale (default 26). */
  staleAfterHours?: number;
}

/**
 * Checks a backup repository against its `.backup-state.json` (two GitHub reads): files missing for
 * tracked scenarios, untracked files, blob SHAs that differ from the state, stale entries, and an overall
 * status (healthy, degraded, critical). A repository or ref that cannot be read throws a CoreError.
 */
export async function verifyBackup(options: VerifyBackupOptions): Promise<VerifyReport> {
  const [treeRequest, stateRequest] = verifyRequests(options.source);
  const [tree, state] = await Promise.all([options.transport(treeRequest), options.transport(stateRequest)]);
  if (tree.status !== 200) {
    const hint = tree.status === 404 ? "check owner, repo and the branch name, and that the token can read the repository" : tree.status === 409 ? "the repository is empty: no backup has run yet" : "check the GitHub token and run again";
    throw new CoreError(tree.status === 409 ? "repository-empty" : "repository-unreadable", `GET ${treeRequest.url} answered HTTP ${tree.status}: ${hint}`);
  }
  if (state.status !== 200 && state.status !== 404) {
    throw new CoreError("repository-unreadable", `GET ${stateRequest.url} answered HTTP ${state.status}: check the GitHub token and run again`);
  }
  return verifyRepository(tree.body, state.status === 200 ? state.body : null, options.now, options.staleAfterHours);
}

/** The `GET contents` requests (raw) that read a scenario's blueprint.json and metadata.json from the backup. */
export function restoreFileRequests(source: BackupSource, scenarioId: number): [PlannedRequest, PlannedRequest] {
  return callCore(() => JSON.parse(wasm.restoreFileRequests(JSON.stringify(source), scenarioId)) as [PlannedRequest, PlannedRequest]);
}

/**
 * The reply (status and body text) of a restore's create, overwrite or start request → the restored
 * scenario (its id). A Make error reply throws a CoreError quoting Make and saying what to do.
 */
export function restoredScenario(status: number | null, body: string): RestoredScenario {
  return callCore(() => JSON.parse(wasm.restoredScenario(status, body)) as RestoredScenario);
}

/** The request that starts (activates) a restored scenario. */
export function restoreStartRequest(makeBaseUrl: string, scenarioId: number): PlannedRequest {
  return callCore(() => JSON.parse(wasm.restoreStartRequest(makeBaseUrl, scenarioId)) as PlannedRequest);
}

/** The request that reads back a restored scenario's blueprint, for {@link checkRestoredBlueprint}. */
export function restoreReadBackRequest(makeBaseUrl: string, scenarioId: number): PlannedRequest {
  return callCore(() => JSON.parse(wasm.restoreReadBackRequest(makeBaseUrl, scenarioId)) as PlannedRequest);
}

/** Whether what Make serves after a restore is the backed-up blueprint.json (canonically identical). */
export function checkRestoredBlueprint(blueprintReply: string, blueprintJson: string): RoundTrip {
  return callCore(() => JSON.parse(wasm.checkRestoredBlueprint(blueprintReply, blueprintJson)) as RoundTrip);
}

/** Module-level change summary of two blueprints (and their metadata). */
export function diffScenario(input: DiffInput): ScenarioDiff {
  return callCore(() => JSON.parse(wasm.diffScenario(JSON.stringify(input))) as ScenarioDiff);
}

/** Connections, webhooks, data stores, keys and data structures a scenario references. */
export function scanDependencies(scenarioId: number, blueprint: string, metadata?: string): ScenarioDependencies {
  return callCore(() => JSON.parse(wasm.scanDependencies(scenarioId, blueprint, metadata ?? null)) as ScenarioDependencies);
}

/** Coverage and per-folder inventory of the backup. */
export function buildAudit(input: AuditInput): AuditReport {
  return callCore(() => JSON.parse(wasm.buildAudit(JSON.stringify(input))) as AuditReport);
}

/** The generated README.md (audit inventory) of the backup repository. */
export function renderAuditReadme(input: AuditInput): string {
  return callCore(() => wasm.renderAuditReadme(JSON.stringify(input)));
}

/** What a restore needs of a response: its status and the body text exactly as received. */
export interface RestoreReply {
  status: number;
  body: string;
}

export interface RestoreScenarioOptions {
  /** The backed-up scenario's id: its files are `scenarios/{id}/blueprint.json` and `metadata.json`. */
  scenarioId: number;
  /** The backup repository and the ref (commit, branch or tag) to restore from. */
  source: BackupSource;
  /** Create a new scenario or overwrite one, team, folder, start, and the Make API root. */
  options: RestoreOptions;
  /** Performs a request, adding the credential of `request.service`; resolves with any HTTP status. */
  transport: (request: PlannedRequest) => Promise<RestoreReply>;
  /** Called after every request with its reply (for progress output). */
  onRequest?: (request: PlannedRequest, reply: RestoreReply) => void;
}

export interface RestoreResult {
  plan: RestorePlan;
  /** The scenario as Make created or updated it (its id is the one to open). */
  restored: RestoredScenario;
  /** Whether the start request was sent and accepted. */
  started: boolean;
  /** What Make serves now, compared with the backed-up blueprint.json. */
  roundTrip: RoundTrip;
  requests: number;
}

/** A restore step that could not be done; `code` is stable, `message` says what to do. */
export class RestoreError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "RestoreError";
    this.code = code;
  }
}

/**
 * Restores one scenario from the backup repository: reads its two files at `source.gitRef`, sends the
 * create (or overwrite) request the core plans, starts it when asked, and reads the blueprint back to
 * check it is the backed-up one. Every request is built by the core; the transport adds credentials.
 */
export async function restoreScenario(options: RestoreScenarioOptions): Promise<RestoreResult> {
  let requests = 0;
  const send = async (request: PlannedRequest): Promise<RestoreReply> => {
    requests += 1;
    const reply = await options.transport(request);
    options.onRequest?.(request, reply);
    return reply;
  };
  const at = options.source.gitRef ? ` at ${options.source.gitRef}` : "";
  const [blueprintRequest, metadataRequest] = restoreFileRequests(options.source, options.scenarioId);
  const blueprint = await send(blueprintRequest);
  if (blueprint.status !== 200) {
    throw new RestoreError(
      blueprint.status === 404 ? "backup-not-found" : "github-read-failed",
      `GET ${blueprintRequest.url} answered HTTP ${blueprint.status} (${snippet(blueprint.body)}): ` +
        (blueprint.status === 404
          ? `scenario ${options.scenarioId} has no backup${at}; check the id (the folder name under scenarios/) and the ref`
          : "check the GitHub token (Contents: read on the backup repository) and run again"),
    );
  }
  const metadata = await send(metadataRequest);
  if (metadata.status !== 200 && metadata.status !== 404) {
    throw new RestoreError("github-read-failed", `GET ${metadataRequest.url} answered HTTP ${metadata.status} (${snippet(metadata.body)}): check the GitHub token and run again`);
  }
  const plan = planRestore({
    scenarioId: options.scenarioId,
    blueprint: blueprint.body,
    metadata: metadata.status === 200 ? metadata.body : null,
    options: options.options,
  });
  let restored: RestoredScenario | undefined;
  let started = false;
  for (const request of plan.requests) {
    const reply = await send(request);
    const scenario = restoredScenario(reply.status, reply.body);
    if (request.url.endsWith("/start")) started = true;
    else restored ??= scenario;
  }
  if (restored === undefined) throw new RestoreError("restore-not-planned", "the restore plan holds no create or overwrite request");
  if (plan.startAfterCreate) {
    const reply = await send(restoreStartRequest(options.options.makeBaseUrl, restored.id));
    restoredScenario(reply.status, reply.body);
    started = true;
  }
  const readBackRequest = restoreReadBackRequest(options.options.makeBaseUrl, restored.id);
  const readBack = await send(readBackRequest);
  if (readBack.status !== 200) {
    throw new RestoreError("read-back-failed", `scenario ${restored.id} was restored, but GET ${readBackRequest.url} answered HTTP ${readBack.status} (${snippet(readBack.body)}); open it in Make to check it`);
  }
  const roundTrip = checkRestoredBlueprint(readBack.body, blueprint.body);
  return { plan, restored, started, roundTrip, requests };
}

function snippet(body: string): string {
  const text = body.replace(/\s+/g, " ").trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text || "empty body";
}
