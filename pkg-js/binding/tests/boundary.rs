//! The JS boundary of the binding, run in Node by wasm-bindgen-test-runner
//! (`cargo test -p make-backup-planner-wasm --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]
// A failing test panics; the crate-wide deny of these lints is for library code.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use js_sys::{JSON, Reflect};
use make_backup_planner_wasm::{Engine, canonical_json, git_blob_sha, version};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const NOW: &str = "2026-11-23T02:00:00.000Z";

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON parses")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn config() -> JsValue {
    js(
        r#"{"make":{"baseUrl":"http://127.0.0.1:4010/api/v2","organizationId":4101},
           "github":{"apiUrl":"http://127.0.0.1:4020","owner":"acme","repo":"make-backup"}}"#,
    )
}

/// Asserts `error` is a JS Error with the given `code` and returns its message.
fn error_code(error: JsValue, code: &str) -> String {
    let message = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()));
    assert_eq!(
        get(&error, "code").as_string().as_deref(),
        Some(code),
        "error: {message:?}"
    );
    message.expect("a JS Error")
}

#[wasm_bindgen_test]
fn start_then_poll_returns_a_plain_request_object() {
    let mut engine = Engine::start(config(), NOW, None).expect("start");
    let action = engine.poll(NOW).expect("poll");
    assert_eq!(get(&action, "type").as_string().as_deref(), Some("request"));
    let request = get(&action, "request");
    assert!(get(&request, "id").as_f64().is_some_and(|id| id >= 1.0));
    // json_compatible: headers are a plain object (a Map would stringify to {}), absent values are null.
    let headers = get(&request, "headers");
    assert!(!headers.is_instance_of::<js_sys::Map>());
    assert!(get(&headers, "user-agent").is_string());
    assert!(get(&request, "authorization").is_undefined());
    // poll is idempotent while the request is outstanding.
    let again = engine.poll(NOW).expect("poll");
    assert_eq!(
        JSON::stringify(&again).ok().map(String::from),
        JSON::stringify(&action).ok().map(String::from)
    );
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_a_stable_code() {
    let message = error_code(
        Engine::start(
            js(r#"{"make":{"teamId":"x"},"github":{"owner":"a","repo":"b"}}"#),
            NOW,
            None,
        )
        .err()
        .expect("must fail"),
        "invalid-input",
    );
    assert!(message.contains("make.teamId"), "{message}");
    let message = error_code(Engine::start(js(r#"{"make":{"organizationId":1},"github":{"owner":"a","repo":"b"},"comitMode":"perRun"}"#), NOW, None).err().expect("must fail"), "invalid-input");
    assert!(
        message.contains("comitMode"),
        "unknown fields are rejected, not ignored: {message}"
    );
    error_code(
        Engine::start(config(), "yesterday", None)
            .err()
            .expect("must fail"),
        "invalid-timestamp",
    );
    error_code(
        Engine::start(config(), NOW, Some(-1.0))
            .err()
            .expect("must fail"),
        "invalid-input",
    );
    let mut engine = Engine::start(config(), NOW, Some(7.0)).expect("start");
    let stray = js(r#"{"requestId":999999,"status":200,"headers":{},"body":""}"#);
    error_code(
        engine.handle(NOW, stray).expect_err("must fail"),
        "unexpected-reply",
    );
    error_code(canonical_json("{").expect_err("must fail"), "invalid-input");
}

#[wasm_bindgen_test]
fn engine_state_round_trips_through_json() {
    let mut engine = Engine::start(config(), NOW, None).expect("start");
    let action = engine.poll(NOW).expect("poll");
    let saved = engine.to_json().expect("toJSON");
    let mut restored = Engine::from_json(&saved).expect("fromJSON");
    assert_eq!(restored.to_json().ok(), Some(saved));
    let again = restored.poll(NOW).expect("poll");
    assert_eq!(
        JSON::stringify(&again).ok().map(String::from),
        JSON::stringify(&action).ok().map(String::from)
    );
    error_code(
        Engine::from_json("{").err().expect("must fail"),
        "invalid-input",
    );
}

#[wasm_bindgen_test]
fn free_functions() {
    assert!(!version().is_empty());
    assert_eq!(
        git_blob_sha("Test content"),
        "3f3f005b29247e51a4f4d6b8ce07b67646cd6074"
    );
    assert_eq!(git_blob_sha(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    assert_eq!(
        canonical_json(r#"{"b":1,"a":true}"#).ok().as_deref(),
        Some("{\n  \"a\": true,\n  \"b\": 1\n}\n")
    );
}
