import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { PlannedRequest, RestoreReply, RestoreResult } from '../core';
import { restoreScenario as restoreFromBackup } from '../core';
import { readRestoreSettings } from '../engineConfig';
import { CORE_ERROR_HINTS, PlannerError, toNodeOperationError } from '../errors';
import { perform } from './runBackup';

/** What to do about a failed restore, by error code (the message says what happened). */
const RESTORE_HINTS: Record<string, string> = {
	...CORE_ERROR_HINTS,
	'backup-not-found':
		'Check Scenario ID (the folder name under scenarios/ in the backup repository) and Git Ref / Branch: the backup has no blueprint.json for it there.',
	'github-read-failed':
		'Check the Make Backup GitHub API credential (Contents: read on the backup repository), Repository Owner / Name and the GitHub API URL option.',
	'read-back-failed':
		'The scenario was restored, but reading its blueprint back failed: open it in Make and check it.',
	'request-failed':
		'A request got no response. Check that the Make API and GitHub are reachable. If it was the create request, look in Make for a new scenario before running again.',
	'restore-not-identical':
		'The scenario was restored, but Make serves a blueprint that differs from the backup (see the first difference in the message). Open it in Make and compare it with blueprint.json of that commit.',
	'invalid-input':
		'Make rejected the restore or the backup files cannot be restored (see the message): check the Make API credential (scopes scenarios:read and scenarios:write), the team and folder, or restore another commit.',
	'invalid-config':
		'Check Make Zone / Make Base URL, the repository settings and, for a backup without metadata.json, set Team ID under Options.',
};

/** A planned request through n8n's HTTP helper, once; a request without a response stops the operation. */
export async function sendOnce(ctx: IExecuteFunctions, request: PlannedRequest): Promise<RestoreReply> {
	const reply = await perform(ctx, request);
	if (reply.failure) {
		throw new PlannerError(
			'request-failed',
			`${request.method} ${request.url} got no response (${reply.failure.kind}: ${reply.failure.message ?? 'no detail'}); nothing was retried`,
		);
	}
	return { status: reply.status ?? 0, body: reply.body ?? '' };
}

/** Restore Scenario: one restore per input item, through the Make API and GitHub credentials. */
export async function restoreScenario(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const { scenarioId, source, options } = readRestoreSettings(this, itemIndex);
	const gitRef = source.gitRef ?? null;
	let result: RestoreResult;
	try {
		result = await restoreFromBackup({
			scenarioId,
			source,
			options,
			transport: async (request) => await sendOnce(this, request),
		});
	} catch (error) {
		// Core, restore and transport errors keep their code and message; the description says what to do.
		throw toNodeOperationError(this.getNode(), error, itemIndex, RESTORE_HINTS);
	}
	const { plan, restored, roundTrip } = result;
	if (!roundTrip.identical) {
		throw new PlannerError(
			'restore-not-identical',
			`scenario ${scenarioId} was restored as scenario ${restored.id} from ${gitRef ?? 'the default branch'}, but Make serves a different blueprint: ${roundTrip.firstDifference ?? 'no difference reported'}`,
			{ description: RESTORE_HINTS['restore-not-identical'] },
		);
	}
	this.logger.info(
		`Make scenario ${scenarioId} restored from ${gitRef ?? 'the default branch'} as scenario ${restored.id} (${plan.mode}${result.started ? ', started' : ''}); blueprint identical (${roundTrip.backupSha})`,
	);
	return {
		json: {
			status: 'restored',
			scenarioId: restored.id,
			sourceScenarioId: plan.sourceScenarioId ?? scenarioId,
			gitRef,
			mode: plan.mode,
			started: result.started,
			identical: roundTrip.identical,
			name: plan.name,
			blueprintSha: roundTrip.backupSha,
			needs: plan.needs as unknown as IDataObject[],
			warnings: plan.warnings,
			requests: result.requests,
		},
	};
}
