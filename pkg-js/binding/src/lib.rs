//! Thin wasm-bindgen binding of the `make_backup_planner` core for the `make-backup-planner` npm package.
//!
//! Values cross as plain JS objects: config and replies come in through serde-wasm-bindgen, actions go
//! out through its JSON-compatible serializer (plain objects, `null`, never `Map`/`undefined`). Every
//! error leaves through [`to_js_error`]: a JS `Error` whose `message` is the core's Display text and
//! whose `code` is the core's stable `Error::code()` (or `invalid-input` for values of the wrong shape).
//! The shapes are documented in `src/protocol.md`; the TS interfaces come from the core's tsify derives.

use make_backup_planner as planner;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// `code` of errors about JS values that do not have the documented shape.
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

/// Reads a JS value into a core type, naming the offending field (`make.teamId`) when it does not fit.
fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    // Via serde_json::Value: serde-wasm-bindgen reads only the fields a struct names, so it would silently
    // ignore a misspelt optional field; serde_json honours the core's `deny_unknown_fields`.
    let json: serde_json::Value = serde_wasm_bindgen::from_value(value)
        .map_err(|error| invalid_input(what, ".", &js_message(error.into())))?;
    serde_path_to_error::deserialize(json).map_err(|error| {
        let path = error.path().to_string();
        invalid_input(what, &path, &error.into_inner().to_string())
    })
}

fn invalid_input(what: &str, path: &str, reason: &str) -> JsValue {
    let at = if path == "." {
        String::new()
    } else {
        format!(" at `{path}`")
    };
    let message = format!("invalid {what}{at}: {reason}; see src/protocol.md, section {what}");
    to_js_error(INVALID_INPUT, &message)
}

/// `seed` as the core's u64: a JS number that is a whole, non-negative, exactly representable integer.
fn seed_from_js(seed: Option<f64>) -> Result<u64, JsValue> {
    match seed {
        None => Ok(0),
        // Checked integral and in range, so the cast is exact.
        Some(n) if (0.0..=MAX_SAFE_INTEGER).contains(&n) && n.fract() == 0.0 => Ok(n as u64),
        Some(n) => Err(to_js_error(
            INVALID_INPUT,
            &format!("invalid seed {n}: pass a whole number ≥ 0"),
        )),
    }
}

/// The message of a JS Error (serde-wasm-bindgen's Display would prefix a second "Error: ").
fn js_message(error: JsValue) -> String {
    error.dyn_ref::<js_sys::Error>().map_or_else(
        || String::from("value cannot be read"),
        |e| String::from(e.message()),
    )
}

/// Writes a core value as a plain JSON-compatible JS object.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|error| to_js_error(INTERNAL, &format!("(a bug) {error}")))
}

/// One backup run as a state machine: `start`, then loop `poll` → perform the request or wait →
/// `handle` the reply, until `poll` returns `{ type: "done" }`. It performs no I/O and reads no clock.
#[wasm_bindgen]
pub struct Engine {
    inner: planner::Engine,
}

#[wasm_bindgen]
impl Engine {
    /// Validates `config` and starts a run at `now` (RFC 3339 UTC). `seed` (default 0, a
    /// non-negative integer) drives retry jitter, so equal inputs give equal runs.
    #[wasm_bindgen(js_name = start)]
    pub fn start(
        #[wasm_bindgen(unchecked_param_type = "BackupConfig")] config: JsValue,
        now: &str,
        seed: Option<f64>,
    ) -> Result<Self, JsValue> {
        let config: planner::Config = from_js(config, "Config")?;
        let seed = seed_from_js(seed)?;
        planner::Engine::start(config, now, seed)
            .map(|inner| Self { inner })
            .map_err(core_error)
    }

    /// The next thing to do at `now`: `request` (perform it, then `handle` the reply), `wait`, or `done`.
    /// While a request is outstanding it returns that same request again.
    #[wasm_bindgen(unchecked_return_type = "Action")]
    pub fn poll(&mut self, now: &str) -> Result<JsValue, JsValue> {
        let action = self.inner.poll(now).map_err(core_error)?;
        to_js(&action)
    }

    /// Feeds the reply (or transport failure) for the outstanding request.
    pub fn handle(
        &mut self,
        now: &str,
        #[wasm_bindgen(unchecked_param_type = "Reply")] reply: JsValue,
    ) -> Result<(), JsValue> {
        let reply: planner::Reply = from_js(reply, "Reply")?;
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
        planner::Engine::from_json(text)
            .map(|inner| Self { inner })
            .map_err(core_error)
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

// ───────────────────────────── Stage functions (bound by the lead) ─────────────────────────────
// select / render / plan / state go here, following the pattern above: JsValue in through
// `from_js`, out through `to_js`, errors through `core_error`, TS types via `unchecked_*_type`.
