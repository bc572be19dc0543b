// Validate a response against GitHub's official OpenAPI description (@octokit/openapi,
// generated/api.github.com.json): find the operation by operationId, take the schema of the
// response for that status (following $refs into components), and validate with Ajv.
// OpenAPI 3.0 `nullable` is turned into JSON Schema (type null) first, and `oneOf` is read as
// `anyOf`: GitHub's error unions overlap (a plain {message, documentation_url} matches both
// basic-error and repository-rule-violation-error), so "exactly one" can never hold for them.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const SPEC_ID = 'https://openapi.invalid/api.github.com.json';

let cached;

function toJsonSchema(node) {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    // Documentation-only keys; `discriminator` needs Ajv's special mode and adds nothing oneOf lacks.
    if (key === 'example' || key === 'examples' || key === 'discriminator' || key === 'nullable' || key.startsWith('x-')) continue;
    out[key === 'oneOf' ? 'anyOf' : key] = toJsonSchema(value);
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [{ type: 'null' }, out] };
    }
  }
  return out;
}

function load() {
  if (cached) return cached;
  const specPath = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  const operations = new Map();
  for (const [route, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation && typeof operation === 'object' && operation.operationId) operations.set(operation.operationId, { route, method, operation });
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // Formats the description uses that Ajv does not know: accept them.
  for (const name of ['int32', 'int64', 'double', 'binary', 'repo.nwo', 'timestamp']) ajv.addFormat(name, true);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: toJsonSchema(spec.components.schemas) } });
  cached = { spec, operations, ajv, validators: new Map() };
  return cached;
}

function resolveRef(spec, value) {
  let current = value;
  while (current && current.$ref) {
    const parts = current.$ref.replace(/^#\//, '').split('/');
    current = parts.reduce((node, part) => node[part], spec);
  }
  return current;
}

/** The JSON schema pointer for an operation's response, e.g. ("git/get-ref", 200). */
function responseSchema(operationId, status, mediaType) {
  const { spec, operations } = load();
  const entry = operations.get(operationId);
  if (!entry) throw new Error(`unknown operationId ${operationId}`);
  const response = resolveRef(spec, entry.operation.responses[String(status)]);
  if (!response) throw new Error(`${operationId} declares no ${status} response (declared: ${Object.keys(entry.operation.responses).join(', ')})`);
  const content = response.content?.[mediaType];
  if (!content) throw new Error(`${operationId} ${status} has no ${mediaType} body`);
  return content.schema;
}

/** Throws (with Ajv's errors) unless `body` matches the declared response schema. */
export function assertMatchesOpenApi(operationId, status, body, mediaType = 'application/json') {
  const { ajv, validators } = load();
  const key = `${operationId} ${status} ${mediaType}`;
  let validate = validators.get(key);
  if (!validate) {
    const schema = responseSchema(operationId, status, mediaType);
    // Re-root the (possibly inline) schema so its "#/components/…" refs point into the spec.
    const rebased = JSON.parse(JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/', `"${SPEC_ID}#/components/`));
    validate = ajv.compile(rebased);
    validators.set(key, validate);
  }
  if (!validate(body)) {
    const details = validate.errors.map((error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`).join('\n');
    throw new Error(`${operationId} ${status} response does not match the OpenAPI schema:\n${details}\nbody: ${JSON.stringify(body).slice(0, 2000)}`);
  }
}

/** Validate against a named component schema (for statuses an operation does not declare, e.g. 401). */
export function assertMatchesComponent(name, body) {
  const { ajv, validators } = load();
  const key = `component ${name}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
    validators.set(key, validate);
  }
  if (!validate(body)) throw new Error(`body does not match ${name}: ${JSON.stringify(validate.errors)}`);
}
