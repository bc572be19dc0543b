//! Secret scanning: a corpus of fake-but-correctly-shaped secrets and look-alike non-secrets
//! (tests/fixtures/secrets/corpus.json), placed into modules of a blueprint the way Make stores them
//! (headers and query strings as `{name, value}` pairs, mapper fields, URLs, free text). Prints
//! precision and recall and requires both ≥ 0.95. Every secret in the fixtures is FAKE (alphabet runs
//! with the right prefix and length); see tests/fixtures/secrets/README.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeSet;

use make_backup_planner::canonical_json;
use make_backup_planner::secrets::{
    ScenarioSecrets, SecretFinding, SecretKind, SecretPolicy, markdown, redact, scan, screen,
};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

const CORPUS: &str = include_str!("fixtures/secrets/corpus.json");
const NESTED: &str = include_str!("fixtures/secrets/blueprint-nested.json");
const NESTED_EXPECTED: &str = include_str!("fixtures/secrets/blueprint-nested.expected.json");
const CLEAN_BLUEPRINTS: [&str; 2] =
    [include_str!("fixtures/make/blueprint-router-unicode.json"), include_str!("fixtures/make/blueprint-exact-numbers.json")];

/// The mapper of an HTTP module holding `value` as the case's `where` says.
fn mapper_for(place: &str, value: &str) -> Value {
    let (how, name) = place.split_once(':').unwrap_or((place, ""));
    match how {
        "header" => json!({"url": "https://api.acme.test/v1", "method": "get", "headers": [{"name": "Accept", "value": "application/json"}, {"name": name, "value": value}]}),
        "qs" => json!({"url": "https://api.acme.test/v1", "method": "get", "qs": [{"name": name, "value": value}]}),
        "field" => json!({"method": "post", name: value}),
        "url" => json!({"url": value, "method": "get"}),
        "text" => json!({"url": "https://api.acme.test/v1", "method": "post", "data": value}),
        other => panic!("unknown placement {other}"),
    }
}

/// A blueprint with the value in module `42`, placed (by `variant`) at the top level, inside a router
/// route, or in an error handler.
fn blueprint_with(place: &str, value: &str, variant: usize) -> String {
    let module = json!({"id": 42, "module": "http:ActionSendData", "version": 3, "parameters": {"handleErrors": false}, "mapper": mapper_for(place, value), "metadata": {"designer": {"x": 300, "y": 0}}});
    let trigger = json!({"id": 1, "module": "gateway:CustomWebHook", "version": 1, "parameters": {"hook": 1916855}, "mapper": null});
    let flow = match variant % 3 {
        0 => json!([trigger, module]),
        1 => json!([trigger, {"id": 2, "module": "builtin:BasicRouter", "version": 1, "mapper": null, "routes": [{"flow": []}, {"flow": [module]}]}]),
        _ => json!([trigger, {"id": 3, "module": "json:ParseJSON", "version": 1, "mapper": {"json": "{{1.body}}"}, "onerror": [module, {"id": 4, "module": "builtin:Ignore", "version": 1}]}]),
    };
    canonical_json(&json!({"name": "corpus case", "flow": flow, "metadata": {"version": 1}}).to_string()).unwrap()
}

fn kinds(findings: &[SecretFinding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.kind.as_str().to_owned()).collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn corpus_precision_and_recall() {
    let corpus: Value = serde_json::from_str(CORPUS).unwrap();
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    let mut kinds_covered = BTreeSet::new();
    for (is_positive, list) in [(true, "positives"), (false, "negatives")] {
        for (i, case) in corpus[list].as_array().unwrap().iter().enumerate() {
            let name = case["name"].as_str().unwrap();
            let value = case["value"].as_str().unwrap();
            let place = case["where"].as_str().unwrap();
            let expected: BTreeSet<String> = case
                .get("kinds")
                .and_then(Value::as_array)
                .map(|k| k.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            let text = blueprint_with(place, value, i);
            let findings = scan(&text).unwrap();
            let found = kinds(&findings);
            tp += expected.intersection(&found).count();
            let missed: Vec<&String> = expected.difference(&found).collect();
            let extra: Vec<&String> = found.difference(&expected).collect();
            fn_ += missed.len();
            fp += extra.len();
            if !missed.is_empty() || !extra.is_empty() {
                misses.push(format!("{list}: {name}: missed {missed:?}, extra {extra:?}"));
            }
            for f in &findings {
                // Every finding names the module it sits in, at any depth, and never the value.
                assert_eq!((f.module_id, f.module_type.as_deref()), (Some(42), Some("http:ActionSendData")), "{name}: {f:?}");
                let described = serde_json::to_string(f).unwrap() + &f.describe();
                assert!(value.len() < 8 || !described.contains(value), "{name}: a finding leaks the value");
            }
            if is_positive {
                kinds_covered.extend(found.intersection(&expected).cloned());
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!(
        "secret scanning corpus: {} positives, {} negatives; TP {tp} FP {fp} FN {fn_}; precision {precision:.3}, recall {recall:.3}; {} kinds detected",
        corpus["positives"].as_array().unwrap().len(),
        corpus["negatives"].as_array().unwrap().len(),
        kinds_covered.len()
    );
    for miss in &misses {
        println!("  {miss}");
    }
    assert!(precision >= 0.95 && recall >= 0.95, "precision {precision:.3} / recall {recall:.3} below 0.95:\n{}", misses.join("\n"));
    assert!(kinds_covered.len() >= 15, "only {} kinds covered: {kinds_covered:?}", kinds_covered.len());
}

#[wasm_bindgen_test(unsupported = test)]
fn nested_modules_are_named_at_any_depth() {
    let findings = scan(NESTED).unwrap();
    let expected: Vec<SecretFinding> = serde_json::from_str(NESTED_EXPECTED).unwrap();
    assert_eq!(findings, expected);
    let described: Vec<String> = findings.iter().map(SecretFinding::describe).collect();
    assert_eq!(described[0], "GitHub token (github-token) in module 3 (http:ActionSendData) at /flow/1/routes/0/flow/0/mapper/headers/0/value");
}

#[wasm_bindgen_test(unsupported = test)]
fn real_blueprints_scan_clean() {
    for text in CLEAN_BLUEPRINTS {
        assert_eq!(scan(text).unwrap(), vec![]);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn redaction_is_canonical_stable_and_clean() {
    let (redacted, findings) = redact(NESTED).unwrap();
    assert_eq!(findings, scan(NESTED).unwrap(), "redact reports what scan finds");
    assert_eq!(canonical_json(&redacted).unwrap(), redacted, "redacted text is canonical JSON");
    assert_eq!(scan(&redacted).unwrap(), vec![], "redacted text scans clean");
    assert_eq!(redact(&redacted).unwrap().0, redacted, "redacting twice changes nothing");
    let value: Value = serde_json::from_str(&redacted).unwrap();
    let route = &value["flow"][1]["routes"][0]["flow"][0]["mapper"];
    assert_eq!(route["headers"][0]["value"], "token [redacted:github-token]", "the scheme stays, the secret goes");
    assert_eq!(route["headers"][1]["value"], "application/json");
    assert_eq!(route["qs"][1]["value"], "{{1.page}}", "IML mappings are untouched");
    assert_eq!(
        value["flow"][1]["routes"][1]["flow"][0]["mapper"]["url"],
        "https://hooks.slack.com/services/[redacted:slack-webhook]"
    );
    let notify = value["flow"][1]["routes"][1]["flow"][0]["onerror"][0]["mapper"]["url"].as_str().unwrap();
    assert_eq!(notify, "https://alerts.acme.test/notify?token=[redacted:generic-secret]");
    // Only the secrets changed: everything else is byte-identical after removing the placeholders' lines.
    let original: Value = serde_json::from_str(NESTED).unwrap();
    assert_eq!(original["flow"][0], value["flow"][0]);
    assert_eq!(original["flow"][2]["branches"][1], value["flow"][2]["branches"][1]);
    // Every corpus positive redacts to a clean, canonical text.
    let corpus: Value = serde_json::from_str(CORPUS).unwrap();
    for (i, case) in corpus["positives"].as_array().unwrap().iter().enumerate() {
        let text = blueprint_with(case["where"].as_str().unwrap(), case["value"].as_str().unwrap(), i);
        let (redacted, findings) = redact(&text).unwrap();
        assert!(!findings.is_empty());
        assert_eq!(scan(&redacted).unwrap(), vec![], "{}: redacted text still has secrets", case["name"]);
        assert_eq!(canonical_json(&redacted).unwrap(), redacted);
        assert!(!redacted.contains(case["value"].as_str().unwrap()), "{}", case["name"]);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn escaped_strings_are_decoded_and_redacted() {
    // The secret is written with JSON escapes; redaction keeps the other escaped characters.
    let text = r#"{"flow":[{"id":1,"module":"http:ActionSendData","mapper":{"data":"line1\nAuthorization: Bearer \u0046AKE0123456789abcdefXYZ\t\"quoted\" ☃"}}]}"#;
    let findings = scan(text).unwrap();
    assert_eq!(kinds(&findings), BTreeSet::from(["authorization-header".to_owned()]));
    let (redacted, _) = redact(text).unwrap();
    let value: Value = serde_json::from_str(&redacted).unwrap();
    assert_eq!(value["flow"][0]["mapper"]["data"], "line1\nAuthorization: Bearer [redacted:authorization-header]\t\"quoted\" ☃");
}

#[wasm_bindgen_test(unsupported = test)]
fn aws_secret_next_to_an_access_key_in_the_same_module() {
    let secret = "FAKEabcdefghijklmnopq/1234567+JKLMNOPQRS";
    assert_eq!(secret.len(), 40);
    let pair = json!({"flow": [
        {"id": 1, "module": "aws:PutObject", "mapper": {"headers": [{"name": "X-Key-Id", "value": "AKIAFAKE0123456789AB"}, {"name": "X-Key", "value": secret}]}},
        {"id": 2, "module": "http:ActionSendData", "mapper": {"fileId": secret}}
    ]})
    .to_string();
    let findings = scan(&pair).unwrap();
    let got: Vec<(SecretKind, Option<u64>)> = findings.iter().map(|f| (f.kind, f.module_id)).collect();
    assert_eq!(got, vec![(SecretKind::AwsAccessKeyId, Some(1)), (SecretKind::AwsSecretAccessKey, Some(1))], "module 2 has no key id next to it");
}

#[wasm_bindgen_test(unsupported = test)]
fn policies() {
    let clean = CLEAN_BLUEPRINTS[0];
    for policy in [SecretPolicy::Warn, SecretPolicy::Redact, SecretPolicy::Block] {
        let s = screen(clean, policy).unwrap();
        assert!(s.findings.is_empty() && s.redacted.is_none() && !s.blocked, "{policy:?} on a clean blueprint does nothing");
    }
    let warn = screen(NESTED, SecretPolicy::Warn).unwrap();
    assert_eq!((warn.findings.len(), warn.redacted.is_none(), warn.blocked), (6, true, false));
    let redacted = screen(NESTED, SecretPolicy::Redact).unwrap();
    assert_eq!(redacted.redacted.as_deref(), Some(redact(NESTED).unwrap().0.as_str()));
    assert!(screen(NESTED, SecretPolicy::Block).unwrap().blocked);
    assert_eq!(SecretPolicy::default(), SecretPolicy::Warn);
    assert_eq!(serde_json::to_string(&SecretPolicy::Redact).unwrap(), "\"redact\"");
    assert_eq!(serde_json::from_str::<SecretPolicy>("\"block\"").unwrap(), SecretPolicy::Block);
    assert_eq!(serde_json::to_string(&SecretKind::GithubFineGrainedToken).unwrap(), "\"github-fine-grained-token\"");
    for kind in SecretKind::ALL {
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
    }
    // Summary and commit texts name scenario, module and kind — never a value.
    let report = ScenarioSecrets { scenario_id: 5, name: "Orders | EU".into(), policy: SecretPolicy::Redact, findings: warn.findings.clone() };
    let note = report.commit_note();
    assert!(note.starts_with("Secrets redacted before commit (secret policy: redact):\n- GitHub token (github-token) in module 3"));
    let md = markdown(&[report]);
    assert!(md.contains("| 5 Orders \\| EU | redacted | GitHub token | 3 `http:ActionSendData` |"), "{md}");
    let nested: Value = serde_json::from_str(NESTED).unwrap();
    let token = nested["flow"][1]["routes"][0]["flow"][0]["mapper"]["headers"][0]["value"].as_str().unwrap();
    assert!(!note.contains(&token[6..]) && !md.contains(&token[6..]));
    assert_eq!(markdown(&[]), "");
}

#[wasm_bindgen_test(unsupported = test)]
fn invalid_json_is_an_input_error() {
    let error = scan("{\"flow\": [").unwrap_err();
    assert_eq!(error.code(), "invalid-input");
    assert!(error.to_string().starts_with("invalid blueprint: not JSON"), "{error}");
    assert!(redact("nope").is_err());
}

#[wasm_bindgen_test(unsupported = test)]
fn pointers_escape_keys_and_values_are_never_in_findings() {
    let token = "ghp_FAKE0123456789abcdefghijABCDEFGHIJKL";
    let text = json!({"flow": [{"id": 7, "module": "http:ActionSendData", "mapper": {"a/b~c": {"😀 key": format!("x {token} y")}}}]}).to_string();
    let findings = scan(&text).unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].pointer, "/flow/0/mapper/a~1b~0c/😀 key");
    let serialized = serde_json::to_string(&findings).unwrap();
    assert!(!serialized.contains("FAKE0123") && !findings[0].describe().contains("FAKE0123"));
    let (redacted, _) = redact(&text).unwrap();
    let value: Value = serde_json::from_str(&redacted).unwrap();
    assert_eq!(value.pointer(&findings[0].pointer).unwrap(), "x [redacted:github-token] y", "the pointer resolves to the redacted string");
}
