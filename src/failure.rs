//! Failure classification, retry waits and request pacing (PRD FR-7).
//!
//! Every reply gets a class: success, retryable (429, 5xx, timeouts, rate-limit 403s — waits 1 s, 2 s,
//! 4 s with seeded jitter, or what `Retry-After` / `x-ratelimit-reset` say), or failed (anything else; the
//! engine decides whether that is fatal for the run or for one scenario). Pacing keeps each service
//! inside its per-minute budget with a sliding 60-second window; the engine turns both into waits.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::clock::parse_http_date_ms;
use crate::protocol::{FailureKind, Reply, Service};

/// The class of one reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Class {
    /// 2xx.
    Success,
    /// Worth another try after `wait_ms`.
    Retryable { wait_ms: i64, why: String },
    /// Not worth retrying.
    Failed { status: Option<u16>, why: String },
}

const MINUTE_MS: i64 = 60_000;

/// Classifies a reply. `attempt` is the number of retries already made for this request.
pub(crate) fn classify(service: Service, reply: &Reply, attempt: u32, now_ms: i64, rng: &mut Jitter) -> Class {
    let mut backoff = || backoff_ms(attempt, rng);
    if let Some(failure) = &reply.failure {
        let kind = match failure.kind {
            FailureKind::Timeout => "timed out",
            FailureKind::Network => "network error",
        };
        let detail = if failure.message.is_empty() { String::new() } else { format!(": {}", failure.message) };
        return Class::Retryable { wait_ms: backoff(), why: format!("{kind}{detail}") };
    }
    let Some(status) = reply.status else {
        return Class::Retryable { wait_ms: backoff(), why: "no status and no failure in the reply".to_owned() };
    };
    if (200..300).contains(&status) {
        return Class::Success;
    }
    let header_wait = header_wait_ms(reply, now_ms);
    let rate_limited_403 = status == 403 && service == Service::Github && is_github_rate_limit(reply);
    if status == 429 || rate_limited_403 {
        let floor = if service == Service::Github && header_wait.is_none() {
            // GitHub: secondary limit without headers → wait at least a minute (documented backoff).
            MINUTE_MS
        } else {
            0
        };
        let wait_ms = header_wait.unwrap_or(0).max(floor).max(backoff());
        return Class::Retryable { wait_ms, why: format!("HTTP {status} rate limited") };
    }
    if status >= 500 || status == 408 {
        let wait_ms = header_wait.unwrap_or(0).max(backoff());
        return Class::Retryable { wait_ms, why: format!("HTTP {status}") };
    }
    Class::Failed { status: Some(status), why: format!("HTTP {status}") }
}

/// Exponential backoff: 1 s, 2 s, 4 s, … for retry `attempt` (0-based), plus up to 20 % jitter.
pub(crate) fn backoff_ms(attempt: u32, rng: &mut Jitter) -> i64 {
    let base = 1000_i64.saturating_mul(1_i64 << attempt.min(20));
    base + (base as f64 * 0.2 * rng.next_unit()) as i64
}

/// `Retry-After` (seconds or HTTP date), else `x-ratelimit-reset` when `x-ratelimit-remaining` is 0.
fn header_wait_ms(reply: &Reply, now_ms: i64) -> Option<i64> {
    if let Some(value) = reply.header("retry-after") {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<f64>() {
            if seconds.is_finite() && seconds >= 0.0 {
                return Some((seconds * 1000.0) as i64);
            }
        }
        if let Some(at) = parse_http_date_ms(value) {
            return Some(at.saturating_sub(now_ms).max(0));
        }
    }
    let remaining = reply.header("x-ratelimit-remaining").and_then(|v| v.trim().parse::<u64>().ok());
    let reset = reply.header("x-ratelimit-reset").and_then(|v| v.trim().parse::<i64>().ok());
    match (remaining, reset) {
        (Some(0), Some(reset_s)) => Some(reset_s.saturating_mul(1000).saturating_sub(now_ms).max(0).saturating_add(1000)),
        _ => None,
    }
}

/// A 403 from GitHub that is a rate limit, not a permission problem.
fn is_github_rate_limit(reply: &Reply) -> bool {
    reply.header("x-ratelimit-remaining").map(str::trim) == Some("0")
        || reply.header("retry-after").is_some()
        || reply.body.to_ascii_lowercase().contains("rate limit")
}

/// Deterministic jitter from the run's seed (splitmix64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Jitter {
    state: u64,
}

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// A number in [0, 1).
    pub(crate) fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// A sliding one-minute request budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pacer {
    budget: u32,
    sent_ms: VecDeque<i64>,
}

impl Pacer {
    pub(crate) fn new(budget: u32) -> Self {
        Self { budget: budget.max(1), sent_ms: VecDeque::new() }
    }

    fn forget_old(&mut self, now_ms: i64) {
        while self.sent_ms.front().is_some_and(|&t| t + MINUTE_MS <= now_ms) {
            self.sent_ms.pop_front();
        }
    }

    /// Milliseconds to wait before the next request fits the budget (0 = send now).
    pub(crate) fn wait_ms(&mut self, now_ms: i64) -> i64 {
        self.forget_old(now_ms);
        if self.sent_ms.len() < self.budget as usize {
            return 0;
        }
        let overflow = self.sent_ms.len() + 1 - self.budget as usize;
        self.sent_ms.get(overflow - 1).map_or(0, |&t| (t + MINUTE_MS - now_ms).max(0))
    }

    /// Requests per minute this pacer allows (the configured budget, or less after a 429).
    pub(crate) fn budget(&self) -> u32 {
        self.budget
    }

    pub(crate) fn record(&mut self, now_ms: i64) {
        self.forget_old(now_ms);
        self.sent_ms.push_back(now_ms);
    }

    /// After a 429: the real limit is below what was sent in the last minute, so shrink the budget to
    /// that and return how long until the window has room.
    pub(crate) fn learn_limit(&mut self, now_ms: i64) -> i64 {
        self.forget_old(now_ms);
        let sent = self.sent_ms.len() as u32;
        self.budget = self.budget.min(sent.saturating_sub(1).max(1));
        self.wait_ms(now_ms)
    }
}
