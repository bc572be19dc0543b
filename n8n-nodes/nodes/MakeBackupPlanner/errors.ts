import type { INode, JsonObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** A failure of this node with a stable code (the engine's CoreError codes, or the node's own). */
export class PlannerError extends Error {
	readonly code: string;

	readonly description: string | undefined;

	constructor(code: string, message: string, extra: { description?: string } = {}) {
		super(message);
		this.name = 'PlannerError';
		this.code = code;
		this.description = extra.description;
	}
}

/** What to tell the user for engine error codes that come from a wrong setup rather than a bug. */
export const CORE_ERROR_HINTS: Record<string, string> = {
	'invalid-config':
		'Check the node settings: exactly one of Team ID / Organization ID, a zone or a base URL, and the repository owner and name.',
	'unexpected-reply':
		'The response does not belong to the request this run is waiting for. Feed each HTTP Request response back exactly once, merged by position with the item that planned it.',
	'invalid-state': 'The saved run state cannot be read; start a new run.',
};

/** The code of any thrown value: PlannerError/CoreError `code`, else a generic one. */
export function errorCode(error: unknown): string {
	if (error === null || typeof error !== 'object') return 'internal';
	const { code, context, httpCode } = error as {
		code?: unknown;
		context?: { code?: unknown };
		httpCode?: unknown;
	};
	for (const candidate of [code, context?.code, httpCode]) {
		if (typeof candidate === 'string' && candidate !== '') return candidate;
	}
	return 'internal';
}

export function errorMessage(error: unknown): string {
	if (error instanceof Error) return error.message;
	return String(error);
}

/**
 * Wraps anything thrown while handling item `itemIndex` into the NodeOperationError n8n shows; the
 * description comes from a PlannerError, else `hints` by code.
 */
export function toNodeOperationError(
	node: INode,
	error: unknown,
	itemIndex: number,
	hints: Record<string, string> = CORE_ERROR_HINTS,
): NodeOperationError {
	if (error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	const code = errorCode(error);
	const description =
		(error instanceof PlannerError ? error.description : undefined) ??
		hints[code] ??
		`Make Backup Planner failed with code "${code}".`;
	const wrapped = new NodeOperationError(node, errorMessage(error), { itemIndex, description });
	wrapped.context.code = code;
	return wrapped;
}

/** The `continueOnFail` item body: `{ error: { message, code } }`. */
export function errorItemJson(error: unknown): JsonObject {
	return { error: { message: errorMessage(error), code: errorCode(error) } };
}
