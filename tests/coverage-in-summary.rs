//! The run summary carries the audit numbers (issue 5 §4): scenarios in Make vs backed up, out of date,
//! deleted in Make — for monitoring, from the state the run settled on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use make_backup_planner::{RunStatus, Service};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn a_full_backup_covers_every_scenario_and_says_so_in_the_report() {
    let mut world = World::new(5);
    let run = world.run();
    let c = run.summary.coverage.as_ref().expect("coverage after a settled run");
    assert_eq!((c.in_make, c.backed_up, c.not_backed_up, c.out_of_date, c.deleted_in_make), (5, 5, 0, 0, 0));
    assert_eq!(c.coverage_percent, 100.0);
    assert!(c.inventory_complete);
    assert!(run.report.contains("Coverage: 100.0 % — 5 of 5 scenarios in Make are backed up"), "{}", run.report);
    // A run that changes nothing reports the same numbers.
    let again = world.run();
    assert_eq!(again.summary.coverage.as_ref().unwrap().backed_up, 5);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failed_scenario_and_a_deleted_one_show_in_the_numbers() {
    let mut world = World::new(4);
    world.run();
    let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
    world.make.scenarios.remove(&ids[0]);
    world.make.edit(ids[1]);
    world.faults.push(Fault::new(Service::Make, &format!("/scenarios/{}/blueprint", ids[1]), 400, r#"{"message":"Bad request","code":"SC400"}"#));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Partial, "{}", run.report);
    let c = run.summary.coverage.as_ref().unwrap();
    // ids[1] is still backed up (its older version) but out of date; ids[0] is deleted in Make.
    assert_eq!((c.in_make, c.backed_up, c.out_of_date, c.deleted_in_make), (3, 3, 1, 1), "{c:?}");
    assert_eq!(c.coverage_percent, 100.0);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_run_that_stopped_early_has_no_coverage() {
    let mut world = World::new(2);
    world.faults.push(Fault::new(Service::Make, "/scenarios?", 403, r#"{"message":"Forbidden","code":"SC403"}"#));
    let run = world.run();
    assert_eq!(run.summary.status, RunStatus::Failed);
    assert!(run.summary.coverage.is_none());
    assert!(!run.report.contains("Coverage:"));
}
