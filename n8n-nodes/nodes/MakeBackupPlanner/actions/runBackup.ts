import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { PlannedRequest, Reply } from '../core';
import { Engine } from '../core';
import { isTimeout, plainHeaders } from '../cursor';
import { readRunSettings } from '../engineConfig';

/** n8n credential type that authenticates each service's requests. */
export const CREDENTIAL_FOR_SERVICE: Record<PlannedRequest['service'], string> = {
	make: 'makeApi',
	github: 'makeBackupGithubApi',
};

/** Node/axios error codes of requests that got no HTTP answer: the engine retries those. */
const TRANSPORT_ERROR_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EPIPE',
	'ETIMEDOUT',
	'ECONNABORTED',
	'ESOCKETTIMEDOUT',
]);

interface ErrorLike {
	message?: unknown;
	code?: unknown;
	httpCode?: unknown;
	cause?: unknown;
}

/** The transport error code of a failed request, looking through n8n's NodeApiError wrapping. */
function transportErrorCode(error: unknown): string | undefined {
	for (let current = error as ErrorLike | undefined, depth = 0; current && depth < 4; depth++) {
		for (const candidate of [current.code, current.httpCode]) {
			if (typeof candidate === 'string' && TRANSPORT_ERROR_CODES.has(candidate)) return candidate;
		}
		current = current.cause as ErrorLike | undefined;
	}
	return undefined;
}

/**
 * Performs one planned request with n8n's HTTP helper; the credential adds Authorization. A response
 * of any status comes back as `{ status, headers, body }` (exact text); no response as `failure`.
 * Run backup and Restore scenario both send their requests through here.
 */
export async function perform(ctx: IExecuteFunctions, request: PlannedRequest): Promise<Reply> {
	const headers: Record<string, string> = { ...request.headers };
	if (
		request.body !== null &&
		!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
	) {
		headers['content-type'] = 'application/json';
	}
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_FOR_SERVICE[request.service],
			{
				method: request.method as IHttpRequestMethods,
				url: request.url,
				headers,
				// A string body is sent as-is: the engine already serialized it. GETs carry none.
				...(request.body !== null ? { body: request.body } : {}),
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				// Raw text in and out: `json: true` or the default encoding would re-parse the body.
				encoding: 'text',
				json: false,
				timeout: request.timeoutMs,
			},
		)) as { statusCode: number; headers: unknown; body: unknown };
		const body = response.body;
		return {
			requestId: request.id,
			status: response.statusCode,
			headers: plainHeaders(response.headers),
			body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '',
		};
	} catch (error) {
		const code = transportErrorCode(error);
		// Not a transport failure (e.g. a missing credential): stop the run.
		if (code === undefined) throw new NodeOperationError(ctx.getNode(), error as Error);
		const message = error instanceof Error ? error.message : String(error);
		return {
			requestId: request.id,
			failure: { kind: isTimeout(code, message) ? 'timeout' : 'network', message },
		};
	}
}

/** Run Backup: the whole engine loop inside this node, one run per input item. */
export async function runBackup(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const { config, seed } = readRunSettings(this, itemIndex);
	const engine = Engine.start(config, new Date().toISOString(), seed);
	const cancelSignal = this.getExecutionCancelSignal();
	try {
		for (;;) {
			const action = engine.poll(new Date().toISOString());
			if (action.type === 'request') {
				const reply = await perform(this, action.request);
				// `now` is read after the reply arrived: rate-limit windows and Retry-After count from then.
				engine.handle(new Date().toISOString(), reply);
			} else if (action.type === 'wait') {
				await sleep(Math.ceil(action.seconds * 1000), cancelSignal);
			} else {
				this.logger.info(`Make backup finished: ${action.summary.status}\n${action.report}`);
				return {
					json: {
						status: action.summary.status,
						summary: action.summary as unknown as IDataObject,
						report: action.report,
					},
				};
			}
		}
	} finally {
		// The engine lives in wasm memory: free it on success, error and cancellation alike.
		engine.free();
	}
}
