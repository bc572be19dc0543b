//! Audit report: the generated README.md of the backup repository (per folder, status, last edit,
//! last backup, links), coverage and stale numbers, deterministic Markdown (golden).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use make_backup_planner::audit::{
    AuditInput, AuditScenario, Folder, GENERATED_MARKER, README_PATH, ScenarioStatus, build_audit, folders_request, is_generated_readme,
    parse_folders,
};
use make_backup_planner::inventory::ScenarioListing;
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

const GOLDEN_README: &str = include_str!("golden/audit/README.md");
const DESK_METADATA: &str = include_str!("fixtures/make/support-desk-metadata.json");
const ROUTER_LISTING: &str = include_str!("fixtures/make/listing-router-unicode.json");
const NOW: &str = "2026-11-23T02:00:00.000Z";

/// A backup state after some months: current, out-of-date, deleted long ago, deleted lately, paused.
const STATE: &str = r#"{"version":1,"lastRun":"2026-11-23T02:00:00.000Z","scenarios":{
  "5150":{"name":"Support desk triage","lastEdit":"2026-11-19T16:45:12.001Z","lastBackup":"2026-11-20T02:00:00.000Z","backupCount":4,"gitSHA":"1111111111111111111111111111111111111111","blueprintSha":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","teamId":51},
  "418339":{"name":"Rechnungen prüfen (old name)","lastEdit":"2026-09-30T00:00:00.000Z","lastBackup":"2026-10-01T02:00:00.000Z","backupCount":2,"gitSHA":"2222222222222222222222222222222222222222","blueprintSha":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","teamId":51},
  "7":{"name":"Big ids","lastEdit":"2026-06-01T00:00:00.000Z","lastBackup":"2026-06-02T02:00:00.000Z","backupCount":1,"gitSHA":"3333333333333333333333333333333333333333","teamId":52,"deletedAt":"2026-09-01T02:00:00.000Z"},
  "1002":{"name":"Lead *routing* [beta]","lastEdit":"2026-10-01T00:00:00.000Z","lastBackup":"2026-10-02T02:00:00.000Z","backupCount":1,"gitSHA":"4444444444444444444444444444444444444444","teamId":51,"deletedAt":"2026-11-20T02:00:00.000Z"},
  "2000":{"name":"Nightly export","lastEdit":"2026-07-01T00:00:00.000Z","lastBackup":"2026-07-01T02:00:00.000Z","backupCount":1,"gitSHA":"5555555555555555555555555555555555555555","teamId":52}
}}"#;

fn scenario(id: u64, name: &str, team: u64, folder: Option<u64>, active: bool, paused: bool, last_edit: &str) -> AuditScenario {
    AuditScenario {
        scenario_id: id,
        name: name.to_owned(),
        team_id: Some(team),
        folder_id: folder,
        is_active: Some(active),
        is_paused: Some(paused),
        last_edit: Some(last_edit.to_owned()),
    }
}

fn input() -> AuditInput {
    let router = ScenarioListing::from_value(&serde_json::from_str(ROUTER_LISTING).unwrap()).unwrap();
    AuditInput {
        state: Some(STATE.to_owned()),
        scenarios: vec![
            AuditScenario::from_metadata(DESK_METADATA).unwrap(),
            AuditScenario::from_listing(&router),
            scenario(1001, "Order sync | EU", 51, None, false, true, "2026-11-01T00:00:00.000Z"),
            scenario(2000, "Nightly export", 52, None, false, false, "2026-07-01T00:00:00.000Z"),
        ],
        listed_ids: Some(vec![5150, 418339, 1001, 2000]),
        folders: vec![
            Folder { id: 12, name: "Support".to_owned(), team_id: Some(51) },
            Folder { id: 99, name: "Invoices | DE <b>".to_owned(), team_id: Some(51) },
        ],
        now: NOW.to_owned(),
        stale_after_days: None,
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn coverage_counts_what_make_has_against_what_is_backed_up() {
    let report = build_audit(&input()).unwrap();
    let c = &report.coverage;
    assert_eq!((c.in_make, c.backed_up, c.not_backed_up), (4, 3, 1));
    assert_eq!(c.coverage_percent, 75.0);
    assert_eq!((c.out_of_date, c.deleted_in_make, c.stale, c.stale_after_days), (1, 2, 2, 30));
    assert_eq!(c.backup_entries, 5);
    assert!(c.inventory_complete);
    let rows: Vec<(u64, ScenarioStatus, bool, bool)> =
        report.folders.iter().flat_map(|f| &f.scenarios).map(|r| (r.scenario_id, r.status, r.out_of_date, r.stale)).collect();
    assert_eq!(
        rows,
        vec![
            (5150, ScenarioStatus::Active, false, false),
            (418339, ScenarioStatus::Active, true, true),
            (1001, ScenarioStatus::Paused, false, false),
            (1002, ScenarioStatus::Deleted, false, false),
            (7, ScenarioStatus::Deleted, false, true),
            (2000, ScenarioStatus::Inactive, false, false),
        ],
        "folders by id, then no-folder groups per team; unchanged 2000 is not stale however old its backup"
    );
    let value = serde_json::to_value(&report.coverage).unwrap();
    assert_eq!(value["coveragePercent"], json!(75.0));
    assert_eq!(value["deletedInMake"], json!(2));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_readme_is_deterministic_markdown() {
    let report = build_audit(&input()).unwrap();
    let file = report.render();
    assert_eq!(file.path, README_PATH);
    let text = &file.content;
    assert!(text.starts_with(GENERATED_MARKER) && is_generated_readme(text));
    assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "one trailing newline");
    assert!(!text.contains("\n\n\n") && !text.lines().any(|l| l.ends_with(' ')), "no blank runs, no trailing spaces");
    assert!(text.contains("[blueprint](scenarios/5150/blueprint.json) · [metadata](scenarios/5150/metadata.json)"), "relative links");
    assert!(text.contains("Lead \\*routing\\* \\[beta\\]") && text.contains("Invoices \\| DE \\<b\\>"), "names cannot inject Markdown");
    assert!(!text.contains(NOW), "no generation time: the file changes only when its content does");
    let mut shuffled = input();
    shuffled.scenarios.reverse();
    shuffled.folders.reverse();
    shuffled.listed_ids.as_mut().unwrap().reverse();
    assert_eq!(build_audit(&shuffled).unwrap().render().content, *text, "input order does not matter");
    if cfg!(not(target_arch = "wasm32")) && std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(format!("{}/tests/golden/audit/README.md", env!("CARGO_MANIFEST_DIR")), text).unwrap();
        return;
    }
    assert_eq!(text, GOLDEN_README, "UPDATE_GOLDEN=1 to regenerate, then review");
}

#[wasm_bindgen_test(unsupported = test)]
fn without_a_complete_inventory_the_state_decides() {
    let mut partial = input();
    partial.listed_ids = None;
    let report = build_audit(&partial).unwrap();
    let c = &report.coverage;
    assert!(!c.inventory_complete);
    assert_eq!((c.in_make, c.backed_up, c.deleted_in_make), (4, 3, 2), "deletedAt marks the deleted ones");
    assert!(report.render_markdown().contains("incomplete"));
    let empty = build_audit(&AuditInput {
        state: None,
        scenarios: vec![],
        listed_ids: Some(vec![]),
        folders: vec![],
        now: NOW.to_owned(),
        stale_after_days: Some(7),
    })
    .unwrap();
    assert_eq!((empty.coverage.in_make, empty.coverage.coverage_percent), (0, 100.0));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_threshold_moves_stale_entries() {
    let mut strict = input();
    strict.stale_after_days = Some(1);
    assert_eq!(build_audit(&strict).unwrap().coverage.stale, 3, "1002 was deleted three days ago");
    let mut lenient = input();
    lenient.stale_after_days = Some(365);
    assert_eq!(build_audit(&lenient).unwrap().coverage.stale, 0);
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_inputs_say_what_to_do() {
    let mut bad = input();
    bad.state = Some("{\"scenarios\":{\"abc\":{}}}".to_owned());
    let err = build_audit(&bad).unwrap_err().to_string();
    assert!(err.contains(".backup-state.json") && err.contains("rebuild"), "{err}");
    let mut bad = input();
    bad.now = "yesterday".to_owned();
    assert_eq!(build_audit(&bad).unwrap_err().code(), "invalid-timestamp");
    assert!(AuditScenario::from_metadata("{\"name\":\"no id\"}").unwrap_err().to_string().contains("id"));
    assert!(!is_generated_readme("# Our backups\n\nWritten by hand.\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn folder_names_come_from_the_folder_list() {
    let request = folders_request("https://eu1.make.com/api/v2", 51).unwrap();
    assert_eq!(request.url, "https://eu1.make.com/api/v2/scenarios-folders?teamId=51");
    let folders = parse_folders(51, r#"{"scenariosFolders":[{"id":12,"name":"Support","scenariosTotal":3},{"id":"x"}]}"#).unwrap();
    assert_eq!(folders, vec![Folder { id: 12, name: "Support".to_owned(), team_id: Some(51) }]);
    let err = parse_folders(51, r#"{"detail":"Access denied.","code":"SC403"}"#).unwrap_err().to_string();
    assert!(err.contains("Access denied.") && err.contains("folder ids without names"), "{err}");
}
