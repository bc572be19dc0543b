#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner::files::{parse_metadata, unchanged_stamp};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(previous) = parse_metadata(&text) {
        let _ = previous.fingerprint();
        let _ = unchanged_stamp(&previous);
    }
});
