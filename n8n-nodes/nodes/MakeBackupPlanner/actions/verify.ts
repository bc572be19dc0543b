import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { VerifyReport } from '../core';
import { verifyBackup as verifyRepository } from '../core';
import { readVerifySettings } from '../engineConfig';
import { CORE_ERROR_HINTS, toNodeOperationError } from '../errors';
import { sendOnce } from './restore';

/** What to do about a verify that could not run, by error code. */
const VERIFY_HINTS: Record<string, string> = {
	...CORE_ERROR_HINTS,
	'repository-unreadable':
		'Check the Make Backup GitHub API credential (Contents: read on the backup repository), Repository Owner / Name / Branch and the GitHub API URL option.',
	'repository-empty': 'The repository has no commit yet: run a backup first.',
	'request-failed': 'A request got no response: check that GitHub is reachable and run again.',
};

/**
 * Verify Backup: one check per input item. The report is the output whatever the status (healthy,
 * degraded, critical) — an IF node on `status` decides what to alert on; only a repository that cannot be
 * read is an error.
 */
export async function verifyBackup(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const { source, staleAfterHours } = readVerifySettings(this, itemIndex);
	let report: VerifyReport;
	try {
		report = await verifyRepository({
			source,
			staleAfterHours,
			// The core reads no clock: "now" comes from the host.
			now: new Date().toISOString(),
			transport: async (request) => await sendOnce(this, request),
		});
	} catch (error) {
		throw toNodeOperationError(this.getNode(), error, itemIndex, VERIFY_HINTS);
	}
	this.logger.info(`Backup repository ${source.owner}/${source.repo}@${source.gitRef ?? ''}: ${report.status}`);
	return { json: report as unknown as IDataObject };
}
