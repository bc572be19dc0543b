import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

// WIP: wired to the core's stage functions once pkg-js exports them.
export const STAGE_OPERATIONS = ['selectScenarios', 'renderFiles', 'planCommit', 'updateState'];
export const stageProperties: INodeProperties[] = [];
export async function runStage(
	this: IExecuteFunctions,
	operation: string,
	_itemIndex: number,
	_item: INodeExecutionData,
): Promise<IDataObject> {
	throw new Error(`${operation} is not wired yet`);
}
