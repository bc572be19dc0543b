import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { Engine } from '../core';
import { cursorJson, readCursor, replyFromMergedItem } from '../cursor';
import { readRunSettings } from '../engineConfig';
import type { LiveRun } from '../runStore';
import { RunStore } from '../runStore';

/** Global (not per-node) static data: Start Run and Continue Run are different nodes sharing runs. */
function runStore(ctx: IExecuteFunctions): RunStore {
	return new RunStore(ctx.getWorkflowStaticData('global'));
}

/** Start Run: one new run per input item; emits the run's first action as a cursor item. */
export async function startRun(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const { config, seed } = readRunSettings(this, itemIndex);
	const now = new Date();
	const engine = Engine.start(config, now.toISOString(), seed);
	const store = runStore(this);
	const runId = store.create(engine, now.getTime());
	const live = store.resume(runId, 1, now.getTime());
	let emitted = false;
	try {
		const output = emit(this, store, runId, live);
		emitted = true;
		return output;
	} finally {
		if (!emitted) store.finish(runId);
	}
}

/** Continue Run: feeds the response (or the finished wait) into the run and emits its next action. */
export async function continueRun(
	this: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
): Promise<INodeExecutionData> {
	const cursor = readCursor(item.json);
	const now = new Date();
	const store = runStore(this);
	const live = store.resume(cursor.runId, cursor.turn, now.getTime());
	let emitted = false;
	try {
		if (cursor.action === 'request') {
			const binaryProperty = this.getNodeParameter(
				'responseBinaryProperty',
				itemIndex,
				'data',
			) as string;
			const reply = await replyFromMergedItem(
				this,
				itemIndex,
				item,
				cursor.requestId as number,
				binaryProperty,
			);
			live.engine.handle(now.toISOString(), reply);
		}
		live.turn += 1;
		const output = emit(this, store, cursor.runId, live);
		emitted = true;
		return output;
	} finally {
		// A run that cannot go on from this item (its reply is lost) is dropped right away.
		if (!emitted) store.finish(cursor.runId);
	}
}

function emit(
	ctx: IExecuteFunctions,
	store: RunStore,
	runId: string,
	live: LiveRun,
): INodeExecutionData {
	const now = new Date().toISOString();
	const action = live.engine.poll(now);
	if (action.type === 'wait') store.checkpoint(runId, live, now);
	if (action.type === 'done') {
		store.finish(runId);
		ctx.logger.info(
			`Make backup run ${runId} finished: ${action.summary.status}\n${action.report}`,
		);
	}
	return { json: cursorJson(runId, live.turn, action) };
}
