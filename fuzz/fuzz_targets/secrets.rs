#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::canonical_json;
use make_backup_planner::secrets::{redact, scan};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Also as a string value inside a module, where most detectors look.
    let wrapped = serde_json::json!({"flow": [{"id": 1, "module": "http:ActionSendData", "mapper": {"headers": [{"name": "Authorization", "value": text}], "url": text}}]}).to_string();
    for input in [text.as_ref(), wrapped.as_str()] {
        let found = scan(input);
        if let Ok((redacted, findings)) = redact(input) {
            assert_eq!(found.unwrap(), findings, "redact and scan disagree");
            assert_eq!(canonical_json(&redacted).unwrap(), redacted, "redacted text is not canonical");
            let _ = scan(&redacted).unwrap();
        } else {
            assert!(found.is_err());
        }
    }
});
