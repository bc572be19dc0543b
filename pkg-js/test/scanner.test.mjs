// The shipped core module (dist/index.js and what it requires) must pass n8n's community-package scanner:
// no file-system access and none of the host globals it rejects.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { FORBIDDEN_IDENTIFIERS, scanCoreModule } from "../scripts/scan-core.mjs";
import { DIST_DIR, tempDir } from "./support/harness.mjs";

test("the core module contains none of the forbidden identifiers", () => {
  const { files, findings } = scanCoreModule(path.join(DIST_DIR, "index.js"));
  const relative = files.map((file) => path.relative(DIST_DIR, file)).sort();
  assert.deepEqual(relative, ["index.js", "wasm/make_backup_planner_wasm.js", "wasm/make_backup_planner_wasm_bg.wasm.js"]);
  assert.deepEqual(findings, []);
});

test("the core module does not load the driver, the transport or the CLI", () => {
  const { files } = scanCoreModule(path.join(DIST_DIR, "index.js"));
  for (const nodeOnly of ["driver.js", "transport-fetch.js", "cli.js"]) {
    assert.ok(!files.includes(path.join(DIST_DIR, nodeOnly)), `${nodeOnly} must stay out of the core module`);
  }
});

test("the scanner finds each forbidden identifier, follows requires, and ignores base64 data", (t) => {
  const temp = tempDir("scan");
  t.after(temp.remove);
  const entry = path.join(temp.dir, "entry.js");
  writeFileSync(entry, `const data = require("./data");\nmodule.exports = data;\n`);
  const base64WithWordBreaks = `${"A".repeat(40)}+fs/process+console/${"B".repeat(40)}==`;
  writeFileSync(
    path.join(temp.dir, "data.js"),
    `module.exports = Buffer.from("${base64WithWordBreaks}", "base64");\n` +
      FORBIDDEN_IDENTIFIERS.map((identifier) => `void ${identifier};`).join("\n"),
  );
  const { files, findings } = scanCoreModule(entry);
  assert.equal(files.length, 2);
  assert.deepEqual(findings.map((finding) => finding.identifier), FORBIDDEN_IDENTIFIERS);
  assert.ok(findings.every((finding) => finding.file.endsWith("data.js") && finding.line > 1));
});
