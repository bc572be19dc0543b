//! Thin wasm-bindgen binding of the `make_backup_planner` core for the `make-backup-planner` npm package.
//!
//! Values cross the boundary as JSON text: the TypeScript wrapper (`pkg-js/src/index.ts`) stringifies
//! inputs and parses outputs, and response bodies cross as plain strings, never inside JSON. Why text and
//! not serde-wasm-bindgen objects: every serde format a type is (de)serialized with instantiates that
//! type's serde code again, and text keeps it to one format (serde_json, which the engine's own
//! `toJSON`/`fromJSON` needs anyway): the shipped wasm is a fraction of the size and loads faster, and V8's
//! `JSON.parse` is faster than converting objects field by field (wasm-toolchain.md §8). The TS types of
//! every value are generated from the Rust types (tsify) and shapes are documented in `src/protocol.md`.
//!
//! Every error leaves through [`to_js_error`]: a JS `Error` whose `message` is the core's Display text
//! and whose `code` is the core's stable `Error::code()` (`invalid-input` for input of the wrong shape).

use make_backup_planner as planner;
use planner::stages;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

/// `code` of errors about input that does not have the documented shape.
const INVALID_INPUT: &str = "invalid-input";
/// `code` of errors that are bugs in the binding or core, never the caller's fault.
const INTERNAL: &str = "internal";
/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The one place an error becomes a JS value: `Error` with `message` and a stable `code` property.
fn to_js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh, unfrozen Error cannot fail; if it somehow did, the original
    // error must still reach the caller, so the result is deliberately ignored.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}

fn core_error(error: planner::Error) -> JsValue {
    to_js_error(error.code(), &error.to_string())
}

/// Parses JSON input text into a core type; serde_json's message names the field (`unknown field
/// \`teamID\``, `missing field \`owner\``) and the position.
fn parse<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, JsValue> {
    serde_json::from_str(text).map_err(|error| {
        to_js_error(INVALID_INPUT, &format!("invalid {what}: {error}; fix it (shapes: src/protocol.md, section {what})"))
    })
}

/// Parses the config, naming the field path (`make.teamId`) of a mistake: config is typed by hand, so
/// the path is worth the extra code here (it is not used for machine-made inputs, to keep the wasm small).
fn parse_config(text: &str) -> Result<planner::BackupConfig, JsValue> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let location = if path == "." { String::new() } else { format!(" at `{path}`") };
        let message = format!("invalid Config{location}: {}; fix it (shapes: src/protocol.md, section Config)", error.into_inner());
        to_js_error(INVALID_INPUT, &message)
    })
}

/// A rendered file as a plain JS object: the content crosses as a string, not escaped inside JSON.
fn file_to_js(file: planner::files::RenderedFile) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in [
        ("path", JsValue::from_str(&file.path)),
        ("content", JsValue::from_str(&file.content)),
        ("blobSha", JsValue::from_str(&file.blob_sha)),
        ("size", JsValue::from_f64(file.size as f64)),
    ] {
        // Defining a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &value);
    }
    object.into()
}

/// Writes a core value as JSON text for the wrapper to `JSON.parse`.
fn to_json<T: Serialize>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value)
        .map_err(|error| to_js_error(INTERNAL, &format!("could not serialize a core value (a bug): {error}")))
}

/// One backup run as a state machine: `start`, then loop `poll` → perform the request or wait →
/// `handle` the reply, until `poll` returns `{ type: "done" }`. It performs no I/O and reads no clock.
#[wasm_bindgen]
pub struct Engine {
    inner: planner::Engine,
    /// Body of the request `poll` returned last; handed over by `takeBody` as a plain string, so a
    /// multi-MB tree body is not escaped into the action's JSON and parsed back out.
    body: Option<String>,
}

#[wasm_bindgen]
impl Engine {
    /// Validates the config (JSON text of `BackupConfig`) and starts a run at `now` (RFC 3339 UTC).
    /// `seed` (default 0, a non-negative integer) drives retry jitter, so equal inputs give equal runs.
    #[wasm_bindgen(js_name = start)]
    pub fn start(config: &str, now: &str, seed: Option<f64>) -> Result<Self, JsValue> {
        let config = parse_config(config)?;
        let seed = match seed {
            None => 0,
            // Checked integral and in range, so the cast is exact.
            Some(seed) if (0.0..=MAX_SAFE_INTEGER).contains(&seed) && seed.fract() == 0.0 => seed as u64,
            Some(seed) => {
                let message = format!("invalid seed {seed}: pass a non-negative whole number (or omit it for 0)");
                return Err(to_js_error(INVALID_INPUT, &message));
            }
        };
        planner::Engine::start(config, now, seed).map(|inner| Self { inner, body: None }).map_err(core_error)
    }

    /// The next thing to do at `now`, as JSON text of `Action`. While a request is outstanding it
    /// returns that same request again.
    /// A request's `body` is `null` in that text: fetch it with `takeBody()`.
    pub fn poll(&mut self, now: &str) -> Result<String, JsValue> {
        let mut action = self.inner.poll(now).map_err(core_error)?;
        self.body = match &mut action {
            planner::Action::Request { request } => request.body.take(),
            _ => None,
        };
        to_json(&action)
    }

    /// The body (JSON text) of the request the last `poll` returned, or `undefined` if it has none.
    #[wasm_bindgen(js_name = takeBody)]
    pub fn take_body(&mut self) -> Option<String> {
        self.body.take()
    }

    /// Feeds the reply for the outstanding request: `reply` is JSON text of `Reply` without its body
    /// (`requestId`, `status`, `headers`, or `failure`), `body` the exact response text.
    pub fn handle(&mut self, now: &str, reply: &str, body: String) -> Result<(), JsValue> {
        let mut reply: planner::Reply = parse(reply, "Reply")?;
        reply.body = body;
        self.inner.handle(now, reply).map_err(core_error)
    }

    /// The whole engine state as JSON text, to resume later with `Engine.fromJSON`.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.inner.to_json().map_err(core_error)
    }

    /// Restores an engine from the text `toJSON` returned.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<Self, JsValue> {
        planner::Engine::from_json(text).map(|inner| Self { inner, body: None }).map_err(core_error)
    }
}

/// Version of the planner core compiled into this module.
#[wasm_bindgen]
pub fn version() -> String {
    planner::VERSION.to_owned()
}

/// Canonical JSON text (the exact bytes the backup writes) of any JSON text.
#[wasm_bindgen(js_name = canonicalJson)]
pub fn canonical_json(text: &str) -> Result<String, JsValue> {
    planner::canonical_json(text).map_err(core_error)
}

/// Git blob SHA-1 (hex) of the UTF-8 bytes of `text`, as GitHub reports it for a file.
#[wasm_bindgen(js_name = gitBlobSha)]
pub fn git_blob_sha(text: &str) -> String {
    planner::git_blob_sha(text.as_bytes())
}

// ───────────── Stage functions: JSON text of the input type in, JSON text of the output out ─────────────

/// `SelectInput` → `Verdict[]`.
#[wasm_bindgen(js_name = selectScenarios)]
pub fn select_scenarios(input: &str) -> Result<String, JsValue> {
    let input: stages::SelectInput = parse(input, "SelectInput")?;
    to_json(&stages::select_scenarios_for(&input).map_err(core_error)?)
}

/// `RenderInput` → `RenderedFile[]` (blueprint.json and metadata.json of one scenario), as JS objects.
#[wasm_bindgen(js_name = renderFiles, unchecked_return_type = "RenderedFile[]")]
pub fn render_files(input: &str) -> Result<js_sys::Array, JsValue> {
    let input: stages::RenderInput = parse(input, "RenderInput")?;
    let files = stages::render_files(&input).map_err(core_error)?;
    Ok(files.into_iter().map(file_to_js).collect())
}

/// Raw blueprint reply text → `RenderedFile` of `scenarios/{id}/blueprint.json` (the hot path), as a JS object.
#[wasm_bindgen(js_name = renderBlueprint, unchecked_return_type = "RenderedFile")]
pub fn render_blueprint(scenario_id: f64, blueprint_reply: &str) -> Result<JsValue, JsValue> {
    if !(0.0..=MAX_SAFE_INTEGER).contains(&scenario_id) || scenario_id.fract() != 0.0 {
        return Err(to_js_error(INVALID_INPUT, &format!("invalid scenario id {scenario_id}: pass a Make scenario id")));
    }
    // Checked integral and in range above, so the cast is exact.
    Ok(file_to_js(stages::render_blueprint_file(scenario_id as u64, blueprint_reply).map_err(core_error)?))
}

/// `PlanInput` → `CommitPlan`.
#[wasm_bindgen(js_name = planCommit)]
pub fn plan_commit(input: &str) -> Result<String, JsValue> {
    let input: stages::PlanInput = parse(input, "PlanInput")?;
    to_json(&stages::plan_commit_for(&input).map_err(core_error)?)
}

/// `StateUpdateInput` → `RenderedFile` of `.backup-state.json`.
#[wasm_bindgen(js_name = nextStateFile)]
pub fn next_state_file(input: &str) -> Result<String, JsValue> {
    let input: stages::StateUpdateInput = parse(input, "StateUpdateInput")?;
    to_json(&stages::next_state_file_for(&input))
}

// ───────────── Checks, restore and insight (issues 4 and 5): the same JSON-text convention ─────────────

/// Raw `GET git/trees/{sha}?recursive=1` body + `.backup-state.json` text → `VerifyReport`
/// (healthy / degraded / critical; stale entries older than `staleAfterHours`, default 26).
#[wasm_bindgen(js_name = verifyRepository)]
pub fn verify_repository(tree_listing: &str, state: Option<String>, now: &str, stale_after_hours: Option<u32>) -> Result<String, JsValue> {
    let report = planner::verify::verify(tree_listing, state.as_deref(), now, stale_after_hours.unwrap_or(26)).map_err(core_error)?;
    to_json(&report)
}

/// Canonical blueprint JSON → `SecretFinding[]` (kind, JSON pointer, module; never the value).
#[wasm_bindgen(js_name = scanSecrets)]
pub fn scan_secrets(blueprint: &str) -> Result<String, JsValue> {
    to_json(&planner::secrets::scan(blueprint).map_err(core_error)?)
}

/// `RestoreInput` → `RestorePlan`: the Make requests that bring a scenario back from its files.
#[wasm_bindgen(js_name = planRestore)]
pub fn plan_restore(input: &str) -> Result<String, JsValue> {
    let input: planner::restore::RestoreInput = parse(input, "RestoreInput")?;
    to_json(&planner::restore::plan_restore(&input).map_err(core_error)?)
}

/// The Make API root a config points at (`make.zone` or `make.baseUrl`), e.g. `https://eu1.make.com/api/v2`.
#[wasm_bindgen(js_name = makeBaseUrl)]
pub fn make_base_url(config: &str) -> Result<String, JsValue> {
    parse_config(config)?.make_base_url().map_err(core_error)
}

/// `BackupSource` (gitRef = the branch) → the two requests (`Request[]`) `verifyRepository` needs: tree and state.
#[wasm_bindgen(js_name = verifyRequests)]
pub fn verify_requests(source: &str) -> Result<String, JsValue> {
    let source: planner::restore::BackupSource = parse(source, "BackupSource")?;
    to_json(&planner::verify::verify_requests(&source).map_err(core_error)?)
}

/// `BackupSource` + scenario id → the two `GET contents` requests (`Request[]`) that read its backup files.
#[wasm_bindgen(js_name = restoreFileRequests)]
pub fn restore_file_requests(source: &str, scenario_id: f64) -> Result<String, JsValue> {
    let source: planner::restore::BackupSource = parse(source, "BackupSource")?;
    to_json(&planner::restore::backup_file_requests(&source, scenario_id_from(scenario_id)?).map_err(core_error)?)
}

/// The reply of the create / overwrite / start request of a restore → `RestoredScenario` (its id).
#[wasm_bindgen(js_name = restoredScenario)]
pub fn restored_scenario(status: Option<u16>, body: &str) -> Result<String, JsValue> {
    to_json(&planner::restore::parse_scenario_reply(status, body).map_err(core_error)?)
}

/// `POST {makeBaseUrl}/scenarios/{id}/start` for a restored scenario (a `Request`).
#[wasm_bindgen(js_name = restoreStartRequest)]
pub fn restore_start_request(make_base_url: &str, scenario_id: f64) -> Result<String, JsValue> {
    to_json(&planner::restore::start_request(make_base_url, scenario_id_from(scenario_id)?).map_err(core_error)?)
}

/// `GET {makeBaseUrl}/scenarios/{id}/blueprint`: read back what Make stored after a restore (a `Request`).
#[wasm_bindgen(js_name = restoreReadBackRequest)]
pub fn restore_read_back_request(make_base_url: &str, scenario_id: f64) -> Result<String, JsValue> {
    to_json(&planner::restore::blueprint_request(make_base_url, scenario_id_from(scenario_id)?).map_err(core_error)?)
}

/// Make's blueprint reply after a restore vs the backed-up `blueprint.json` → `RoundTrip`.
#[wasm_bindgen(js_name = checkRestoredBlueprint)]
pub fn check_restored_blueprint(blueprint_reply: &str, blueprint_json: &str) -> Result<String, JsValue> {
    to_json(&planner::restore::check_reply_round_trip(blueprint_reply, blueprint_json).map_err(core_error)?)
}

/// `DiffInput` → `ScenarioDiff`: modules added, removed and changed between two blueprints.
#[wasm_bindgen(js_name = diffScenario)]
pub fn diff_scenario(input: &str) -> Result<String, JsValue> {
    let input: planner::diff::DiffInput = parse(input, "DiffInput")?;
    to_json(&planner::diff::diff_scenario(&input).map_err(core_error)?)
}

/// A scenario's blueprint (+ metadata) → `ScenarioDependencies` (connections, hooks, data stores, keys, …).
#[wasm_bindgen(js_name = scanDependencies)]
pub fn scan_dependencies(scenario_id: f64, blueprint: &str, metadata: Option<String>) -> Result<String, JsValue> {
    let deps = planner::dependencies::scan_scenario(scenario_id_from(scenario_id)?, blueprint, metadata.as_deref()).map_err(core_error)?;
    to_json(&deps)
}

/// A JS number that must be a Make scenario id (a safe, non-negative integer).
fn scenario_id_from(scenario_id: f64) -> Result<u64, JsValue> {
    if !(0.0..=MAX_SAFE_INTEGER).contains(&scenario_id) || scenario_id.fract() != 0.0 {
        return Err(to_js_error(INVALID_INPUT, &format!("invalid scenario id {scenario_id}: pass a Make scenario id")));
    }
    // Checked integral and in range above, so the cast is exact.
    Ok(scenario_id as u64)
}

/// `AuditInput` → `AuditReport` (coverage and per-folder inventory).
#[wasm_bindgen(js_name = buildAudit)]
pub fn build_audit(input: &str) -> Result<String, JsValue> {
    let input: planner::audit::AuditInput = parse(input, "AuditInput")?;
    to_json(&planner::audit::build_audit(&input).map_err(core_error)?)
}

/// `AuditInput` → the generated `README.md` of the backup repository (Markdown text).
#[wasm_bindgen(js_name = renderAuditReadme)]
pub fn render_audit_readme(input: &str) -> Result<String, JsValue> {
    let input: planner::audit::AuditInput = parse(input, "AuditInput")?;
    Ok(planner::audit::build_audit(&input).map_err(core_error)?.render_markdown())
}
