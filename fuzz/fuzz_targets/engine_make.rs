#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner_fuzz::{Fuzzed, drive};

// A run against the fakes where Make's replies (list pages, blueprints) are fuzzed.
fuzz_target!(|data: &[u8]| drive(data, Fuzzed::Make));
