/**
 * The host loop of src/protocol.md: poll the engine, perform each request through a transport, sleep
 * through waits, until the engine is done. Node-only conveniences (timers, the system clock) live here,
 * not in the core module.
 */
import { Engine } from "./index";
import type { Action, BackupConfig, FailureKind, PlannedRequest, Reply, Summary } from "./index";

export type { FailureKind };

/** A response as the engine needs it: status, lower-case headers, and the body text exactly as received. */
export interface HttpReply {
  requestId: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Performs one planned request, adding the credential for `request.service`. Resolve with the response
 * (any status, including 4xx/5xx); reject only when no response arrived — with a {@link TransportFailure}
 * to say whether it timed out, or with any other error (treated as a network failure).
 */
export type Transport = (request: PlannedRequest) => Promise<HttpReply>;

/**
 * Thrown by a transport when no response arrived: `timeout` (no answer within `request.timeoutMs`) or
 * `network` (refused, reset, DNS). The message must not contain credentials.
 */
export class TransportFailure extends Error {
  readonly kind: FailureKind;

  constructor(kind: FailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransportFailure";
    this.kind = kind;
  }
}

/** Where the driver gets `now` and how it waits; inject a fake one in tests to skip real waiting. */
export interface Clock {
  /** The current time as RFC 3339 UTC, e.g. `2026-11-23T02:00:00.000Z`. */
  now(): string;
  sleep(ms: number): Promise<void>;
}

/** The machine's clock and real timers. */
export const systemClock: Clock = {
  now: () => new Date().toISOString(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RunBackupOptions {
  config: BackupConfig;
  transport: Transport;
  /** Drives retry jitter (default 0). */
  seed?: number;
  /** Defaults to {@link systemClock}. */
  clock?: Clock;
  /** Called with every action the engine returns (for progress output), before it is carried out. */
  onAction?: (action: Action) => void;
}

export interface BackupResult {
  summary: Summary;
  /** The run as Markdown. */
  report: string;
  /** How many requests the transport was asked to perform. */
  requests: number;
}

// Error codes node and undici put on errors (or their `cause`) when a request timed out.
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** Describes a transport rejection as the engine's `failure`: timeout or network, with a message. */
export function classifyTransportError(error: unknown): { kind: FailureKind; message: string } {
  if (error instanceof TransportFailure) return { kind: error.kind, message: error.message };
  const chain: unknown[] = [error];
  for (let cause = causeOf(error); cause !== undefined && chain.length < 5; cause = causeOf(cause)) chain.push(cause);
  const timedOut = chain.some((link) => {
    if (!(link instanceof Error)) return false;
    const code: unknown = (link as Error & { code?: unknown }).code;
    return link.name === "TimeoutError" || link.name === "AbortError" || (typeof code === "string" && TIMEOUT_CODES.has(code));
  });
  const message = chain.map((link) => (link instanceof Error ? link.message : String(link))).join(": ");
  return { kind: timedOut ? "timeout" : "network", message };
}

function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}

/** Runs one backup to completion: `Engine.start`, then the poll/perform/handle loop of src/protocol.md. */
export async function runBackup(options: RunBackupOptions): Promise<BackupResult> {
  const clock = options.clock ?? systemClock;
  const engine = Engine.start(options.config, clock.now(), options.seed);
  let requests = 0;
  try {
    for (;;) {
      const action = engine.poll(clock.now());
      options.onAction?.(action);
      switch (action.type) {
        case "request": {
          requests += 1;
          const reply = await perform(options.transport, action.request);
          // `now` is read after the reply arrived: rate-limit windows and Retry-After count from then.
          engine.handle(clock.now(), reply);
          break;
        }
        case "wait":
          await clock.sleep(Math.max(0, action.seconds * 1000));
          break;
        case "done":
          return { summary: action.summary, report: action.report, requests };
      }
    }
  } finally {
    engine.free();
  }
}

/** Performs a request; a rejected transport becomes a `failure` reply instead of ending the run. */
async function perform(transport: Transport, request: PlannedRequest): Promise<Reply> {
  try {
    const response = await transport(request);
    // Only the protocol's fields: the core rejects unknown ones.
    return { requestId: request.id, status: response.status, headers: response.headers, body: response.body };
  } catch (error) {
    return { requestId: request.id, failure: classifyTransportError(error) };
  }
}

// Restore lives with the core functions (no timers): re-exported here for driver users.
export { RestoreError, restoreScenario } from "./index";
export type { RestoreResult, RestoreScenarioOptions } from "./index";
