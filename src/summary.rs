//! The run summary (PRD FR-6) and its Markdown report.

use serde::{Deserialize, Serialize};

use crate::selection::{Verdict, VerdictKind};

/// Overall outcome of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum RunStatus {
    /// Everything that needed a backup got one.
    Success,
    /// Some scenarios failed; the others landed.
    Partial,
    /// The run stopped on a fatal error (see `fatal`).
    Failed,
}

/// Summary of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Overall outcome.
    pub status: RunStatus,
    /// The error that stopped the run, if any.
    pub fatal: Option<RunError>,
    /// Scenarios listed by Make.
    pub total: u64,
    /// Scenarios whose backup commit reached the branch this run.
    pub backed_up: u64,
    /// Scenarios with nothing to do.
    pub unchanged: u64,
    /// Scenarios skipped (deleted between list and blueprint read).
    pub skipped: u64,
    /// Scenarios newly marked deleted in the state.
    pub deleted: u64,
    /// False when a list page failed: then nothing is marked deleted.
    pub inventory_complete: bool,
    /// Per-scenario and fatal errors, each naming the scenario, the request and what to do.
    pub errors: Vec<RunError>,
    /// Every scenario's verdict with its reason.
    pub verdicts: Vec<Verdict>,
    /// Commits that reached the branch, oldest first.
    pub commits: Vec<CommitRecord>,
    /// `commits.len()`.
    pub commits_made: u64,
    /// Requests emitted per service (retries included).
    pub api_calls: ApiCalls,
    /// Things worth knowing that are not errors.
    pub warnings: Vec<String>,
    /// Secrets found in blueprints: scenario, module, kind and what the policy did (never a value).
    pub secrets: Vec<crate::secrets::ScenarioSecrets>,
    /// Backup coverage after the run (scenarios in Make vs backed up, out of date, stale), for
    /// monitoring; absent when the run stopped before its state was settled.
    pub coverage: Option<crate::audit::Coverage>,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When it finished.
    pub finished_at: String,
    /// `finishedAt - startedAt`.
    pub duration_ms: u64,
}

/// An error recorded in the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct RunError {
    /// The scenario concerned, if any.
    pub scenario_id: Option<u64>,
    /// Its name.
    pub name: Option<String>,
    /// `fatal` (stopped the run), `scenario` (that scenario failed), `skipped` (not an error of ours).
    pub class: ErrorClass,
    /// Stable kebab-case code.
    pub code: String,
    /// HTTP status, when there was one.
    pub status: Option<u16>,
    /// What happened and what to do.
    pub message: String,
    /// `METHOD url` of the request.
    pub request: Option<String>,
}

/// How far an error reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum ErrorClass {
    /// The run stopped.
    Fatal,
    /// One scenario failed; the others went on.
    Scenario,
    /// The scenario was skipped for a reason outside our control.
    Skipped,
}

/// A commit that reached the branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct CommitRecord {
    /// Commit SHA.
    pub sha: String,
    /// First line of the message.
    pub message: String,
    /// Scenarios it backs up (empty for the state commit).
    pub scenario_ids: Vec<u64>,
}

/// Requests per service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
pub struct ApiCalls {
    /// Make API requests.
    pub make: u64,
    /// GitHub API requests.
    pub github: u64,
}

impl Summary {
    /// A short Markdown report of the summary.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let status = match self.status {
            RunStatus::Success => "✅ success",
            RunStatus::Partial => "⚠️ partial",
            RunStatus::Failed => "❌ failed",
        };
        out.push_str(&format!("# Make.com backup — {status}\n\n"));
        out.push_str(&format!("Started {} · finished {} · {:.1} s\n\n", self.started_at, self.finished_at, self.duration_ms as f64 / 1000.0));
        if let Some(fatal) = &self.fatal {
            out.push_str(&format!("**Stopped:** {} (`{}`)\n\n", fatal.message, fatal.code));
        }
        out.push_str("| Scenarios | Backed up | Unchanged | Skipped | Deleted | Errors | Commits | Make calls | GitHub calls |\n");
        out.push_str("|---|---|---|---|---|---|---|---|---|\n");
        let errors = self.errors.iter().filter(|e| e.class != ErrorClass::Skipped).count();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n\n",
            self.total, self.backed_up, self.unchanged, self.skipped, self.deleted, errors, self.commits_made, self.api_calls.make, self.api_calls.github
        ));
        if let Some(c) = &self.coverage {
            out.push_str(&format!(
                "Coverage: {:.1} % — {} of {} scenarios in Make are backed up; {} out of date, {} stale (> {} days), {} deleted in Make.\n\n",
                c.coverage_percent, c.backed_up, c.in_make, c.out_of_date, c.stale, c.stale_after_days, c.deleted_in_make
            ));
        }
        if !self.inventory_complete {
            out.push_str("The scenario list is incomplete (a page failed or Make ended the list early), so no scenario was marked deleted.\n\n");
        }
        let changed: Vec<&Verdict> = self.verdicts.iter().filter(|v| v.verdict != VerdictKind::Unchanged).collect();
        if !changed.is_empty() {
            out.push_str("## Changes\n\n");
            for verdict in changed.iter().take(50) {
                let kind = serde_json::to_value(verdict.verdict).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                out.push_str(&format!("- {} `{}` {} — {}\n", verdict.scenario_id, kind, md(&verdict.name), verdict.reason));
            }
            if changed.len() > 50 {
                out.push_str(&format!("- … and {} more\n", changed.len() - 50));
            }
            out.push('\n');
        }
        if !self.errors.is_empty() {
            out.push_str("## Errors\n\n| Scenario | Class | Code | Status | Message |\n|---|---|---|---|---|\n");
            for error in &self.errors {
                let scenario = match (error.scenario_id, &error.name) {
                    (Some(id), Some(name)) => format!("{id} {}", md(name)),
                    (Some(id), None) => id.to_string(),
                    _ => "—".to_owned(),
                };
                let class = match error.class {
                    ErrorClass::Fatal => "fatal",
                    ErrorClass::Scenario => "scenario",
                    ErrorClass::Skipped => "skipped",
                };
                let status = error.status.map_or_else(|| "—".to_owned(), |s| s.to_string());
                out.push_str(&format!("| {scenario} | {class} | `{}` | {status} | {} |\n", error.code, md(&error.message)));
            }
            out.push('\n');
        }
        out.push_str(&crate::secrets::markdown(&self.secrets));
        if !self.warnings.is_empty() {
            out.push_str("## Warnings\n\n");
            for warning in &self.warnings {
                out.push_str(&format!("- {}\n", md(warning)));
            }
            out.push('\n');
        }
        out
    }
}

/// Keeps table cells on one line.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
