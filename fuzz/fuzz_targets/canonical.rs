#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::canonical::canonical_value;
use make_backup_planner::canonical_json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let canonical = canonical_json(text);
    if let Ok(c) = &canonical {
        assert_eq!(&canonical_json(c).unwrap(), c, "canonical JSON is idempotent");
    }
    // Whatever serde_json accepts, the canonical writer accepts too, with the same bytes.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let c = canonical.unwrap_or_else(|e| panic!("serde_json parses it but canonical_json fails: {e}"));
        assert_eq!(canonical_value(&value), c, "canonical_json and canonical_value disagree");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&c).unwrap(), value, "canonical text parses back to the same value");
    }
});
