//! PRD FR-1: every page is read, brackets are encoded, ids de-duplicated, zones resolved.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod common;

use common::*;
use make_backup_planner::{Config, Service};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn all_pages_are_read_until_a_short_page() {
    let mut world = World::new(5);
    let mut config = config();
    config.make.page_size = 2;
    let run = world.run_with(config, 0);
    let lists: Vec<&str> = run.requests.iter().filter(|r| r.url.contains("/scenarios?")).map(|r| r.url.as_str()).collect();
    assert_eq!(lists, vec![
        "https://eu1.make.com/api/v2/scenarios?organizationId=4101&pg%5Boffset%5D=0&pg%5Blimit%5D=2&pg%5BsortBy%5D=id&pg%5BsortDir%5D=asc",
        "https://eu1.make.com/api/v2/scenarios?organizationId=4101&pg%5Boffset%5D=2&pg%5Blimit%5D=2&pg%5BsortBy%5D=id&pg%5BsortDir%5D=asc",
        "https://eu1.make.com/api/v2/scenarios?organizationId=4101&pg%5Boffset%5D=4&pg%5Blimit%5D=2&pg%5BsortBy%5D=id&pg%5BsortDir%5D=asc",
        // One look past the short page confirms the list ended.
        "https://eu1.make.com/api/v2/scenarios?organizationId=4101&pg%5Boffset%5D=5&pg%5Blimit%5D=2&pg%5BsortBy%5D=id&pg%5BsortDir%5D=asc",
    ]);
    assert_eq!((run.summary.total, run.summary.backed_up), (5, 5));
    assert!(run.summary.inventory_complete);
}

#[wasm_bindgen_test(unsupported = test)]
fn an_exact_multiple_of_the_page_size_needs_one_empty_page() {
    let mut world = World::new(4);
    let mut config = config();
    config.make.page_size = 2;
    let run = world.run_with(config, 0);
    assert_eq!(run.requests.iter().filter(|r| r.url.contains("/scenarios?")).count(), 3);
    assert_eq!(run.summary.total, 4);
    assert!(run.summary.inventory_complete);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_short_page_with_more_after_it_is_incomplete_and_deletes_nothing() {
    let mut world = World::new(6);
    let mut config = config();
    config.make.page_size = 2;
    assert_eq!(world.run_with(config.clone(), 0).summary.backed_up, 6);
    // Make cuts page 2 (offset 2) to one entry although four scenarios follow.
    let third = world.make.scenarios.values().nth(2).unwrap().listing.clone();
    let short = json!({"scenarios": [third], "pg": {"offset": 2, "limit": 2, "sortBy": "id", "sortDir": "asc"}}).to_string();
    world.faults.push(Fault::new(Service::Make, "pg%5Boffset%5D=2&", 200, &short));
    let run = world.run_with(config, 0);
    let offsets: Vec<&str> = run.requests.iter().filter(|r| r.url.contains("/scenarios?")).map(|r| r.url.split("offset%5D=").nth(1).unwrap().split('&').next().unwrap()).collect();
    assert_eq!(offsets, vec!["0", "2", "3"], "stops at the short page after one look past it");
    let s = &run.summary;
    assert!(!s.inventory_complete);
    assert_eq!((s.total, s.deleted), (3, 0), "{}", run.report);
    assert!(s.warnings.iter().any(|w| w.contains("may be incomplete") && w.contains("offset 3")), "{:?}", s.warnings);
    let state: serde_json::Value = serde_json::from_str(&world.github.files()[".backup-state.json"]).unwrap();
    assert!(state["scenarios"].as_object().unwrap().values().all(|e| e.get("deletedAt").is_none_or(|d| d.is_null())));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_short_last_page_is_confirmed_by_an_empty_look_past_it() {
    let mut world = World::new(3);
    let mut config = config();
    config.make.page_size = 2;
    let run = world.run_with(config, 0);
    assert!(run.summary.inventory_complete);
    assert!(run.summary.warnings.iter().all(|w| !w.contains("incomplete")), "{:?}", run.summary.warnings);
    assert!(run.requests.iter().any(|r| r.purpose.contains("to confirm the list ended")));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_page_repeating_ids_is_deduplicated_with_a_warning() {
    let mut world = World::new(3);
    let mut config = config();
    config.make.page_size = 2;
    let first_two: Vec<serde_json::Value> = world.make.scenarios.values().take(2).map(|s| s.listing.clone()).collect();
    let repeated = json!({"scenarios": [first_two[1].clone()], "pg": {}}).to_string();
    world.faults.push(Fault::new(Service::Make, "pg%5Boffset%5D=2", 200, &repeated));
    let run = world.run_with(config, 0);
    assert_eq!(run.summary.total, 2);
    assert!(run.summary.warnings.iter().any(|w| w.contains("twice")), "{:?}", run.summary.warnings);
}

#[wasm_bindgen_test(unsupported = test)]
fn team_scope_and_zones() {
    let cases = [
        (json!({"zone": "us2", "teamId": 7}), "https://us2.make.com/api/v2/scenarios?teamId=7&"),
        (json!({"zone": "eu1.make.celonis.com", "teamId": 7}), "https://eu1.make.celonis.com/api/v2/scenarios?teamId=7&"),
        (json!({"baseUrl": "https://development.make.cloud", "organizationId": 3}), "https://development.make.cloud/api/v2/scenarios?organizationId=3&"),
        (json!({"baseUrl": "http://127.0.0.1:4010/api/v2/", "teamId": 1}), "http://127.0.0.1:4010/api/v2/scenarios?teamId=1&"),
    ];
    for (make, prefix) in cases {
        let config: Config = serde_json::from_value(json!({"make": make, "github": {"owner": "acme", "repo": "make-backup"}})).unwrap();
        let mut world = World::new(1);
        world.make.base = config.make_base_url().unwrap();
        let run = world.run_with(config, 0);
        assert!(run.requests.iter().any(|r| r.url.starts_with(prefix)), "{prefix}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn requests_are_paced_to_the_per_minute_budgets() {
    let mut world = World::new(12);
    let mut config = config();
    config.make.requests_per_minute = 5;
    config.github.writes_per_minute = 6;
    let run = world.run_with(config, 0);
    assert_eq!(run.summary.backed_up, 12);
    let make_waits = run.waits.iter().filter(|(_, r)| r.contains("Make budget of 5")).count();
    let github_waits = run.waits.iter().filter(|(_, r)| r.contains("GitHub budget of 6")).count();
    assert!(make_waits >= 1 && github_waits >= 2, "{:?}", run.waits);
    // No 60-second window ever holds more than the budget.
    let max_in_window = |pick: &dyn Fn(&make_backup_planner::Request) -> bool| {
        let times: Vec<i64> = run.requests.iter().zip(&run.sent_at).filter(|(r, _)| pick(r)).map(|(_, t)| *t).collect();
        times.iter().map(|t| times.iter().filter(|u| **u >= *t && **u < t + 60_000).count()).max().unwrap_or(0)
    };
    assert_eq!(max_in_window(&|r| r.service == Service::Make), 5);
    assert_eq!(max_in_window(&|r| r.service == Service::Github && r.method.as_str() != "GET"), 6);
    assert!(run.summary.duration_ms >= 120_000, "15 Make calls at 5/min take over two minutes");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_429_without_retry_after_slows_the_run_to_the_real_limit() {
    let mut world = World::new(6);
    // Make's real limit turns out lower than configured: the third request in the window gets 429.
    world.faults.push(Fault::new(Service::Make, "/blueprint", 429, r#"{"message":"Requests limit for organization exceeded, please try again later."}"#));
    let run = world.run();
    assert_eq!(run.summary.backed_up, 6, "{}", run.report);
    assert!(run.waits.iter().any(|(s, r)| *s > 30.0 && r.contains("429")), "waits for the window: {:?}", run.waits);
}
