import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Action, Reply } from './core';
import { PlannerError } from './errors';

/**
 * The item a run carries from turn to turn. Small and bounded: the run id, the turn, and what to do
 * now (one planned request, one wait, or the final summary). The engine state stays in the RunStore.
 */
export interface CursorJson extends IDataObject {
	runId: string;
	turn: number;
	action: 'request' | 'wait' | 'done';
}

/** Output JSON for an engine action: what the Route switch and the HTTP Request nodes read. */
export function cursorJson(runId: string, turn: number, action: Action): CursorJson {
	switch (action.type) {
		case 'request':
			return { runId, turn, action: 'request', request: { ...action.request } };
		case 'wait':
			return {
				runId,
				turn,
				action: 'wait',
				wait: { seconds: action.seconds, until: action.until, reason: action.reason },
			};
		case 'done':
			return doneJson(runId, turn, action);
	}
}

/** The final item: summary JSON (what Respond to Webhook sends) and the Markdown report. */
export function doneJson(
	runId: string,
	turn: number,
	action: Extract<Action, { type: 'done' }>,
): CursorJson {
	return {
		runId,
		turn,
		action: 'done',
		status: action.summary.status,
		summary: action.summary as unknown as IDataObject,
		report: action.report,
	};
}

export interface IncomingCursor {
	runId: string;
	turn: number;
	action: 'request' | 'wait';
	requestId?: number;
}

const NOT_A_CURSOR_HINT =
	'Continue Run expects the item of a run: either the Merge (by position) of the Route "request" output with the HTTP Request output, or the item coming out of the Wait node.';

/** Reads the cursor fields of an incoming item, or says what is wrong with the wiring. */
export function readCursor(json: IDataObject): IncomingCursor {
	const { runId, turn, action } = json;
	if (typeof runId !== 'string' || typeof turn !== 'number') {
		throw new PlannerError('missing-cursor', 'The item carries no run cursor (runId, turn)', {
			description: NOT_A_CURSOR_HINT,
		});
	}
	if (action === 'wait') return { runId, turn, action };
	if (action === 'request') {
		const request = json.request as IDataObject | undefined;
		const requestId = request?.id;
		if (typeof requestId !== 'number') {
			throw new PlannerError('missing-cursor', 'The item has action "request" but no request.id', {
				description: NOT_A_CURSOR_HINT,
			});
		}
		return { runId, turn, action, requestId };
	}
	if (action === 'done') {
		throw new PlannerError('run-finished', `Run ${runId} has already finished`, {
			description:
				'Route the "done" output of the loop to Respond to Webhook, not back to Continue Run.',
		});
	}
	throw new PlannerError('missing-cursor', `Unknown cursor action ${JSON.stringify(action)}`, {
		description: NOT_A_CURSOR_HINT,
	});
}

/** Axios/Node error codes that mean "no answer in time". */
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);

export function isTimeout(code: string | undefined, message: string): boolean {
	return (code !== undefined && TIMEOUT_CODES.has(code)) || /time(d)? ?out/i.test(message);
}

/**
 * What an HTTP Request error item (On Error = Continue) says about a request that got no response.
 * n8n 2.41.1 stores e.g. `{ error: { message: "The connection was aborted, perhaps the server is offline",
 * name: "NodeApiError", cause: { name: "AxiosError", message: "timeout of 5000ms exceeded" } } }`:
 * the code may be missing, so the cause's message counts too.
 */
export function failureOfErrorItem(json: IDataObject): {
	kind: 'timeout' | 'network';
	message: string;
} {
	const error = (
		typeof json.error === 'object' ? json.error : { message: String(json.error) }
	) as IDataObject;
	const cause = (
		typeof error.cause === 'object' && error.cause !== null ? error.cause : {}
	) as IDataObject;
	const details = (
		typeof json.details === 'object' && json.details !== null ? json.details : {}
	) as IDataObject;
	const texts = [error.message, cause.message].filter(
		(text): text is string => typeof text === 'string' && text !== '',
	);
	const codes = [error.code, error.httpCode, cause.code, details.httpCode].filter(
		(code): code is string => typeof code === 'string',
	);
	const message = texts.length > 0 ? [...new Set(texts)].join(': ') : JSON.stringify(json.error);
	const timedOut =
		codes.some((code) => isTimeout(code, '')) || texts.some((text) => isTimeout(undefined, text));
	return { kind: timedOut ? 'timeout' : 'network', message };
}

/** Header values as the engine wants them: lower-case names, string values. */
export function plainHeaders(headers: unknown): Record<string, string> {
	const result: Record<string, string> = {};
	if (headers === null || typeof headers !== 'object') return result;
	const source =
		typeof (headers as { toJSON?: unknown }).toJSON === 'function'
			? ((headers as { toJSON: () => unknown }).toJSON() as Record<string, unknown>)
			: (headers as Record<string, unknown>);
	for (const [name, value] of Object.entries(source)) {
		if (value === undefined || value === null) continue;
		result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return result;
}

/**
 * Turns the merged item (cursor + HTTP Request output) into the engine's Reply.
 *
 * The body is read from the HTTP node's binary output (Response Format = File), the only byte-exact
 * option: Text/JSON formats re-parse JSON and round big numbers. Items that carry `error` instead of a
 * status come from timeouts and refused connections (HTTP node setting On Error = Continue).
 */
export async function replyFromMergedItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	requestId: number,
	binaryProperty: string,
): Promise<Reply> {
	const json = item.json;
	const statusCode = json.statusCode;
	if (typeof statusCode !== 'number') {
		if (json.error !== undefined && json.error !== null) {
			return { requestId, failure: failureOfErrorItem(json) };
		}
		throw new PlannerError('missing-response', 'The item has no HTTP status code', {
			description:
				'In both HTTP Request nodes set Options → Response → Include Response Headers and Status = on, Never Error = on, Response Format = File.',
		});
	}
	let body = '';
	if (item.binary?.[binaryProperty] !== undefined) {
		body = (await ctx.helpers.getBinaryDataBuffer(itemIndex, binaryProperty)).toString('utf8');
	} else if (json.body !== undefined || json.data !== undefined) {
		throw new PlannerError(
			'response-not-file',
			'The HTTP response body arrived as JSON/text, not as a file',
			{
				description: `Set Response Format = File with "Put Output in Field" = "${binaryProperty}" in the HTTP Request nodes: other formats re-parse JSON and change the bytes.`,
			},
		);
	}
	return { requestId, status: statusCode, headers: plainHeaders(json.headers), body };
}
