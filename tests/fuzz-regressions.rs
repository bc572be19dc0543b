//! Inputs found by fuzzing (fuzz/) or by reading the code the fuzzers exercise, kept as regression tests.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use std::collections::BTreeMap;

use common::*;
use make_backup_planner::{Action, Engine, Reply};
use wasm_bindgen_test::wasm_bindgen_test;

/// Answers the first request (GitHub's branch read) with the given status and headers, then polls.
fn first_reply(status: u16, headers: &[(&str, &str)]) -> Action {
    let now = iso(T0);
    let mut engine = Engine::start(config(), &now, 1).unwrap();
    let Action::Request { request } = engine.poll(&now).unwrap() else { panic!("expected a request") };
    let headers: BTreeMap<String, String> = headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    engine.handle(&now, Reply { request_id: request.id, status: Some(status), headers, body: "{}".into(), failure: None }).unwrap();
    engine.poll(&now).unwrap()
}

#[wasm_bindgen_test(unsupported = test)]
fn extreme_rate_limit_reset_headers_do_not_overflow() {
    for reset in ["-9223372036854775808", "9223372036854775807", "-1", "0"] {
        match first_reply(403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset)]) {
            Action::Wait { seconds, .. } => assert!(seconds.is_finite() && seconds > 0.0, "reset {reset}: wait {seconds}"),
            Action::Done { summary, .. } => assert!(summary.fatal.is_some(), "reset {reset}"),
            Action::Request { .. } => {}
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn extreme_retry_after_headers_do_not_overflow() {
    for value in ["1e308", "9223372036854775807", "0.0000001", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "-5", "NaN", "inf"] {
        match first_reply(503, &[("retry-after", value)]) {
            Action::Wait { seconds, .. } => assert!(seconds.is_finite() && seconds > 0.0, "retry-after {value}: wait {seconds}"),
            Action::Done { summary, .. } => assert!(summary.fatal.is_some(), "retry-after {value}"),
            Action::Request { .. } => {}
        }
    }
}
