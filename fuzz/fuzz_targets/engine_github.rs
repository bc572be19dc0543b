#![no_main]
use libfuzzer_sys::fuzz_target;
use make_backup_planner_fuzz::{Fuzzed, drive};

// A run against the fakes where GitHub's replies (branch, trees, blobs, commits, ref updates) are fuzzed.
fuzz_target!(|data: &[u8]| drive(data, Fuzzed::Github));
