import { randomUUID } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { Engine } from './core';
import { PlannerError } from './errors';

/**
 * Where a run's engine lives between turns of the workflow loop.
 *
 * n8n stores every node's output items of every turn, so the items only carry a small cursor
 * (run id + turn). The engine itself (inventory, state, queue — it grows with the scenario count)
 * stays in this process's memory, keyed by run id, so concurrent runs never share anything.
 * A snapshot also goes into the workflow's static data whenever the run is about to wait: a wait
 * of 65 s or more parks the execution in the database, and if n8n restarts meanwhile the resumed
 * execution finds its engine there. Both copies are removed when the run ends.
 */
export interface LiveRun {
	engine: Engine;
	/** Turn of the cursor most recently emitted for this run. */
	turn: number;
	touchedAt: number;
}

interface SavedRun extends IDataObject {
	turn: number;
	state: string;
	savedAt: string;
}

const liveRuns = new Map<string, LiveRun>();

/** Key of the snapshots in the workflow's global static data. */
export const STATIC_DATA_KEY = 'makeBackupPlannerRuns';

/** A run untouched this long was abandoned (its execution failed or was stopped): drop its engine. */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

export class RunStore {
	constructor(private readonly staticData: IDataObject) {}

	/** The snapshots in static data; created only to write one (n8n saves static data that changed). */
	private snapshots(create = false): Record<string, SavedRun> {
		const existing = this.staticData[STATIC_DATA_KEY];
		if (existing !== null && typeof existing === 'object' && !Array.isArray(existing)) {
			return existing as Record<string, SavedRun>;
		}
		const created: Record<string, SavedRun> = {};
		if (create) this.staticData[STATIC_DATA_KEY] = created;
		return created;
	}

	/** Registers a new run at turn 1 and returns its id. */
	create(engine: Engine, nowMs: number): string {
		this.evictAbandoned(nowMs);
		const runId = randomUUID();
		liveRuns.set(runId, { engine, turn: 1, touchedAt: nowMs });
		return runId;
	}

	/** The run's engine for an incoming cursor; the cursor must be the latest one emitted. */
	resume(runId: string, turn: number, nowMs: number): LiveRun {
		let live = liveRuns.get(runId);
		if (live === undefined) {
			const saved = this.snapshots()[runId];
			if (saved === undefined) {
				throw new PlannerError('unknown-run', `Run ${runId} is not active in this n8n process`, {
					description:
						'The run already finished, or it was started in another n8n process, or n8n restarted while it was running. Start a new run.',
				});
			}
			live = { engine: Engine.fromJSON(saved.state), turn: saved.turn, touchedAt: nowMs };
			liveRuns.set(runId, live);
		}
		if (turn !== live.turn) {
			throw new PlannerError(
				'stale-cursor',
				`Run ${runId} is at turn ${live.turn}, but this item carries turn ${turn}`,
				{
					description:
						'Each item of a run must reach Continue Run exactly once. Check that no node duplicates or replays the items of the loop.',
				},
			);
		}
		live.touchedAt = nowMs;
		return live;
	}

	/** Saves the engine into static data (before a wait that may park the execution). */
	checkpoint(runId: string, live: LiveRun, now: string): void {
		this.snapshots(true)[runId] = { turn: live.turn, state: live.engine.toJSON(), savedAt: now };
	}

	/** Forgets a finished run, in memory and in static data. */
	finish(runId: string): void {
		const live = liveRuns.get(runId);
		liveRuns.delete(runId);
		// Releases the engine's wasm memory now rather than at garbage collection.
		live?.engine.free();
		const snapshots = this.snapshots();
		if (runId in snapshots) delete snapshots[runId];
		if (Object.keys(snapshots).length === 0 && STATIC_DATA_KEY in this.staticData) {
			delete this.staticData[STATIC_DATA_KEY];
		}
	}

	private evictAbandoned(nowMs: number): void {
		for (const [runId, live] of liveRuns) {
			if (nowMs - live.touchedAt > ABANDONED_AFTER_MS) {
				liveRuns.delete(runId);
				live.engine.free();
			}
		}
		const snapshots = this.snapshots();
		for (const [runId, saved] of Object.entries(snapshots)) {
			if (nowMs - Date.parse(saved.savedAt) > ABANDONED_AFTER_MS) delete snapshots[runId];
		}
	}
}

/** Number of runs whose engine is held in memory (for tests and diagnostics). */
export function liveRunCount(): number {
	return liveRuns.size;
}
