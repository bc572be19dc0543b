//! Golden files: exact bytes of rendered files for fixed inputs. The same cases (tests/golden/cases.json)
//! are checked by the wasm build (this file under wasm-bindgen-test) and by pkg-js's JS tests.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use make_backup_planner::stages::{RenderInput, render_files};
use make_backup_planner::{canonical_json, git_blob_sha};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

/// Fixture and golden texts, embedded so the wasm build (no file system) checks the same bytes.
fn embedded(path: &str) -> &'static str {
    match path {
        "cases.json" => include_str!("golden/cases.json"),
        "listing-router-unicode.json" => include_str!("fixtures/make/listing-router-unicode.json"),
        "blueprint-router-unicode.json" => include_str!("fixtures/make/blueprint-router-unicode.json"),
        "listing-exact-numbers.json" => include_str!("fixtures/make/listing-exact-numbers.json"),
        "blueprint-exact-numbers.json" => include_str!("fixtures/make/blueprint-exact-numbers.json"),
        "previous-metadata-with-history.json" => include_str!("fixtures/make/previous-metadata-with-history.json"),
        "state-with-history.json" => include_str!("fixtures/make/state-with-history.json"),
        "router-unicode/blueprint.json" => include_str!("golden/router-unicode/blueprint.json"),
        "router-unicode/metadata.json" => include_str!("golden/router-unicode/metadata.json"),
        "exact-numbers/blueprint.json" => include_str!("golden/exact-numbers/blueprint.json"),
        "exact-numbers/metadata.json" => include_str!("golden/exact-numbers/metadata.json"),
        "with-history/blueprint.json" => include_str!("golden/with-history/blueprint.json"),
        "with-history/metadata.json" => include_str!("golden/with-history/metadata.json"),
        "history-capped/blueprint.json" => include_str!("golden/history-capped/blueprint.json"),
        "history-capped/metadata.json" => include_str!("golden/history-capped/metadata.json"),
        other => panic!("no embedded file {other}"),
    }
}

fn input_of(case: &Value) -> RenderInput {
    let text = |key: &str| case.get(key).and_then(Value::as_str).map(|f| embedded(f).to_owned());
    RenderInput {
        listing: text("listing").unwrap(),
        blueprint_reply: text("blueprintReply").unwrap(),
        previous_metadata: text("previousMetadata"),
        state: text("state"),
        organization_id: case["organizationId"].as_u64(),
        now: case["now"].as_str().unwrap().to_owned(),
        backup_history_limit: case.get("backupHistoryLimit").and_then(Value::as_u64).map(|n| n as u32),
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn rendered_files_match_the_golden_bytes() {
    let cases: Value = serde_json::from_str(embedded("cases.json")).unwrap();
    let update = cfg!(not(target_arch = "wasm32")) && std::env::var_os("UPDATE_GOLDEN").is_some();
    for case in cases["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let files = render_files(&input_of(case)).unwrap();
        for file in files {
            let file_name = file.path.rsplit('/').next().unwrap();
            let key = format!("{name}/{file_name}");
            if update {
                let dir = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(format!("{dir}/{file_name}"), &file.content).unwrap();
                continue;
            }
            assert_eq!(file.content, embedded(&key), "{key} differs from the golden file");
            assert_eq!(file.blob_sha, git_blob_sha(embedded(&key).as_bytes()));
            assert_eq!(canonical_json(&file.content).unwrap(), file.content, "{key} is canonical");
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn golden_properties_hold() {
    let bp: Value = serde_json::from_str(embedded("exact-numbers/blueprint.json")).unwrap();
    let text = embedded("exact-numbers/blueprint.json");
    assert!(text.contains("12345678901234567890") && text.contains("1.10") && text.contains("1e+5") && text.contains("-0.0"), "numbers kept digit for digit (serde_json writes an exponent with its sign)");
    assert!(text.ends_with("}\n") && !text.contains("\\u00fc"), "trailing newline, UTF-8 unescaped");
    assert_eq!(bp["name"], "Big ids");
    let keys: Vec<&String> = bp.as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["flow", "metadata", "name", "zeta"], "keys sorted");
    let meta: Value = serde_json::from_str(embedded("with-history/metadata.json")).unwrap();
    let history = meta["backupHistory"].as_array().unwrap();
    assert_eq!(history.len(), 2, "previous history + the state's last backup");
    assert_eq!(history[1]["gitCommit"], "2222222222222222222222222222222222222222");
    let capped: Value = serde_json::from_str(embedded("history-capped/metadata.json")).unwrap();
    assert_eq!(capped["backupHistory"].as_array().unwrap().len(), 1);
    assert_eq!(capped["backupHistory"][0]["gitCommit"], "2222222222222222222222222222222222222222", "the cap drops the oldest");
    let unicode: Value = serde_json::from_str(embedded("router-unicode/metadata.json")).unwrap();
    for volatile in ["nextExec", "dlqCount", "iswaiting", "operations", "transfer"] {
        assert!(unicode.get(volatile).is_none() && unicode["listing"].get(volatile).is_none());
    }
    assert_eq!(unicode["inputSpec"][0]["name"], "country");
    assert_eq!(unicode["outputSpec"][0]["name"], "status");
    assert_eq!(unicode["idSequence"], 7);
}
