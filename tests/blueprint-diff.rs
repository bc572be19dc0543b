//! Change summaries: modules added/removed/changed by id (with the keys that changed), moves between
//! routes and branches, layout-only edits, name, scheduling and settings changes; a bounded text for
//! the commit message body (golden) and the serde form for the run summary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use make_backup_planner::diff::{COMMIT_BODY_LINES, DiffInput, MAX_LISTED, describe_scheduling, diff_scenario, diff_texts};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

const V1: &str = include_str!("fixtures/make/support-desk-blueprint.json");
const V2: &str = include_str!("fixtures/make/support-desk-blueprint-v2.json");
const META1: &str = include_str!("fixtures/make/support-desk-metadata.json");
const META2: &str = include_str!("fixtures/make/support-desk-metadata-v2.json");
const GOLDEN_TEXT: &str = include_str!("golden/diff/support-desk-v2.txt");
const GOLDEN_NEW: &str = include_str!("golden/diff/support-desk-new.txt");

fn golden(path: &str, expected: &str, actual: &str) {
    if cfg!(not(target_arch = "wasm32")) && std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(format!("{}/tests/golden/{path}", env!("CARGO_MANIFEST_DIR")), actual).unwrap();
        return;
    }
    assert_eq!(actual, expected, "{path} differs from the golden file (UPDATE_GOLDEN=1 to regenerate, then review)");
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> u64) -> Vec<u64> {
    items.iter().map(id).collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn modules_added_removed_and_changed_by_id_with_the_keys_that_changed() {
    let diff = diff_texts(5150, Some(V1), V2, Some(META1), Some(META2)).unwrap();
    assert!(!diff.new_scenario && !diff.is_empty());
    assert_eq!(ids(&diff.added, |m| m.id), vec![14, 15]);
    assert_eq!(diff.added[0].location, "error handler of module 3");
    assert_eq!((diff.added[1].module.as_str(), diff.added[1].location.as_str()), ("email:ActionSendEmail", "route 3 of module 2"));
    assert_eq!(ids(&diff.removed, |m| m.id), vec![4, 13]);
    assert_eq!(diff.removed[1].module, "custom-app:Notify");
    let changed: Vec<(u64, Vec<&str>)> = diff.changed.iter().map(|c| (c.id, c.keys.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        changed,
        vec![
            (2, vec!["routes"]),
            (3, vec!["filter", "mapper.text", "onerror"]),
            (5, vec!["branches"]),
            (6, vec!["metadata.designer"]),
            (7, vec!["parameters.apiKeyKeychain"]),
            (10, vec!["location"]),
            (12, vec!["module", "version"]),
        ]
    );
    let by_id = |id: u64| diff.changed.iter().find(|c| c.id == id).unwrap();
    assert!(by_id(6).layout_only && !by_id(7).layout_only);
    assert_eq!((by_id(10).previous_location.as_deref(), by_id(10).location.as_str()), (Some("route 3 of module 2"), "branch 2 of module 5"));
    assert_eq!((by_id(12).previous_module.as_deref(), by_id(12).module.as_str()), (Some("http:ActionSendData"), "http:MakeRequest"));
    let c = diff.counts;
    assert_eq!((c.added, c.removed, c.changed, c.layout_only, c.previous_modules, c.modules), (2, 2, 7, 1, 13, 13));
}

#[wasm_bindgen_test(unsupported = test)]
fn name_scheduling_fields_and_settings_changes_are_reported() {
    let diff = diff_texts(5150, Some(V1), V2, Some(META1), Some(META2)).unwrap();
    let name = diff.name_change.clone().unwrap();
    assert_eq!((name.from.as_deref(), name.to.as_deref()), (Some("Support desk triage"), Some("Support desk triage v2")));
    let scheduling = diff.scheduling.clone().unwrap();
    assert_eq!(scheduling.from.as_deref(), Some("{\"type\":\"immediately\"}"));
    assert_eq!(scheduling.to.as_deref(), Some("{\"interval\":900,\"type\":\"indefinitely\"}"));
    let fields: Vec<(&str, Option<&str>, Option<&str>)> =
        diff.fields.iter().map(|f| (f.field.as_str(), f.change.from.as_deref(), f.change.to.as_deref())).collect();
    assert_eq!(fields, vec![("isActive", Some("true"), Some("false"))], "lastEdit, idSequence and the backup trail are not changes");
    assert_eq!(diff.settings, vec!["metadata.scenario.maxErrors", "metadata.scenario.sequential"]);
    let value = serde_json::to_value(&diff).unwrap();
    for key in ["scenarioId", "newScenario", "nameChange", "counts"] {
        assert!(value.get(key).is_some(), "camelCase {key}");
    }
    assert_eq!(value["changed"][3]["layoutOnly"], json!(true));
    assert_eq!(value["counts"]["layoutOnly"], json!(1));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_commit_body_text_is_short_and_readable() {
    let diff = diff_texts(5150, Some(V1), V2, Some(META1), Some(META2)).unwrap();
    let text = diff.render_text(COMMIT_BODY_LINES);
    assert!(text.lines().count() <= COMMIT_BODY_LINES && text.ends_with('\n'));
    golden("diff/support-desk-v2.txt", GOLDEN_TEXT, &text);
    let short = diff.render_text(5);
    assert_eq!(short.lines().count(), 5);
    assert!(short.lines().last().unwrap().starts_with("… and "), "{short}");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_new_scenario_is_one_line_of_module_types() {
    let input = DiffInput { scenario_id: 5150, old_blueprint: None, new_blueprint: V1.to_owned(), old_metadata: None, new_metadata: Some(META1.to_owned()) };
    let diff = diff_scenario(&input).unwrap();
    assert!(diff.new_scenario && diff.name_change.is_none() && diff.scheduling.is_none());
    assert_eq!((diff.counts.added, diff.counts.modules), (13, 13));
    golden("diff/support-desk-new.txt", GOLDEN_NEW, &diff.render_text(COMMIT_BODY_LINES));
}

#[wasm_bindgen_test(unsupported = test)]
fn identical_versions_give_an_empty_summary() {
    let diff = diff_texts(5150, Some(V1), V1, Some(META1), Some(META1)).unwrap();
    assert!(diff.is_empty(), "{diff:?}");
    assert_eq!(diff.render_text(COMMIT_BODY_LINES), "");
    // Key order and whitespace are not changes (the texts are compared as JSON values).
    let compact: Value = serde_json::from_str(V1).unwrap();
    assert!(diff_texts(5150, Some(&compact.to_string()), V1, None, None).unwrap().is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn big_diffs_are_bounded_but_counted_exactly() {
    let blueprint = |n: usize, text: &str| {
        let flow: Vec<Value> = (1..=n).map(|i| json!({"id": i, "module": "util:SetVariable2", "mapper": {"name": "v", "value": text}})).collect();
        json!({"name": "Many", "flow": flow, "metadata": {"version": 1}}).to_string()
    };
    let diff = diff_texts(1, Some(&blueprint(150, "a")), &blueprint(150, "b"), None, None).unwrap();
    assert_eq!(diff.counts.changed, 150);
    assert_eq!(diff.changed.len(), MAX_LISTED);
    let text = diff.render_text(COMMIT_BODY_LINES);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), COMMIT_BODY_LINES);
    assert_eq!(lines[0], "Modules: +0 added, -0 removed, ~150 changed; 150 → 150 modules");
    assert_eq!(lines[COMMIT_BODY_LINES - 1], "… and 63 more", "header + 100 listed + 1 'not listed' = 102 lines, 39 shown");
    let long_name = "x".repeat(500);
    let renamed = json!({"name": long_name, "flow": [], "metadata": {"version": 1}}).to_string();
    let text = diff_texts(1, Some(&blueprint(0, "")), &renamed, None, None).unwrap().render_text(COMMIT_BODY_LINES);
    assert!(text.lines().all(|l| l.chars().count() <= 160), "lines are bounded too");
}

#[wasm_bindgen_test(unsupported = test)]
fn errors_name_the_file_and_version() {
    let err = diff_texts(5150, Some("{"), V2, None, None).unwrap_err().to_string();
    assert!(err.contains("scenarios/5150/blueprint.json (old)"), "{err}");
    let err = diff_texts(5150, Some(V1), "[]", None, None).unwrap_err().to_string();
    assert!(err.contains("scenarios/5150/blueprint.json (new)"), "{err}");
    let err = diff_texts(5150, Some(V1), V2, Some("nope"), Some(META2)).unwrap_err().to_string();
    assert!(err.contains("scenarios/5150/metadata.json (old)"), "{err}");
}

#[wasm_bindgen_test(unsupported = test)]
fn scheduling_reads_as_words() {
    let cases = [
        (Some("{\"type\":\"indefinitely\",\"interval\":900}"), "every 15 min"),
        (Some("{\"type\":\"indefinitely\",\"interval\":7200}"), "every 2 h"),
        (Some("{\"type\":\"immediately\"}"), "immediately (instant trigger)"),
        (Some("{\"type\":\"on-demand\"}"), "on demand"),
        (Some("{\"type\":\"daily\",\"time\":\"02:00\"}"), "daily at 02:00"),
        (Some("{\"type\":\"weekly\",\"days\":[1,3],\"time\":\"08:30\"}"), "weekly on days [1,3] at 08:30"),
        (Some("{\"type\":\"once\",\"date\":\"2026-12-24T18:00:00.000Z\"}"), "once on 2026-12-24T18:00:00.000Z"),
        (None, "none"),
    ];
    for (input, expected) in cases {
        assert_eq!(describe_scheduling(input), expected);
    }
}
