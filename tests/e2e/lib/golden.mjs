// Golden renders of the backup files, computed outside n8n from what the Make simulator serves, with the
// core's own canonical JSON (pkg-js/dist, the same build the package vendors). Byte comparison with the
// repository then proves that nothing on the way through n8n (HTTP Request node, binary data, items,
// Merge) changed a byte.
import { createRequire } from 'node:module';
import path from 'node:path';

const REPO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const core = createRequire(import.meta.url)(path.join(REPO_DIR, 'pkg-js', 'dist', 'index.js'));

/**
 * The exact source text of the value at `keys` (e.g. ["response", "blueprint"]) in a JSON text, found by
 * scanning (never parsing numbers, so 20-digit ids stay as they are).
 */
export function jsonValueText(text, keys) {
  let position = 0;
  const skipSpace = () => {
    while (/\s/.test(text[position] ?? '')) position++;
  };
  const stringEnd = (start) => {
    let i = start + 1;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    return i + 1;
  };
  const valueEnd = (start) => {
    if (text[start] === '"') return stringEnd(start);
    if (text[start] !== '{' && text[start] !== '[') {
      let i = start;
      while (i < text.length && !/[,\]}\s]/.test(text[i])) i++;
      return i;
    }
    let depth = 0;
    let i = start;
    do {
      if (text[i] === '"') {
        i = stringEnd(i);
        continue;
      }
      if (text[i] === '{' || text[i] === '[') depth++;
      if (text[i] === '}' || text[i] === ']') depth--;
      i++;
    } while (depth > 0);
    return i;
  };
  for (const key of keys) {
    skipSpace();
    if (text[position] !== '{') throw new Error(`no object where "${key}" is expected`);
    position++;
    for (;;) {
      skipSpace();
      if (text[position] === '}') throw new Error(`key "${key}" not found`);
      const keyEnd = stringEnd(position);
      const name = JSON.parse(text.slice(position, keyEnd));
      position = keyEnd;
      skipSpace();
      position++; // ':'
      skipSpace();
      if (name === key) break;
      position = valueEnd(position);
      skipSpace();
      if (text[position] === ',') position++;
    }
  }
  skipSpace();
  return text.slice(position, valueEnd(position));
}

/** scenarios/{id}/blueprint.json as the backup must write it: canonical JSON of `response.blueprint`. */
export function goldenBlueprintFile(blueprintReplyText) {
  return core.canonicalJson(jsonValueText(blueprintReplyText, ['response', 'blueprint']));
}

/**
 * Both files of a scenario exactly as a run at `now` must have written them (the core's renderFiles:
 * listed fields, blueprint reply, backup history carried from the previous metadata and state).
 */
export function goldenScenarioFiles({ listing, blueprintReply, previousMetadata, state, organizationId, now }) {
  const files = core.renderFiles({ listing, blueprintReply, previousMetadata, state, organizationId, now, backupHistoryLimit: 100 });
  return Object.fromEntries(files.map((file) => [file.path, file.content]));
}
