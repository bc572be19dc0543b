//! Helpers shared by the fuzz targets: input splitting, and a driver that runs the engine against the
//! in-memory Make/GitHub fakes of the tests with fuzzed replies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

#[path = "../../tests/common/mod.rs"]
pub mod common;

use std::collections::BTreeMap;

use common::{World, config, iso};
use make_backup_planner::verify::{VerifyStatus, verify};
use make_backup_planner::{Action, Engine, Failure, FailureKind, Reply, Request, Service};
use serde_json::json;

/// Splits fuzz bytes into `n` texts at 0xFF bytes (never part of UTF-8); missing parts are empty.
pub fn parts(data: &[u8], n: usize) -> Vec<String> {
    let mut out: Vec<String> = data.splitn(n, |&b| b == 0xFF).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    out.resize(n, String::new());
    out
}

/// Reads fuzz bytes front to back; yields zeros when exhausted.
pub struct Cursor<'a> {
    data: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    pub fn u16(&mut self) -> u16 {
        u16::from(self.byte()) << 8 | u16::from(self.byte())
    }
    /// A text of up to `max` bytes (length from the next byte).
    pub fn text(&mut self, max: usize) -> String {
        let len = (usize::from(self.byte()) * max / 255).min(self.data.len());
        let (head, rest) = self.data.split_at(len);
        self.data = rest;
        String::from_utf8_lossy(head).into_owned()
    }
}

const STATUSES: [u16; 16] = [200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504, 0];
const HEADERS: [&str; 6] = ["retry-after", "x-ratelimit-remaining", "x-ratelimit-reset", "content-type", "x-ratelimit-limit", "date"];

/// A reply made from fuzz bytes (status, headers, body, or a transport failure), possibly derived
/// from the real answer `real`.
pub fn fuzzed_reply(request: &Request, real: Option<(u16, String)>, c: &mut Cursor<'_>) -> Reply {
    let mode = c.byte();
    let mut headers = BTreeMap::new();
    for _ in 0..(c.byte() % 3) {
        let name = HEADERS[usize::from(c.byte()) % HEADERS.len()];
        headers.insert(name.to_owned(), c.text(24));
    }
    let (status, body) = match (mode % 5, real) {
        (0, Some((status, body))) => {
            // The real body, cut short.
            let cut = usize::from(c.u16()) % (body.len() + 1);
            let cut = (0..=cut).rev().find(|&i| body.is_char_boundary(i)).unwrap_or(0);
            (status, body[..cut].to_owned())
        }
        (1, Some((_, body))) => (STATUSES[usize::from(c.byte()) % STATUSES.len()], body),
        (2, _) => {
            return Reply {
                request_id: request.id,
                status: None,
                headers,
                body: String::new(),
                failure: Some(Failure {
                    kind: if c.byte() % 2 == 0 { FailureKind::Timeout } else { FailureKind::Network },
                    message: c.text(40),
                }),
            };
        }
        (3, _) => (c.u16(), c.text(400)),
        _ => (STATUSES[usize::from(c.byte()) % STATUSES.len()], c.text(2000)),
    };
    Reply { request_id: request.id, status: Some(status), headers, body, failure: None }
}

/// Which replies the driver replaces with fuzzed ones.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Fuzzed {
    Make,
    Github,
}

/// Runs a backup against the fakes (optionally after a clean first run and some edits), replacing
/// some replies of one service with fuzzed ones; checks the engine never errs on a proper reply,
/// always finishes, and — when only Make's replies are fuzzed — leaves a repository that `verify`
/// does not call critical.
pub fn drive(data: &[u8], fuzzed: Fuzzed) {
    let mut c = Cursor::new(data);
    let setup = c.byte();
    let mut world = World::new(u64::from(setup % 5) + 1);
    if setup & 0x08 != 0 {
        world.run();
        let ids: Vec<u64> = world.make.scenarios.keys().copied().collect();
        for (i, id) in ids.iter().enumerate() {
            if setup & (0x10 << (i % 4)) != 0 {
                world.make.edit(*id);
            }
        }
        if setup & 0x80 != 0 {
            let last = *ids.last().unwrap();
            world.make.scenarios.remove(&last);
        }
    }
    let mut cfg = config();
    let knobs = c.byte();
    if knobs & 1 != 0 {
        cfg.commit_mode = make_backup_planner::CommitMode::PerRun;
    }
    cfg.force = knobs & 2 != 0;
    cfg.make.page_size = u32::from(knobs >> 5) + 1;
    if knobs & 4 != 0 {
        cfg.blob_threshold_bytes = 100;
    }
    let mut now = world.now;
    let mut engine = Engine::start(cfg, &iso(now), u64::from(c.byte())).unwrap();
    for _ in 0..5_000 {
        match engine.poll(&iso(now)).unwrap() {
            Action::Request { request } => {
                let real = world.run_one(&request);
                let ours = match fuzzed {
                    Fuzzed::Make => request.service == Service::Make,
                    Fuzzed::Github => request.service == Service::Github,
                };
                let reply = if ours && !c.is_empty() && c.byte() % 3 != 0 {
                    fuzzed_reply(&request, Some(real), &mut c)
                } else {
                    let mut headers = BTreeMap::new();
                    headers.insert("content-type".to_owned(), "application/json".to_owned());
                    Reply { request_id: request.id, status: Some(real.0), headers, body: real.1, failure: None }
                };
                now += 20;
                engine.handle(&iso(now), reply).unwrap();
                if c.byte() == 0xAB {
                    engine = Engine::from_json(&engine.to_json().unwrap()).unwrap();
                }
            }
            Action::Wait { seconds, .. } => {
                assert!(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 * 365.0, "wait of {seconds}");
                now += (seconds * 1000.0).ceil() as i64;
            }
            Action::Done { summary, report } => {
                assert!(!report.is_empty());
                assert!(summary.backed_up <= summary.total + summary.deleted);
                if fuzzed == Fuzzed::Make {
                    let files = world.github.files();
                    let tree: Vec<_> = files
                        .iter()
                        .map(|(p, t)| json!({"path": p, "type": "blob", "mode": "100644", "sha": make_backup_planner::git_blob_sha(t.as_bytes())}))
                        .collect();
                    let listing = json!({"tree": tree, "truncated": false}).to_string();
                    let state = files.get(".backup-state.json").map(String::as_str);
                    let report = verify(&listing, state, &iso(now), 26).unwrap();
                    assert!(
                        report.status != VerifyStatus::Critical || (state.is_none() && report.counts.scenarios_in_repository == 0),
                        "the repository disagrees with its state after a run with faulty Make replies:\n{}",
                        report.markdown
                    );
                }
                return;
            }
        }
    }
    panic!("the engine did not finish within 5000 steps");
}
