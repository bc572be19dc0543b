// The golden render cases shared with the Rust and wasm tests (tests/golden/cases.json): the built package
// must produce the same bytes.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderFiles, renderBlueprint, gitBlobSha, canonicalJson } from "../dist/index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fixture = (name) => readFileSync(path.join(ROOT, "tests/fixtures/make", name), "utf8");
const golden = (name) => readFileSync(path.join(ROOT, "tests/golden", name), "utf8");
const { cases } = JSON.parse(golden("cases.json"));

for (const c of cases) {
  test(`golden case ${c.name}: renderFiles gives the golden bytes`, () => {
    const input = {
      listing: fixture(c.listing),
      blueprintReply: fixture(c.blueprintReply),
      previousMetadata: c.previousMetadata ? fixture(c.previousMetadata) : null,
      state: c.state ? fixture(c.state) : null,
      organizationId: c.organizationId ?? null,
      now: c.now,
      backupHistoryLimit: c.backupHistoryLimit ?? null,
    };
    const files = renderFiles(input);
    assert.equal(files.length, 2);
    for (const file of files) {
      const expected = golden(`${c.name}/${file.path.split("/").pop()}`);
      assert.equal(file.content, expected, `${c.name}: ${file.path}`);
      assert.equal(file.blobSha, gitBlobSha(expected));
      assert.equal(file.size, Buffer.byteLength(expected));
      assert.equal(canonicalJson(file.content), file.content);
    }
    const blueprint = renderBlueprint(Number(JSON.parse(input.listing).id), input.blueprintReply);
    assert.equal(blueprint.content, golden(`${c.name}/blueprint.json`));
  });
}
