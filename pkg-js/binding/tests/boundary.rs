//! The JS boundary of the binding, run in Node by wasm-bindgen-test-runner
//! (`cargo test -p make-backup-planner-wasm --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]
// A failing test panics; the crate-wide deny of these lints is for library code.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use js_sys::Reflect;
use make_backup_planner_wasm::{Engine, canonical_json, git_blob_sha, render_blueprint, version};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const NOW: &str = "2026-11-23T02:00:00.000Z";
const CONFIG: &str = r#"{"make":{"baseUrl":"http://127.0.0.1:4010/api/v2","organizationId":4101},
    "github":{"apiUrl":"http://127.0.0.1:4020","owner":"acme","repo":"make-backup"}}"#;

/// Asserts `error` is a JS Error with the given `code` and returns its message.
fn error_code(error: JsValue, code: &str) -> String {
    let message = error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message()));
    let got = Reflect::get(&error, &JsValue::from_str("code")).ok().and_then(|c| c.as_string());
    assert_eq!(got.as_deref(), Some(code), "error: {message:?}");
    message.expect("a JS Error")
}

#[wasm_bindgen_test]
fn start_then_poll_returns_a_request_without_credentials() {
    let mut engine = Engine::start(CONFIG, NOW, None).expect("start");
    let text = engine.poll(NOW).expect("poll");
    let action: Value = serde_json::from_str(&text).expect("poll returns JSON");
    assert_eq!(action["type"], "request");
    assert!(action["request"]["id"].as_u64().is_some_and(|id| id >= 1));
    assert!(action["request"]["headers"]["user-agent"].is_string());
    assert!(action["request"]["headers"].get("authorization").is_none());
    assert_eq!(action["request"]["body"], Value::Null);
    // poll is idempotent while the request is outstanding.
    assert_eq!(engine.poll(NOW).expect("poll"), text);
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_a_stable_code() {
    let message = error_code(
        Engine::start(r#"{"make":{"teamId":"x"},"github":{"owner":"a","repo":"b"}}"#, NOW, None).err().expect("must fail"),
        "invalid-input",
    );
    assert!(message.contains("make.teamId"), "{message}");
    let message = error_code(
        Engine::start(r#"{"make":{"organizationId":1},"github":{"owner":"a","repo":"b"},"comitMode":"perRun"}"#, NOW, None).err().expect("must fail"),
        "invalid-input",
    );
    assert!(message.contains("comitMode"), "unknown fields are rejected, not ignored: {message}");
    error_code(Engine::start(CONFIG, "yesterday", None).err().expect("must fail"), "invalid-timestamp");
    error_code(Engine::start(CONFIG, NOW, Some(-1.0)).err().expect("must fail"), "invalid-input");
    let mut engine = Engine::start(CONFIG, NOW, Some(7.0)).expect("start");
    error_code(engine.handle(NOW, r#"{"requestId":999999,"status":200,"headers":{}}"#, String::new()).expect_err("must fail"), "unexpected-reply");
    error_code(engine.handle(NOW, "{", String::new()).expect_err("must fail"), "invalid-input");
    error_code(canonical_json("{").expect_err("must fail"), "invalid-input");
    error_code(render_blueprint(1.5, "{}").expect_err("must fail"), "invalid-input");
}

#[wasm_bindgen_test]
fn a_reply_body_crosses_as_a_plain_string() {
    let mut engine = Engine::start(CONFIG, NOW, None).expect("start");
    let action: Value = serde_json::from_str(&engine.poll(NOW).expect("poll")).unwrap();
    let id = action["request"]["id"].as_u64().unwrap();
    // A GitHub 401 is fatal: the body's message must reach the summary unchanged.
    let head = format!(r#"{{"requestId":{id},"status":401,"headers":{{"Content-Type":"application/json"}}}}"#);
    engine.handle(NOW, &head, r#"{"message":"Bad credentials ünïcode"}"#.to_owned()).expect("handle");
    let done: Value = serde_json::from_str(&engine.poll(NOW).expect("poll")).unwrap();
    assert_eq!(done["type"], "done");
    assert_eq!(done["summary"]["fatal"]["code"], "github-unauthorized");
    assert!(done["summary"]["fatal"]["message"].as_str().unwrap().contains("Bad credentials ünïcode"));
}

#[wasm_bindgen_test]
fn engine_state_round_trips_through_json() {
    let mut engine = Engine::start(CONFIG, NOW, None).expect("start");
    let action = engine.poll(NOW).expect("poll");
    let saved = engine.to_json().expect("toJSON");
    let mut restored = Engine::from_json(&saved).expect("fromJSON");
    assert_eq!(restored.to_json().ok(), Some(saved));
    assert_eq!(restored.poll(NOW).expect("poll"), action);
    error_code(Engine::from_json("{").err().expect("must fail"), "invalid-input");
}

#[wasm_bindgen_test]
fn free_functions() {
    assert!(!version().is_empty());
    assert_eq!(git_blob_sha("Test content"), "3f3f005b29247e51a4f4d6b8ce07b67646cd6074");
    assert_eq!(git_blob_sha(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    assert_eq!(canonical_json(r#"{"b":1,"a":true}"#).ok().as_deref(), Some("{\n  \"a\": true,\n  \"b\": 1\n}\n"));
    let file = render_blueprint(7.0, r#"{"code":"OK","response":{"blueprint":{"name":"x","flow":[]}}}"#).unwrap();
    let get = |key: &str| Reflect::get(&file, &JsValue::from_str(key)).ok().and_then(|v| v.as_string());
    assert_eq!(get("path").as_deref(), Some("scenarios/7/blueprint.json"));
    assert_eq!(get("content").as_deref(), Some("{\n  \"flow\": [],\n  \"name\": \"x\"\n}\n"));
}
