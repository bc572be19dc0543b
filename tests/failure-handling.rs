//! PRD FR-7 and test scenarios 5 and 6: retries with backoff, fatal errors, one scenario failing alone.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use common::*;
use make_backup_planner::{ErrorClass, RunStatus, Service};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

const UNAUTHORIZED: &str = r#"{"detail":"Invalid credentials.","message":"Unauthorized","code":"SC401"}"#;

#[wasm_bindgen_test(unsupported = test)]
fn invalid_make_token_is_fatal_after_no_writes() {
    let mut world = World::new(3);
    world.faults.push(Fault::new(Service::Make, "/scenarios?", 401, UNAUTHORIZED).times(10));
    let run = world.run();
    let s = &run.summary;
    assert_eq!(s.status, RunStatus::Failed);
    let fatal = s.fatal.as_ref().unwrap();
    assert_eq!(fatal.code, "make-unauthorized");
    for word in ["token", "zone", "scenarios:read", "Invalid credentials."] {
        assert!(fatal.message.contains(word), "message names {word}: {}", fatal.message);
    }
    assert!(fatal.request.as_ref().unwrap().starts_with("GET https://eu1.make.com/api/v2/scenarios?organizationId=4101"));
    assert_eq!(run.github_writes(), 0);
    assert_eq!(world.github.log().len(), 1, "nothing committed");
    assert!(run.report.contains("make-unauthorized"));
    // PRD scenario 5: three retries, 1 s, 2 s, 4 s apart (+ up to 20 % jitter), then the clear failure.
    let waits: Vec<f64> = run.waits.iter().map(|(s, _)| *s).collect();
    assert_eq!(waits.len(), 3, "{:?}", run.waits);
    for (wait, base) in waits.iter().zip([1.0, 2.0, 4.0]) {
        assert!(*wait >= base && *wait <= base * 1.2, "wait {wait} for base {base}");
    }
    assert_eq!(run.count(Service::Make, "GET"), 4, "one attempt and three retries");
    assert!(fatal.message.starts_with("Make rejected the API token (HTTP 401 unauthorized (gave up after 3 retries): Invalid credentials."), "{}", fatal.message);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_401_after_the_list_worked_is_not_retried() {
    let mut world = World::new(3);
    world.faults.push(Fault::new(Service::Make, "/blueprint", 401, UNAUTHORIZED).times(10));
    let run = world.run();
    assert!(run.waits.iter().all(|(_, reason)| !reason.contains("401")), "{:?}", run.waits);
    assert_ne!(run.summary.status, RunStatus::Success, "{}", run.report);
}

#[wasm_bindgen_test(unsupported = test)]
fn server_errors_are_retried_after_1_2_4_seconds_with_jitter() {
    let mut world = World::new(3);
    world.faults.push(Fault::new(Service::Make, "/scenarios?", 503, "Service Unavailable").times(3));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    let waits: Vec<f64> = run.waits.iter().map(|(s, _)| *s).collect();
    assert_eq!(waits.len(), 3, "{:?}", run.waits);
    for (wait, base) in waits.iter().zip([1.0, 2.0, 4.0]) {
        assert!(*wait >= base && *wait <= base * 1.2, "wait {wait} for base {base}");
    }
    assert!(run.waits[0].1.contains("retry 1 of 3 after HTTP 503"), "{}", run.waits[0].1);
    // The run recovered, and its summary still says what it met.
    assert!(run.summary.warnings.iter().any(|w| w.starts_with("retried 3 times after Make HTTP 503 (first on GET https://eu1.make.com/api/v2/scenarios?")), "{:?}", run.summary.warnings);
    // Same seed, same waits; another seed, other jitter.
    let mut again = World::new(3);
    again.faults.push(Fault::new(Service::Make, "/scenarios?", 503, "").times(3));
    let same: Vec<f64> = again.run().waits.iter().map(|(s, _)| *s).collect();
    assert_eq!(same, waits);
}

#[wasm_bindgen_test(unsupported = test)]
fn one_failing_blueprint_does_not_stop_the_others() {
    let mut world = World::new(4);
    let bad = *world.make.scenarios.keys().nth(1).unwrap();
    world.faults.push(Fault::new(Service::Make, &format!("/scenarios/{bad}/blueprint"), 500, r#"{"message":"Internal error","code":"SC500"}"#).times(4));
    let run = world.run();
    let s = &run.summary;
    assert_eq!(s.status, RunStatus::Partial);
    assert_eq!((s.backed_up, s.errors.len()), (3, 1));
    let error = &s.errors[0];
    assert_eq!((error.scenario_id, error.class, error.code.as_str(), error.status), (Some(bad), ErrorClass::Scenario, "make-unavailable", Some(500)));
    assert!(error.message.contains("gave up after 3 retries"), "{}", error.message);
    assert_eq!(error.request.as_deref(), Some(format!("GET https://eu1.make.com/api/v2/scenarios/{bad}/blueprint?draft=false").as_str()));
    assert_eq!(error.name.as_deref(), Some(world.make.scenarios[&bad].listing["name"].as_str().unwrap()));
    let state: Value = serde_json::from_str(&world.github.files()[".backup-state.json"]).unwrap();
    assert!(state["scenarios"].get(bad.to_string()).is_none(), "state not advanced for the failed scenario");
    assert_eq!(state["scenarios"].as_object().unwrap().len(), 3);
    // The next run picks it up.
    let next = world.run();
    assert_eq!((next.summary.backed_up, next.summary.status), (1, RunStatus::Success));
}

#[wasm_bindgen_test(unsupported = test)]
fn blueprint_deleted_since_listing_is_skipped() {
    let mut world = World::new(3);
    let gone = *world.make.scenarios.keys().next().unwrap();
    world.faults.push(Fault::new(Service::Make, &format!("/scenarios/{gone}/blueprint"), 404, r#"{"detail":"Scenario not found.","message":"Not Found","code":"SC404"}"#));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success);
    assert_eq!((run.summary.skipped, run.summary.backed_up), (1, 2));
    assert_eq!(run.summary.errors[0].class, ErrorClass::Skipped);
    assert_eq!(run.summary.errors[0].code, "deleted-since-listing");
}

#[wasm_bindgen_test(unsupported = test)]
fn unusable_blueprint_replies_fail_only_that_scenario() {
    for body in ["<html>oops</html>", r#"{"code":"OK","response":{"scheduling":{}}}"#, r#"{"code":"SC500","message":"Internal"}"#, r#"{"blueprint":{"name":"unwrapped"}}"#] {
        let mut world = World::new(2);
        let id = *world.make.scenarios.keys().next().unwrap();
        world.make.raw_blueprint.insert(id, body.to_owned());
        let run = world.run();
        assert_eq!(run.summary.status, RunStatus::Partial, "{body}");
        assert_eq!(run.summary.errors[0].code, "blueprint-invalid");
        assert_eq!(run.summary.backed_up, 1);
        assert!(!world.github.files().contains_key(&format!("scenarios/{id}/blueprint.json")), "never store the wrapper or garbage");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn retry_after_and_rate_limit_reset_are_honoured() {
    let mut world = World::new(2);
    world.faults.push(Fault::new(Service::Make, "/blueprint", 429, r#"{"message":"Requests limit for organization exceeded, please try again later."}"#).header("Retry-After", "7"));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success);
    assert!(run.waits.iter().any(|(s, r)| *s >= 7.0 && r.contains("429")), "{:?}", run.waits);

    let mut world = World::new(2);
    let reset = (T0 / 1000 + 30).to_string();
    world.faults.push(Fault::new(Service::Github, "/git/trees", 403, r#"{"message":"API rate limit exceeded for user."}"#).method("POST").header("x-ratelimit-remaining", "0").header("x-ratelimit-reset", &reset));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    assert!(run.waits.iter().any(|(s, _)| *s >= 25.0), "waits until the reset: {:?}", run.waits);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_wait_beyond_the_limit_stops_with_a_resumable_summary() {
    let mut world = World::new(3);
    let second = *world.make.scenarios.keys().nth(1).unwrap();
    world.faults.push(Fault::new(Service::Make, &format!("/scenarios/{second}/blueprint"), 429, "{}").header("retry-after", "3600"));
    let run = world.run();
    let s = &run.summary;
    assert_eq!(s.status, RunStatus::Failed);
    assert_eq!(s.fatal.as_ref().unwrap().code, "make-rate-limited");
    assert_eq!(s.backed_up, 1, "what was done before the stop still lands");
    let next = world.run();
    assert_eq!((next.summary.backed_up, next.summary.status), (2, RunStatus::Success));
}

#[wasm_bindgen_test(unsupported = test)]
fn timeouts_are_retried() {
    let mut world = World::new(2);
    world.faults.push(Fault::timeout(Service::Github, "/branches/"));
    world.faults.push(Fault::timeout(Service::Make, "/blueprint"));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Success, "{}", run.report);
    assert_eq!(run.waits.len(), 2);
    assert!(run.waits[0].1.contains("timed out"));
    let retried: Vec<&String> = run.summary.warnings.iter().filter(|w| w.starts_with("retried once after")).collect();
    assert_eq!(retried.len(), 2, "one note per service and kind: {:?}", run.summary.warnings);
    assert!(retried.iter().any(|w| w.contains("GitHub timed out")) && retried.iter().any(|w| w.contains("Make timed out")));
}

#[wasm_bindgen_test(unsupported = test)]
fn github_auth_and_missing_branch_are_fatal_and_clear() {
    let mut world = World::new(2);
    world.faults.push(Fault::new(Service::Github, "/branches/", 401, r#"{"message":"Bad credentials","status":"401"}"#));
    let run = world.run();
    assert_eq!(run.summary.fatal.as_ref().unwrap().code, "github-unauthorized");
    assert_eq!(run.summary.api_calls.make, 0, "GitHub is checked before Make is called");

    let mut world = World::new(2);
    world.github.branch = "backups".to_owned();
    let mut config = config();
    config.github.branch = "does-not-exist".to_owned();
    let run = world.run_with(config, 0);
    let fatal = run.summary.fatal.unwrap();
    assert_eq!(fatal.code, "branch-not-found");
    assert!(fatal.message.contains("\"does-not-exist\""), "{}", fatal.message);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failing_list_page_makes_the_inventory_incomplete_and_deletes_nothing() {
    let mut world = World::new(5);
    world.run();
    // Next run: page 2 fails for good; a scenario that exists only on page 2 must not be called deleted.
    let mut config = config();
    config.make.page_size = 2;
    world.faults.push(Fault::new(Service::Make, "pg%5Boffset%5D=2", 502, "Bad Gateway").times(4));
    let run = world.run_with(config, 3);
    let s = &run.summary;
    assert!(!s.inventory_complete);
    assert_eq!((s.total, s.deleted), (2, 0), "{}", run.report);
    assert_eq!(s.errors[0].code, "inventory-incomplete");
    assert_eq!(run.github_writes(), 0);
}
