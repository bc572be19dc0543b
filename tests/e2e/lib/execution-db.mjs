// Reads what n8n stored about executions, straight from its SQLite database (Node 24: node:sqlite).
// Usage: node execution-db.mjs <database.sqlite> <n8n install dir> <command> [args]
//   executions <workflowId> <afterId>  executions of a workflow with id > afterId
//   inspect <executionId>              size of the stored run data and what the planner loop did
// Prints JSON on stdout.
import { createRequire } from 'node:module';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const [dbFile, n8nDir, command, ...args] = process.argv.slice(2);
// n8n stores run data as "flatted" JSON (a JSON variant for shared references); use n8n's own copy.
const requireFromN8n = createRequire(path.join(n8nDir, 'node_modules', 'n8n', 'package.json'));
const { parse } = requireFromN8n('flatted');
const db = new DatabaseSync(dbFile, { readOnly: true });

function executions(workflowId, afterId) {
  return db
    .prepare(
      'SELECT id, status, mode, finished, startedAt, stoppedAt FROM execution_entity WHERE workflowId = ? AND CAST(id AS INTEGER) > ? ORDER BY CAST(id AS INTEGER)',
    )
    .all(workflowId, Number(afterId));
}

function inspect(executionId) {
  const row = db.prepare('SELECT data, workflowData FROM execution_data WHERE executionId = ?').get(executionId);
  if (!row) throw new Error(`no execution_data for execution ${executionId}`);
  const data = parse(row.data);
  const runData = data.resultData?.runData ?? {};
  const nodeRuns = Object.fromEntries(Object.entries(runData).map(([name, runs]) => [name, runs.length]));
  const outputs = (name) =>
    (runData[name] ?? []).flatMap((task) => (task.data?.main ?? []).flat().filter(Boolean).map((item) => item.json));
  const plannerOutputs = [...outputs('Start run'), ...outputs('Continue run')];
  const waits = plannerOutputs.filter((json) => json.action === 'wait').map((json) => json.wait);
  const waitNodeMs = (runData.Wait ?? []).map((task) => task.executionTime);
  const done = plannerOutputs.find((json) => json.action === 'done') ?? outputs('Run backup')[0] ?? null;
  const largestItemBytes = Math.max(
    0,
    ...Object.values(runData).flatMap((runs) =>
      runs.flatMap((task) => (task.data?.main ?? []).flat().filter(Boolean).map((item) => JSON.stringify(item.json).length)),
    ),
  );
  return {
    executionId,
    dataBytes: Buffer.byteLength(row.data),
    workflowDataBytes: Buffer.byteLength(row.workflowData),
    nodeRuns,
    waits,
    waitNodeMs,
    largestItemBytes,
    lastNodeExecuted: data.resultData?.lastNodeExecuted ?? null,
    error: data.resultData?.error?.message ?? null,
    doneStatus: done?.status ?? null,
    report: done?.report ?? null,
  };
}

let result;
if (command === 'executions') result = executions(args[0], args[1] ?? 0);
else if (command === 'inspect') result = inspect(args[0]);
else throw new Error(`unknown command ${command}`);
process.stdout.write(JSON.stringify(result));
