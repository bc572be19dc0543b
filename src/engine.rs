//! The engine: one state machine that drives a whole backup run through `poll` and `handle`.
//!
//! Order of work: read the branch, its tree and `.backup-state.json` (rebuilding the state from the
//! `metadata.json` files when it is missing or corrupt; bootstrapping an empty repository) → list all
//! scenario pages → select → for each scenario to back up: blueprint, previous metadata, render, upload
//! large blobs, tree, commit (chained, nothing is visible yet) → state commit → one fast-forward `PATCH`
//! of the branch. A moved branch (422/409 on the `PATCH`) re-reads the head, drops what another writer
//! already backed up, replays the chain from blob SHAs (no content kept) and tries again.

mod backfill;
mod insight;

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::clock::{format_ms, format_secs, parse_ms};
use crate::config::{CommitMode, Config, MakeScope};
use crate::error::Error;
use crate::failure::{Class, Jitter, Pacer, backoff_ms, classify};
use crate::files::{
    BlueprintReply, PreviousMetadata, RenderedFile, ReplySource, blueprint_path, metadata_path, next_stamp,
    parse_blueprint_reply, parse_metadata, render_metadata, scenario_id_of_metadata_path,
    unchanged_stamp,
};
use crate::github::{self, Branch, TreeContent, TreeListing};
use crate::inventory::{Inventory, ScenarioListing, list_path, parse_scenario_page};
use crate::protocol::{Action, Method, Reply, Request, Service};
use crate::secrets::{ScenarioSecrets, SecretPolicy, screen};
use crate::selection::{Verdict, VerdictKind, select};
use crate::state::{BackupState, STATE_PATH, ScenarioState, StateAdvance, update_state};
use crate::summary::{ApiCalls, CommitRecord, ErrorClass, RunError, RunStatus, Summary};

/// How many times a moved branch is re-read and the chain replayed before the run gives up.
const MAX_CONFLICT_RETRIES: u32 = 3;

/// A backup run. Serializable: a host may park it between steps (`to_json` / `from_json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Engine {
    config: Config,
    make_base: String,
    repo_url: String,
    scope: MakeScope,
    started_ms: i64,
    next_id: u64,
    outstanding: Option<Request>,
    attempt: u32,
    not_before_ms: Option<i64>,
    wait_reason: String,
    jitter: Jitter,
    make_pacer: Pacer,
    github_pacer: Pacer,
    phase: Phase,
    /// Blob SHAs by path at the tip of the chain being built.
    tree: TreeListing,
    chain: Option<Branch>,
    state: BackupState,
    /// Blob SHA of `.backup-state.json` in the repository as read (None: absent).
    state_blob: Option<String>,
    inventory: Inventory,
    verdicts: Vec<Verdict>,
    queue: VecDeque<u64>,
    current: Option<Work>,
    planned: Vec<PlannedCommit>,
    /// Files of the run commit in `perRun` mode.
    run_files: Vec<(String, String)>,
    run_advances: Vec<StateAdvance>,
    noop_advances: Vec<StateAdvance>,
    deleted: Vec<u64>,
    conflicts: u32,
    /// Coverage of the state this run settles on (computed with it).
    #[serde(default)]
    coverage: Option<crate::audit::Coverage>,
    /// Transient failures that were retried, by kind: reported as warnings so a run that recovered
    /// still says what it met (a slow run has a reason).
    #[serde(default)]
    retried: BTreeMap<String, RetryNote>,
    landed: Vec<CommitRecord>,
    landed_scenarios: u64,
    state_landed: bool,
    /// A state commit is in the chain and lands with the `PATCH`.
    state_write_pending: bool,
    /// Push protection rejected the chain: commits now land one by one.
    #[serde(default)]
    stepwise: bool,
    /// The last commit known to be on the branch (base for replaying after a rejected step).
    #[serde(default)]
    landed_base: Option<Branch>,
    state_message: String,
    skipped: u64,
    errors: Vec<RunError>,
    warnings: Vec<String>,
    api_calls: ApiCalls,
    fatal: Option<RunError>,
    /// Secrets found in blueprints this run (kinds and places, never values).
    secrets: Vec<ScenarioSecrets>,
    /// What the closing stage needs for `inventory/dependencies.json` and the audit README.
    #[serde(default)]
    insight: insight::Insight,
    done: Option<(Summary, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "step")]
enum Phase {
    ReadBranch,
    ProbeRef,
    Bootstrap,
    ReadTree,
    ReadState { sha: String },
    RebuildState { pending: VecDeque<(u64, String)> },
    ListPage,
    Scenarios,
    RunCommit { tree: String },
    /// Closing reads for the insight files (see [`insight`]).
    Insight { read: insight::InsightStep },
    StateTree,
    StateCommit { tree: String },
    UpdateRef,
    ConflictBranch,
    ConflictTree,
    ConflictState { sha: String },
    Replay { index: usize, tree: Option<String> },
    /// Push protection rejected the chain: land the replayed commits one `PATCH` at a time.
    StepRef { index: usize },
    Finished,
}

/// The scenario being backed up. Holds its blueprint only until the tree is created.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Work {
    id: u64,
    verdict: VerdictKind,
    step: WorkStep,
    reply_parts: Option<ReplyParts>,
    blueprint: Option<RenderedFile>,
    previous: Option<PreviousMetadataJson>,
    files: Vec<(String, TreeEntry)>,
    advance: Option<StateAdvance>,
    /// Text of the previous metadata.json (for the change summary), while the scenario is in work.
    #[serde(default)]
    previous_metadata_text: Option<String>,
    /// Module-level change summary for the commit message body.
    #[serde(default)]
    change_summary: Option<String>,
    /// Text of the previous blueprint when it is already at hand (the last backfilled version).
    #[serde(default)]
    previous_blueprint_text: Option<String>,
    /// Older versions being imported first (`backfill`).
    #[serde(default)]
    backfill: Option<backfill::Backfill>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "step")]
enum WorkStep {
    FetchBlueprint,
    /// `backfill`: list the older versions Make keeps.
    ListVersions,
    /// `backfill`: fetch one older version.
    FetchVersion { version: u64, created: String },
    ReadMetadata,
    /// The blueprint changed: read the previous one to summarize the change (modules added, removed, changed).
    ReadPreviousBlueprint { sha: String },
    CreateTree,
    CreateCommit { tree: String },
}

/// A file on its way into a tree: inline text, or a blob already uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TreeEntry {
    blob_sha: String,
    inline: Option<String>,
}

/// The blueprint reply minus the blueprint (kept for metadata.json).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReplyParts {
    scheduling: Option<serde_json::Value>,
    input_spec: Option<serde_json::Value>,
    output_spec: Option<serde_json::Value>,
    id_sequence: Option<serde_json::Value>,
}

/// Serializable copy of [`PreviousMetadata`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PreviousMetadataJson {
    timestamp: Option<String>,
    history: Vec<crate::files::HistoryEntry>,
    reply_parts: BTreeMap<String, serde_json::Value>,
    listed_fields: BTreeMap<String, serde_json::Value>,
    team_id: Option<u64>,
}

impl From<PreviousMetadata> for PreviousMetadataJson {
    fn from(p: PreviousMetadata) -> Self {
        Self { timestamp: p.timestamp, history: p.history, reply_parts: p.reply_parts, listed_fields: p.listed_fields, team_id: p.team_id }
    }
}

impl From<PreviousMetadataJson> for PreviousMetadata {
    fn from(p: PreviousMetadataJson) -> Self {
        Self { timestamp: p.timestamp, history: p.history, reply_parts: p.reply_parts, listed_fields: p.listed_fields, team_id: p.team_id }
    }
}

/// A commit in the chain, not yet on the branch. Keeps blob SHAs only, so it can be replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlannedCommit {
    sha: String,
    message: String,
    files: Vec<(String, String)>,
    advances: Vec<StateAdvance>,
    /// Already on the branch (landed one by one after a push-protection rejection).
    #[serde(default)]
    landed: bool,
    /// An older version of this scenario imported by `backfill` (no state advance of its own).
    #[serde(default)]
    backfill_of: Option<u64>,
}

/// How often one kind of transient failure was retried, and where it was first met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetryNote {
    count: u32,
    first: String,
}

/// What the current phase needs from the network.
struct Spec {
    service: Service,
    method: Method,
    url: String,
    body: Option<String>,
    purpose: String,
    scenario_id: Option<u64>,
}

impl Engine {
    /// Starts a run. Validates the configuration; performs no I/O.
    pub fn start(config: Config, now: &str, seed: u64) -> Result<Self, Error> {
        config.validate()?;
        let started_ms = parse_ms(now)?;
        let make_base = config.make_base_url()?;
        let scope = config.make_scope()?;
        let repo_url = config.github_repo_url();
        let mut warnings = Vec::new();
        if config.github.writes_per_minute > 80 {
            warnings.push(format!(
                "github.writesPerMinute is {}: GitHub documents 80 content-creating requests per minute; more may trigger secondary rate limits",
                config.github.writes_per_minute
            ));
        }
        Ok(Self {
            make_pacer: Pacer::new(config.make.requests_per_minute),
            github_pacer: Pacer::new(config.github.writes_per_minute),
            config,
            make_base,
            repo_url,
            scope,
            started_ms,
            next_id: 1,
            outstanding: None,
            attempt: 0,
            not_before_ms: None,
            wait_reason: String::new(),
            jitter: Jitter::new(seed),
            phase: Phase::ReadBranch,
            tree: TreeListing::default(),
            chain: None,
            state: BackupState::default(),
            state_blob: None,
            inventory: Inventory::default(),
            verdicts: Vec::new(),
            queue: VecDeque::new(),
            current: None,
            planned: Vec::new(),
            run_files: Vec::new(),
            run_advances: Vec::new(),
            noop_advances: Vec::new(),
            deleted: Vec::new(),
            conflicts: 0,
            retried: BTreeMap::new(),
            coverage: None,
            landed: Vec::new(),
            landed_scenarios: 0,
            state_landed: false,
            state_write_pending: false,
            stepwise: false,
            landed_base: None,
            state_message: String::new(),
            skipped: 0,
            errors: Vec::new(),
            warnings,
            api_calls: ApiCalls::default(),
            fatal: None,
            secrets: Vec::new(),
            insight: insight::Insight::default(),
            done: None,
        })
    }

    /// Restores a parked engine.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        serde_json::from_str(text).map_err(|e| Error::input("engine state", e))
    }

    /// Serializes the engine (no blueprints except the one scenario in flight).
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string(self).map_err(|e| Error::input("engine state", e))
    }

    /// What to do next. Idempotent while a request is outstanding.
    pub fn poll(&mut self, now: &str) -> Result<Action, Error> {
        let now_ms = parse_ms(now)?;
        if let Some((summary, report)) = &self.done {
            return Ok(Action::Done { summary: Box::new(summary.clone()), report: report.clone() });
        }
        if let Some(request) = &self.outstanding {
            return Ok(Action::Request { request: request.clone() });
        }
        if let Some(not_before) = self.not_before_ms {
            if now_ms < not_before {
                return Ok(self.wait(now_ms, not_before, self.wait_reason.clone()));
            }
            self.not_before_ms = None;
        }
        let Some(spec) = self.next_spec() else {
            let (summary, report) = self.finish(now_ms);
            return Ok(Action::Done { summary: Box::new(summary), report });
        };
        let is_write = spec.method != Method::GET;
        let pace_wait = match spec.service {
            Service::Make => self.make_pacer.wait_ms(now_ms),
            Service::Github if is_write => self.github_pacer.wait_ms(now_ms),
            Service::Github => 0,
        };
        if pace_wait > 0 {
            let reason = match spec.service {
                Service::Make if self.make_pacer.budget() < self.config.make.requests_per_minute => format!(
                    "Make budget of {} requests per minute (learned from a 429; configured {})",
                    self.make_pacer.budget(),
                    self.config.make.requests_per_minute
                ),
                Service::Make => format!("Make budget of {} requests per minute", self.config.make.requests_per_minute),
                Service::Github => format!("GitHub budget of {} writes per minute", self.config.github.writes_per_minute),
            };
            return Ok(self.wait(now_ms, now_ms.saturating_add(pace_wait), reason));
        }
        match spec.service {
            Service::Make => {
                self.make_pacer.record(now_ms);
                self.api_calls.make += 1;
            }
            Service::Github => {
                if is_write {
                    self.github_pacer.record(now_ms);
                }
                self.api_calls.github += 1;
            }
        }
        let request = self.request_from(spec);
        self.outstanding = Some(request.clone());
        Ok(Action::Request { request })
    }

    /// Feeds the reply to the outstanding request.
    pub fn handle(&mut self, now: &str, reply: Reply) -> Result<(), Error> {
        let now_ms = parse_ms(now)?;
        if self.done.is_some() {
            return Err(Error::Finished);
        }
        let Some(request) = self.outstanding.take_if(|r| r.id == reply.request_id) else {
            let expected = match &self.outstanding {
                Some(r) => format!("the outstanding request is {}", r.id),
                None => "no request is outstanding".to_owned(),
            };
            return Err(Error::UnexpectedReply { expected, got: reply.request_id });
        };
        let mut class = classify(request.service, &reply, self.attempt, now_ms, &mut self.jitter);
        if request.service == Service::Make && reply.status == Some(401) && self.phase == Phase::ListPage && self.inventory.pages == 0 {
            // PRD scenario 5: a 401 on the first request to Make is retried (1 s, 2 s, 4 s) before the run
            // stops, so a token that was just rotated or a gateway hiccup does not fail a nightly run. Later
            // 401s are not retried: the token worked a moment ago, so retrying each scenario only slows it down.
            class = Class::Retryable { wait_ms: backoff_ms(self.attempt, &mut self.jitter), why: "HTTP 401 unauthorized".to_owned() };
        }
        match class {
            Class::Retryable { mut wait_ms, why } if self.attempt < self.config.max_retries => {
                if request.service == Service::Make && reply.status == Some(429) {
                    wait_ms = wait_ms.max(self.make_pacer.learn_limit(now_ms));
                }
                if wait_ms > i64::try_from(self.config.max_wait_seconds).unwrap_or(i64::MAX).saturating_mul(1000) {
                    let message = format!(
                        "{} asked to wait {:.0} s ({why}), more than maxWaitSeconds = {}; run again later (the run is resumable: nothing unlanded is lost)",
                        service_name(request.service),
                        wait_ms as f64 / 1000.0,
                        self.config.max_wait_seconds
                    );
                    let code = match request.service {
                        Service::Make => "make-rate-limited",
                        Service::Github => "github-rate-limited",
                    };
                    self.stop(RunError {
                        scenario_id: request.scenario_id,
                        name: self.name_of(request.scenario_id),
                        class: ErrorClass::Fatal,
                        code: code.to_owned(),
                        status: reply.status,
                        message,
                        request: Some(request.describe()),
                    });
                    return Ok(());
                }
                self.attempt += 1;
                let kind = why.split(':').next().unwrap_or_default();
                let note = self
                    .retried
                    .entry(format!("{} {kind}", service_name(request.service)))
                    .or_insert_with(|| RetryNote { count: 0, first: request.describe() });
                note.count += 1;
                self.not_before_ms = Some(now_ms.saturating_add(wait_ms));
                self.wait_reason = format!("retry {} of {} after {why} on {}", self.attempt, self.config.max_retries, request.describe());
            }
            Class::Retryable { why, .. } => {
                let attempts = self.attempt;
                self.attempt = 0;
                self.on_failure(&request, &reply, format!("{why} (gave up after {attempts} retries)"), true);
            }
            Class::Failed { why, .. } => {
                self.attempt = 0;
                self.on_failure(&request, &reply, why, false);
            }
            Class::Success => {
                self.attempt = 0;
                self.on_success(&request, &reply, now_ms);
            }
        }
        Ok(())
    }

    fn wait(&self, now_ms: i64, until_ms: i64, reason: String) -> Action {
        Action::Wait { seconds: until_ms.saturating_sub(now_ms) as f64 / 1000.0, until: format_ms(until_ms), reason }
    }

    fn request_from(&mut self, spec: Spec) -> Request {
        let id = self.next_id;
        self.next_id += 1;
        let mut headers = BTreeMap::new();
        headers.insert("user-agent".to_owned(), self.config.user_agent.clone());
        match spec.service {
            Service::Make => {
                headers.insert("accept".to_owned(), "application/json".to_owned());
            }
            Service::Github => {
                headers.insert("accept".to_owned(), "application/vnd.github+json".to_owned());
                headers.insert("x-github-api-version".to_owned(), "2022-11-28".to_owned());
            }
        }
        if spec.body.is_some() {
            headers.insert("content-type".to_owned(), "application/json".to_owned());
        }
        Request {
            id,
            service: spec.service,
            method: spec.method,
            url: spec.url,
            headers,
            body: spec.body,
            timeout_ms: self.config.request_timeout_ms,
            purpose: spec.purpose,
            scenario_id: spec.scenario_id,
        }
    }

    fn make_get(&self, path: &str, purpose: String, scenario_id: Option<u64>) -> Spec {
        Spec { service: Service::Make, method: Method::GET, url: format!("{}{path}", self.make_base), body: None, purpose, scenario_id }
    }

    fn gh(&self, method: Method, path: &str, body: Option<String>, purpose: String, scenario_id: Option<u64>) -> Spec {
        Spec { service: Service::Github, method, url: format!("{}{path}", self.repo_url), body, purpose, scenario_id }
    }

    fn branch_path(&self) -> String {
        github::encode_segments(&self.config.github.branch)
    }

    /// The request the current phase needs, moving through phases that need none. None = finished.
    fn next_spec(&mut self) -> Option<Spec> {
        loop {
            match self.phase.clone() {
                Phase::Finished => return None,
                Phase::ReadBranch | Phase::ConflictBranch => {
                    let path = format!("/branches/{}", self.branch_path());
                    return Some(self.gh(Method::GET, &path, None, "read the branch head".to_owned(), None));
                }
                Phase::ProbeRef => {
                    let path = format!("/git/ref/heads/{}", self.branch_path());
                    return Some(self.gh(Method::GET, &path, None, "check whether the repository is empty".to_owned(), None));
                }
                Phase::Bootstrap => {
                    let initial = BackupState::default().render();
                    let body = github::contents_put_body(
                        "Initialize Make.com scenario backup",
                        &initial,
                        &self.config.github.branch,
                        &self.config.github.committer,
                    );
                    let path = format!("/contents/{STATE_PATH}");
                    return Some(self.gh(Method::PUT, &path, Some(body), "bootstrap the empty repository".to_owned(), None));
                }
                Phase::ReadTree | Phase::ConflictTree => {
                    let tree = self.chain.as_ref().map(|c| c.tree.clone()).unwrap_or_default();
                    let path = format!("/git/trees/{tree}?recursive=1");
                    return Some(self.gh(Method::GET, &path, None, "list the repository tree".to_owned(), None));
                }
                Phase::ReadState { sha } | Phase::ConflictState { sha } => {
                    let path = format!("/git/blobs/{sha}");
                    return Some(self.gh(Method::GET, &path, None, format!("read {STATE_PATH}"), None));
                }
                Phase::RebuildState { pending } => match pending.front() {
                    Some((id, sha)) => {
                        let path = format!("/git/blobs/{sha}");
                        let purpose = format!("read scenarios/{id}/metadata.json to rebuild the state");
                        return Some(self.gh(Method::GET, &path, None, purpose, Some(*id)));
                    }
                    None => self.phase = Phase::ListPage,
                },
                Phase::ListPage => {
                    let limit = self.config.make.page_size;
                    let path = list_path(self.scope, self.inventory.next_offset, limit);
                    let purpose = if self.inventory.confirming {
                        format!("list scenarios (page {}, to confirm the list ended)", self.inventory.pages + 1)
                    } else {
                        format!("list scenarios (page {})", self.inventory.pages + 1)
                    };
                    return Some(self.make_get(&path, purpose, None));
                }
                Phase::Scenarios => {
                    if self.fatal.is_some() {
                        self.current = None;
                        self.queue.clear();
                    }
                    if self.current.is_none() {
                        match self.queue.pop_front() {
                            Some(id) => self.begin_scenario(id),
                            None => {
                                match (&self.config.commit_mode, self.run_files.is_empty(), &self.chain) {
                                    (CommitMode::PerRun, false, Some(chain)) => self.phase = Phase::RunCommit { tree: chain.tree.clone() },
                                    _ => self.begin_insight(),
                                }
                                continue;
                            }
                        }
                    }
                    if let Some(spec) = self.scenario_spec() {
                        return Some(spec);
                    }
                }
                Phase::RunCommit { tree } => {
                    let count = self.run_advances.len();
                    let mut message = format!("Backup {count} scenario{}", if count == 1 { "" } else { "s" });
                    message.push_str("\n\n");
                    for advance in &self.run_advances {
                        message.push_str(&format!("Backup scenario {}: {}\n", advance.scenario_id, one_line(&advance.name)));
                    }
                    return Some(self.commit_spec(&message, &tree, None));
                }
                Phase::Insight { read } => match self.insight_spec(&read) {
                    Some(spec) => return Some(spec),
                    None => self.phase = Phase::StateTree,
                },
                Phase::StateTree => {
                    let files = self.closing_files();
                    if files.is_empty() {
                        self.phase = if self.planned.is_empty() { Phase::Finished } else { Phase::UpdateRef };
                        continue;
                    }
                    let base = self.chain.as_ref().map(|c| c.tree.clone()).unwrap_or_default();
                    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
                    let purpose = format!("tree with {}", paths.join(", "));
                    let entries: Vec<(String, TreeContent)> = files.iter().map(|(p, c)| (p.clone(), TreeContent::Inline(c.clone()))).collect();
                    let body = github::tree_body(&base, &entries);
                    return Some(self.gh(Method::POST, "/git/trees", Some(body), purpose, None));
                }
                Phase::StateCommit { tree } => return Some(self.commit_spec(&self.state_message, &tree, None)),
                Phase::UpdateRef => {
                    let sha = self.chain.as_ref().map(|c| c.commit.clone()).unwrap_or_default();
                    let path = format!("/git/refs/heads/{}", self.branch_path());
                    let purpose = format!("move {} to the new commits", self.config.github.branch);
                    return Some(self.gh(Method::PATCH, &path, Some(github::ref_body(&sha)), purpose, None));
                }
                Phase::StepRef { index } => {
                    let sha = self.planned.get(index).map(|p| p.sha.clone()).unwrap_or_default();
                    let path = format!("/git/refs/heads/{}", self.branch_path());
                    let purpose = format!("move {} to one commit (landing one by one)", self.config.github.branch);
                    let scenario = self.planned.get(index).and_then(|p| p.advances.first()).map(|a| a.scenario_id);
                    return Some(self.gh(Method::PATCH, &path, Some(github::ref_body(&sha)), purpose, scenario));
                }
                Phase::Replay { index, tree } => {
                    let Some(planned) = self.planned.get(index).cloned() else {
                        self.begin_insight();
                        continue;
                    };
                    if planned.landed {
                        self.phase = Phase::Replay { index: index + 1, tree: None };
                        continue;
                    }
                    let scenario = planned.advances.first().map(|a| a.scenario_id);
                    return Some(match tree {
                        None => {
                            let base = self.chain.as_ref().map(|c| c.tree.clone()).unwrap_or_default();
                            let entries: Vec<(String, TreeContent)> =
                                planned.files.iter().map(|(p, s)| (p.clone(), TreeContent::Blob(s.clone()))).collect();
                            let body = github::tree_body(&base, &entries);
                            self.gh(Method::POST, "/git/trees", Some(body), "replay tree on the moved branch".to_owned(), scenario)
                        }
                        Some(tree) => self.commit_spec(&planned.message, &tree, scenario),
                    });
                }
            }
        }
    }

    fn commit_spec(&self, message: &str, tree: &str, scenario_id: Option<u64>) -> Spec {
        self.dated_commit_spec(message, tree, scenario_id, &format_secs(self.started_ms))
    }

    fn dated_commit_spec(&self, message: &str, tree: &str, scenario_id: Option<u64>, date: &str) -> Spec {
        let parent = self.chain.as_ref().map(|c| c.commit.clone()).unwrap_or_default();
        let body = github::commit_body(message, tree, &parent, &self.config.github.committer, date);
        let subject = message.lines().next().unwrap_or_default().to_owned();
        self.gh(Method::POST, "/git/commits", Some(body), format!("commit \"{subject}\""), scenario_id)
    }

    fn begin_scenario(&mut self, id: u64) {
        let verdict = self.verdicts.iter().find(|v| v.scenario_id == id).map_or(VerdictKind::New, |v| v.verdict);
        let has_metadata = self.tree.blobs.contains_key(&metadata_path(id));
        let step = if verdict == VerdictKind::MetadataOnly && has_metadata { WorkStep::ReadMetadata } else { WorkStep::FetchBlueprint };
        let backfill = (step == WorkStep::FetchBlueprint && self.wants_backfill(id)).then(backfill::Backfill::default);
        self.current = Some(Work {
            id,
            verdict,
            step,
            reply_parts: None,
            blueprint: None,
            previous: None,
            files: Vec::new(),
            advance: None,
            previous_metadata_text: None,
            change_summary: None,
            previous_blueprint_text: None,
            backfill,
        });
    }

    fn scenario_spec(&self) -> Option<Spec> {
        let work = self.current.as_ref()?;
        let id = work.id;
        match &work.step {
            WorkStep::FetchBlueprint => {
                Some(self.make_get(&format!("/scenarios/{id}/blueprint?draft=false"), format!("read the blueprint of scenario {id}"), Some(id)))
            }
            WorkStep::ListVersions => Some(self.make_get(
                &format!("/scenarios/{id}/blueprints"),
                format!("list the older versions of scenario {id} (backfill)"),
                Some(id),
            )),
            WorkStep::FetchVersion { version, created } => Some(self.make_get(
                &format!("/scenarios/{id}/blueprint?blueprintId={version}"),
                format!("read version {version} of scenario {id}, saved {created} (backfill)"),
                Some(id),
            )),
            WorkStep::ReadMetadata => {
                let sha = self.tree.blobs.get(&metadata_path(id)).cloned().unwrap_or_default();
                Some(self.gh(Method::GET, &format!("/git/blobs/{sha}"), None, format!("read the previous metadata.json of scenario {id}"), Some(id)))
            }
            WorkStep::ReadPreviousBlueprint { sha } => Some(self.gh(
                Method::GET,
                &format!("/git/blobs/{sha}"),
                None,
                format!("read the previous blueprint.json of scenario {id} (change summary)"),
                Some(id),
            )),
            WorkStep::CreateTree => {
                if let Some((path, entry)) = work.files.iter().find(|(_, e)| self.is_large(e)) {
                    let body = github::blob_body(entry.inline.as_deref().unwrap_or_default());
                    return Some(self.gh(Method::POST, "/git/blobs", Some(body), format!("upload {path}"), Some(id)));
                }
                let base = self.chain.as_ref().map(|c| c.tree.clone()).unwrap_or_default();
                let entries: Vec<(String, TreeContent)> = work
                    .files
                    .iter()
                    .map(|(path, e)| {
                        let content = match &e.inline {
                            Some(text) => TreeContent::Inline(text.clone()),
                            None => TreeContent::Blob(e.blob_sha.clone()),
                        };
                        (path.clone(), content)
                    })
                    .collect();
                let body = github::tree_body(&base, &entries);
                Some(self.gh(Method::POST, "/git/trees", Some(body), format!("tree for scenario {id}"), Some(id)))
            }
            WorkStep::CreateCommit { tree } => match work.backfill.as_ref().and_then(|b| b.committing.as_ref()) {
                Some(version) => {
                    let date = parse_ms(&version.created).map(format_secs).unwrap_or_else(|_| format_secs(self.started_ms));
                    Some(self.dated_commit_spec(&self.version_message(work, version), tree, Some(id), &date))
                }
                None => Some(self.commit_spec(&self.scenario_message(work), tree, Some(id))),
            },
        }
    }
}

impl Engine {
    fn is_large(&self, entry: &TreeEntry) -> bool {
        entry.inline.as_ref().is_some_and(|text| text.len() as u64 > self.config.blob_threshold_bytes)
    }

    fn run_timestamp(&self) -> String {
        format_ms(self.started_ms)
    }

    fn name_of(&self, id: Option<u64>) -> Option<String> {
        let id = id?;
        self.inventory.scenarios.get(&id).map(|l| l.name.clone()).or_else(|| self.state.get(id).map(|s| s.name.clone()))
    }

    fn scenario_message(&self, work: &Work) -> String {
        let name = self.name_of(Some(work.id)).unwrap_or_default();
        let reason = self.verdicts.iter().find(|v| v.scenario_id == work.id).map(|v| v.reason.clone()).unwrap_or_default();
        let files: Vec<&str> = work.files.iter().map(|(p, _)| p.rsplit('/').next().unwrap_or(p)).collect();
        let kind = serde_json::to_value(work.verdict).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let mut message = format!("Backup scenario {}: {}\n\n{kind}: {reason}\nfiles: {}\n", work.id, one_line(&name), files.join(", "));
        if let Some(changes) = &work.change_summary {
            message.push_str("\nChanges:\n");
            message.push_str(changes);
        }
        if let Some(secrets) = self.secrets.iter().find(|s| s.scenario_id == work.id) {
            message.push('\n');
            message.push_str(&secrets.commit_note());
        }
        message
    }

    fn make_message(body: &str) -> String {
        serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| crate::inventory::error_text(&v))
            .unwrap_or_else(|| github::snippet(body))
    }

    fn record_error(&mut self, id: Option<u64>, class: ErrorClass, code: &str, status: Option<u16>, message: String, request: &Request) {
        self.errors.push(RunError {
            scenario_id: id,
            name: self.name_of(id),
            class,
            code: code.to_owned(),
            status,
            message,
            request: Some(request.describe()),
        });
    }

    /// Stops the run. Commits already chained still land when `land` is set (a Make-side stop).
    fn stop(&mut self, error: RunError) {
        let land = matches!(self.phase, Phase::Scenarios) && error.code.starts_with("make-");
        self.errors.push(error.clone());
        self.fatal = Some(error);
        if let Some(work) = self.current.take() {
            self.abandon_backfill(&work);
        }
        self.queue.clear();
        if !land {
            self.planned.clear();
            self.phase = Phase::Finished;
        }
    }

    fn github_fatal(&mut self, request: &Request, reply: &Reply, why: &str, exhausted: bool) {
        let repo = format!("{}/{}", self.config.github.owner, self.config.github.repo);
        let detail = if reply.failure.is_some() { why.to_owned() } else { format!("{why}: {}", github::error_message(&reply.body)) };
        let (code, advice) = match reply.status {
            _ if exhausted => ("github-unavailable", "GitHub kept failing; nothing from this run reached the branch — run again later".to_owned()),
            Some(401) => ("github-unauthorized", "GitHub rejected the token: check the GitHub credential (GITHUB_TOKEN) is valid and not expired".to_owned()),
            Some(403) => ("github-forbidden", format!("the token may not use {repo}: it needs Contents: read and write (classic tokens: the repo scope)")),
            Some(404) => ("github-not-found", format!("{repo} was not found, or the token cannot see it (GitHub answers 404 for private repositories without access)")),
            _ => ("github-error", "GitHub refused the request; nothing from this run reached the branch".to_owned()),
        };
        self.stop(RunError {
            scenario_id: request.scenario_id,
            name: self.name_of(request.scenario_id),
            class: ErrorClass::Fatal,
            code: code.to_owned(),
            status: reply.status,
            message: format!("{advice} ({detail})"),
            request: Some(request.describe()),
        });
    }

    fn github_invalid(&mut self, request: &Request, reply: &Reply, problem: String) {
        self.stop(RunError {
            scenario_id: request.scenario_id,
            name: self.name_of(request.scenario_id),
            class: ErrorClass::Fatal,
            code: "github-invalid-response".to_owned(),
            status: reply.status,
            message: format!("GitHub's reply is not what its API documents ({problem}); check github.apiUrl points at the GitHub REST API"),
            request: Some(request.describe()),
        });
    }

    fn on_success(&mut self, request: &Request, reply: &Reply, now_ms: i64) {
        let body = reply.body.as_str();
        match self.phase.clone() {
            Phase::ReadBranch | Phase::ConflictBranch => match github::parse_branch(body) {
                Ok(branch) => {
                    self.chain = Some(branch);
                    self.phase = if self.phase == Phase::ReadBranch { Phase::ReadTree } else { Phase::ConflictTree };
                }
                Err(e) => self.github_invalid(request, reply, e),
            },
            Phase::ProbeRef => self.github_invalid(request, reply, "the branch endpoint said 404 but the ref exists".to_owned()),
            Phase::Bootstrap => match github::parse_contents_commit(body) {
                Ok(sha) => {
                    self.landed.push(CommitRecord { sha, message: "Initialize Make.com scenario backup".to_owned(), scenario_ids: Vec::new() });
                    self.warnings.push(format!("the repository was empty: created {STATE_PATH} as its first commit"));
                    self.phase = Phase::ReadBranch;
                }
                Err(e) => self.github_invalid(request, reply, e),
            },
            Phase::ReadTree | Phase::ConflictTree => match github::parse_tree(body) {
                Ok(tree) => {
                    if tree.truncated {
                        self.warnings.push("GitHub truncated the tree listing (over 100,000 entries): files missing from it are treated as absent".to_owned());
                    }
                    let state_sha = tree.blobs.get(STATE_PATH).cloned();
                    self.tree = tree;
                    let conflict = self.phase == Phase::ConflictTree;
                    match (state_sha, conflict) {
                        (Some(sha), false) => {
                            self.state_blob = Some(sha.clone());
                            self.phase = Phase::ReadState { sha };
                        }
                        (Some(sha), true) => self.phase = Phase::ConflictState { sha },
                        (None, false) => self.start_rebuild(format!("{STATE_PATH} is missing")),
                        (None, true) => self.replay(None),
                    }
                }
                Err(e) => self.github_invalid(request, reply, e),
            },
            Phase::ReadState { .. } | Phase::ConflictState { .. } => {
                let parsed = github::parse_blob_text(body).map_err(crate::state::StateProblem::Corrupt).and_then(|t| BackupState::parse(&t));
                let conflict = matches!(self.phase, Phase::ConflictState { .. });
                match (parsed, conflict) {
                    (Ok(state), false) => {
                        self.state = state;
                        self.phase = Phase::ListPage;
                    }
                    (Ok(state), true) => self.replay(Some(state)),
                    (Err(problem), false) => self.start_rebuild(problem.to_string()),
                    (Err(problem), true) => {
                        self.warnings.push(format!("after the branch moved, {problem}; keeping this run's view of the state"));
                        self.replay(None);
                    }
                }
            }
            Phase::RebuildState { mut pending } => {
                if let Some((id, _)) = pending.pop_front() {
                    match github::parse_blob_text(body).map_err(|e| Error::input("metadata.json", e)).and_then(|t| parse_metadata(&t)) {
                        Ok(previous) => self.rebuild_entry(id, &previous),
                        Err(e) => self.warnings.push(format!("scenario {id}: could not rebuild its state from metadata.json ({e}); it will be backed up again")),
                    }
                }
                self.phase = Phase::RebuildState { pending };
            }
            Phase::ListPage => match parse_scenario_page(body) {
                Ok(page) => {
                    for reason in &page.rejected {
                        self.warnings.push(format!("list page {}: skipped an entry: {reason}", self.inventory.pages + 1));
                    }
                    if self.inventory.add_page(page, self.config.make.page_size) {
                        if let Some(offset) = self.inventory.cut_short_at {
                            self.warnings.push(format!(
                                "the Make scenario list may be incomplete: a page ended short at offset {offset}, yet asking past it still listed scenarios; those were not backed up and nothing was marked deleted this run; the next run lists again"
                            ));
                        }
                        self.select_scenarios();
                    }
                }
                Err(e) => self.list_failed(request, reply.status, e.to_string(), false),
            },
            Phase::Scenarios => self.scenario_success(request, reply),
            Phase::RunCommit { tree } => match github::parse_created_sha(body) {
                Ok(sha) => {
                    let count = self.run_advances.len();
                    let message = format!("Backup {count} scenario{}", if count == 1 { "" } else { "s" });
                    self.planned.push(PlannedCommit {
                        sha: sha.clone(),
                        message,
                        files: std::mem::take(&mut self.run_files),
                        advances: std::mem::take(&mut self.run_advances),
                        landed: false,
                        backfill_of: None,
                    });
                    self.chain = Some(Branch { commit: sha, tree });
                    self.begin_insight();
                }
                Err(e) => self.github_invalid(request, reply, e),
            },
            Phase::Insight { read } => self.insight_reply(read, request, reply, true),
            Phase::StateTree => match github::parse_created_sha(body) {
                Ok(tree) => self.phase = Phase::StateCommit { tree },
                Err(e) => self.github_invalid(request, reply, e),
            },
            Phase::StateCommit { tree } => match github::parse_created_sha(body) {
                Ok(sha) => {
                    self.chain = Some(Branch { commit: sha, tree });
                    self.phase = Phase::UpdateRef;
                }
                Err(e) => self.github_invalid(request, reply, e),
            },
            Phase::UpdateRef => {
                let planned = std::mem::take(&mut self.planned);
                for commit in planned.into_iter().filter(|p| !p.landed) {
                    self.landed_scenarios += commit.advances.len() as u64;
                    let subject = commit.message.lines().next().unwrap_or_default().to_owned();
                    self.landed.push(CommitRecord { sha: commit.sha, message: subject, scenario_ids: commit.advances.iter().map(|a| a.scenario_id).collect() });
                }
                if self.state_write_pending {
                    let sha = self.chain.as_ref().map(|c| c.commit.clone()).unwrap_or_default();
                    let message = self.state_message.lines().next().unwrap_or_default().to_owned();
                    self.landed.push(CommitRecord { sha, message, scenario_ids: Vec::new() });
                    self.state_landed = true;
                }
                let _ = now_ms;
                self.phase = Phase::Finished;
            }
            Phase::Replay { index, tree: None } => match github::parse_created_sha(body) {
                Ok(tree) => self.phase = Phase::Replay { index, tree: Some(tree) },
                Err(e) => self.github_invalid(request, reply, e),
            },
            Phase::Replay { index, tree: Some(tree) } => match github::parse_created_sha(body) {
                Ok(sha) => {
                    if let Some(planned) = self.planned.get_mut(index) {
                        planned.sha = sha.clone();
                    }
                    self.chain = Some(Branch { commit: sha, tree });
                    self.phase = if self.stepwise { Phase::StepRef { index } } else { Phase::Replay { index: index + 1, tree: None } };
                }
                Err(e) => self.github_invalid(request, reply, e),
            },
            Phase::StepRef { index } => {
                if let Some(planned) = self.planned.get_mut(index) {
                    planned.landed = true;
                    self.landed_scenarios += planned.advances.len() as u64;
                    let subject = planned.message.lines().next().unwrap_or_default().to_owned();
                    self.landed.push(CommitRecord { sha: planned.sha.clone(), message: subject, scenario_ids: planned.advances.iter().map(|a| a.scenario_id).collect() });
                }
                self.landed_base.clone_from(&self.chain);
                self.phase = Phase::Replay { index: index + 1, tree: None };
            }
            Phase::Finished => {}
        }
    }

    fn start_rebuild(&mut self, why: String) {
        let pending: VecDeque<(u64, String)> = self
            .tree
            .blobs
            .iter()
            .filter_map(|(path, sha)| scenario_id_of_metadata_path(path).map(|id| (id, sha.clone())))
            .collect();
        if pending.is_empty() {
            if self.tree.blobs.keys().any(|p| p.starts_with("scenarios/")) || why.contains("corrupt") || why.contains("version") {
                self.warnings.push(format!("{why}; no metadata.json files to rebuild it from: starting from an empty state"));
            }
        } else {
            self.warnings.push(format!("{why}: rebuilt the state from {} metadata.json files", pending.len()));
        }
        self.state = BackupState::default();
        self.phase = Phase::RebuildState { pending };
    }

    fn rebuild_entry(&mut self, id: u64, previous: &PreviousMetadata) {
        let blueprint_sha = self.tree.blobs.get(&blueprint_path(id)).cloned();
        let metadata_sha = self.tree.blobs.get(&metadata_path(id)).cloned();
        let entry = self.state.entry(id);
        *entry = ScenarioState {
            name: previous.listed_fields.get("name").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
            last_edit: previous.listed_fields.get("lastEdit").and_then(|v| v.as_str()).map(str::to_owned),
            last_backup: previous.timestamp.clone(),
            backup_count: previous.history.len() as u64 + u64::from(previous.timestamp.is_some()),
            git_sha: None,
            blueprint_sha,
            metadata_sha,
            fingerprint: Some(previous.fingerprint()),
            team_id: previous.team_id,
            deleted_at: None,
            extra: serde_json::Map::new(),
        };
    }

    fn select_scenarios(&mut self) {
        if !self.inventory.duplicates.is_empty() {
            let mut ids = self.inventory.duplicates.clone();
            ids.sort_unstable();
            ids.dedup();
            self.warnings.push(format!("Make listed {} scenario id(s) twice while paging (kept once): {ids:?}", ids.len()));
        }
        let listings: Vec<ScenarioListing> = self.inventory.scenarios.values().cloned().collect();
        self.verdicts = select(&listings, &self.state, !self.inventory.incomplete, self.config.force);
        for verdict in &self.verdicts {
            if verdict.verdict.needs_backup() {
                self.queue.push_back(verdict.scenario_id);
            } else if verdict.verdict == VerdictKind::Deleted {
                self.deleted.push(verdict.scenario_id);
            }
        }
        self.phase = Phase::Scenarios;
    }

    fn list_failed(&mut self, request: &Request, status: Option<u16>, why: String, exhausted: bool) {
        let target = match self.scope {
            MakeScope::Team(id) => format!("team {id}"),
            MakeScope::Organization(id) => format!("organization {id}"),
        };
        let fatal = |code: &str, message: String| RunError {
            scenario_id: None,
            name: None,
            class: ErrorClass::Fatal,
            code: code.to_owned(),
            status,
            message,
            request: Some(request.describe()),
        };
        let error = match status {
            Some(401) => Some(fatal("make-unauthorized", format!(
                "Make rejected the API token ({why}): check the token is valid, that it was created in the zone of {} (tokens are per zone) and that it has the scenarios:read scope",
                self.make_base
            ))),
            Some(403) if !exhausted => Some(fatal("make-forbidden", format!(
                "Make denied access ({why}): the token needs the scenarios:read scope and access to {target}"
            ))),
            Some(400) if !exhausted => Some(fatal("make-bad-request", format!("Make refused the list request ({why}): check make.teamId / make.organizationId"))),
            _ if self.inventory.scenarios.is_empty() => Some(fatal("make-list-failed", format!(
                "could not list the scenarios of {target} ({why}); nothing was backed up — run again later"
            ))),
            _ => None,
        };
        match error {
            Some(error) => self.stop(error),
            None => {
                self.inventory.incomplete = true;
                self.record_error(None, ErrorClass::Scenario, "inventory-incomplete", status, format!(
                    "list page {} failed ({why}): scenarios after offset {} were not listed, so they were not backed up and none were marked deleted; the next run will catch up",
                    self.inventory.pages + 1, self.inventory.next_offset
                ), request);
                self.select_scenarios();
            }
        }
    }

    fn on_failure(&mut self, request: &Request, reply: &Reply, why: String, exhausted: bool) {
        let message = match (&reply.failure, request.service) {
            (Some(_), _) => why.clone(),
            (None, Service::Make) => format!("{why}: {}", Self::make_message(&reply.body)),
            (None, Service::Github) => format!("{why}: {}", github::error_message(&reply.body)),
        };
        let status = if exhausted { None } else { reply.status };
        match self.phase.clone() {
            Phase::ReadBranch if status == Some(404) => self.phase = Phase::ProbeRef,
            Phase::ProbeRef if status == Some(409) => self.phase = Phase::Bootstrap,
            Phase::ProbeRef if status == Some(404) => {
                let (repo, branch) = (format!("{}/{}", self.config.github.owner, self.config.github.repo), self.config.github.branch.clone());
                self.stop(RunError {
                    scenario_id: None,
                    name: None,
                    class: ErrorClass::Fatal,
                    code: "branch-not-found".to_owned(),
                    status,
                    message: format!("branch {branch:?} does not exist in {repo} (or the token cannot see the repository): create the branch or set github.branch"),
                    request: Some(request.describe()),
                });
            }
            // Another run bootstrapped the repository first: carry on from its commit.
            Phase::Bootstrap if matches!(status, Some(409 | 422)) => {
                self.warnings.push(format!(
                    "another writer initialized the empty repository first ({message}); this run carried on from its commit"
                ));
                self.phase = Phase::ReadBranch;
            }
            Phase::RebuildState { mut pending } if !matches!(status, Some(401 | 403)) => {
                if let Some((id, _)) = pending.pop_front() {
                    self.warnings.push(format!("scenario {id}: could not read its metadata.json ({message}); it will be backed up again"));
                }
                self.phase = Phase::RebuildState { pending };
            }
            Phase::ListPage => self.list_failed(request, reply.status, message, exhausted),
            Phase::Insight { read } => self.insight_reply(read, request, reply, false),
            Phase::Scenarios => self.scenario_failure(request, reply, message, exhausted),
            Phase::UpdateRef if is_push_protection(reply) && !self.stepwise && !exhausted => {
                self.stepwise = true;
                self.warnings.push(format!(
                    "GitHub push protection rejected this run's commits ({}); landing them one by one to find the scenario that holds the secret",
                    github::error_message(&reply.body)
                ));
                self.phase = Phase::ConflictBranch;
            }
            Phase::StepRef { index } if is_push_protection(reply) && !exhausted => {
                let rejected = if index < self.planned.len() { Some(self.planned.remove(index)) } else { None };
                for advance in rejected.iter().flat_map(|p| p.advances.iter()) {
                    self.errors.push(RunError {
                        scenario_id: Some(advance.scenario_id),
                        name: Some(advance.name.clone()),
                        class: ErrorClass::Scenario,
                        code: "push-protection".to_owned(),
                        status: reply.status,
                        message: format!(
                            "GitHub push protection rejected the backup of scenario {} {:?}: its blueprint holds a secret GitHub recognizes ({}); move it into a Make connection or key, or set secrets to redact or block; the other scenarios landed",
                            advance.scenario_id, advance.name, github::error_message(&reply.body)
                        ),
                        request: Some(request.describe()),
                    });
                }
                self.chain.clone_from(&self.landed_base);
                self.phase = Phase::Replay { index, tree: None };
            }
            Phase::UpdateRef | Phase::StepRef { .. } if matches!(reply.status, Some(409 | 422)) && !exhausted => {
                self.conflicts += 1;
                if self.conflicts > MAX_CONFLICT_RETRIES {
                    self.stop(RunError {
                        scenario_id: None,
                        name: None,
                        class: ErrorClass::Fatal,
                        code: "branch-keeps-moving".to_owned(),
                        status: reply.status,
                        message: format!("the branch moved {} times while this run tried to land its commits ({message}); nothing landed — run again when other writers are done", self.conflicts),
                        request: Some(request.describe()),
                    });
                } else {
                    self.warnings.push(format!("the branch moved during the run ({message}); re-read it and replayed this run's commits on top"));
                    self.phase = Phase::ConflictBranch;
                }
            }
            _ => self.github_fatal(request, reply, &message, exhausted),
        }
    }

    fn scenario_failure(&mut self, request: &Request, reply: &Reply, message: String, exhausted: bool) {
        let Some(work) = self.current.take() else { return };
        let kept = work.clone();
        self.scenario_failure_of(work, request, reply, message, exhausted);
        if self.current.as_ref().map(|w| w.id) != Some(kept.id) {
            // The scenario was given up: its backfilled versions must not land without it.
            self.abandon_backfill(&kept);
        }
    }

    fn scenario_failure_of(&mut self, mut work: Work, request: &Request, reply: &Reply, message: String, exhausted: bool) {
        let id = Some(work.id);
        let status = reply.status;
        match work.step.clone() {
            WorkStep::ListVersions => self.versions_listed(work, Err(message)),
            WorkStep::FetchVersion { version, .. } => {
                self.warn_once(format!("scenario {}: version {version} was not imported ({message})", work.id));
                self.next_version(work);
            }
            WorkStep::FetchBlueprint => match status {
                Some(404) if !exhausted => {
                    self.skipped += 1;
                    self.record_error(id, ErrorClass::Skipped, "deleted-since-listing", status,
                        "Make answered 404 for the blueprint: the scenario was deleted after it was listed; nothing to back up".to_owned(), request);
                }
                Some(401 | 403) if !exhausted => self.record_error(id, ErrorClass::Scenario, "make-forbidden", status, format!(
                    "Make refused this scenario's blueprint ({message}): the token needs scenarios:read on its team; other scenarios went on"), request),
                _ if exhausted => self.record_error(id, ErrorClass::Scenario, "make-unavailable", status, format!(
                    "Make kept failing for this blueprint ({message}); its files were left as they were — the next run retries it"), request),
                _ => self.record_error(id, ErrorClass::Scenario, "make-error", status, format!(
                    "Make refused this blueprint ({message}); its files were left as they were"), request),
            },
            WorkStep::ReadPreviousBlueprint { .. } if !matches!(status, Some(401 | 403)) => {
                self.warnings.push(format!("scenario {}: could not read its previous blueprint.json ({message}); its commit has no change summary", work.id));
                work.step = WorkStep::CreateTree;
                self.current = Some(work);
            }
            WorkStep::ReadMetadata if !matches!(status, Some(401 | 403)) => {
                self.warnings.push(format!("scenario {}: could not read its previous metadata.json ({message}); its backupHistory restarts", work.id));
                if work.blueprint.is_none() {
                    work.step = WorkStep::FetchBlueprint;
                    self.current = Some(work);
                } else {
                    self.render(work);
                }
            }
            _ if matches!(status, Some(401 | 403)) && !exhausted => {
                self.current = None;
                self.github_fatal(request, reply, &message, exhausted);
            }
            _ => self.record_error(id, ErrorClass::Scenario, "github-write-failed", status, format!(
                "GitHub refused to store this scenario's files ({message}); other scenarios went on — the next run retries it"), request),
        }
    }

    fn scenario_success(&mut self, request: &Request, reply: &Reply) {
        let Some(mut work) = self.current.take() else { return };
        let id = work.id;
        match work.step.clone() {
            WorkStep::FetchBlueprint => match parse_blueprint_reply(&reply.body) {
                Ok(parsed) => {
                    let blueprint = RenderedFile::new(blueprint_path(id), parsed.blueprint);
                    if let Some(backfill) = work.backfill.as_mut() {
                        backfill.current_sha = Some(blueprint.blob_sha.clone());
                        work.step = WorkStep::ListVersions;
                    }
                    work.blueprint = Some(blueprint);
                    work.reply_parts = Some(ReplyParts {
                        scheduling: parsed.scheduling,
                        input_spec: parsed.input_spec,
                        output_spec: parsed.output_spec,
                        id_sequence: parsed.id_sequence,
                    });
                    if work.step == WorkStep::ListVersions {
                        self.current = Some(work);
                    } else if self.tree.blobs.contains_key(&metadata_path(id)) && work.previous.is_none() {
                        work.step = WorkStep::ReadMetadata;
                        self.current = Some(work);
                    } else {
                        self.render(work);
                    }
                }
                Err(e) => self.record_error(Some(id), ErrorClass::Scenario, "blueprint-invalid", reply.status, format!(
                    "Make's blueprint reply is unusable ({e}); the scenario's files were left as they were — open it in Make, check it loads, and run again"), request),
            },
            WorkStep::ListVersions => {
                let versions = backfill::parse_versions(&reply.body, self.config.backfill_max_versions);
                self.versions_listed(work, versions);
            }
            WorkStep::FetchVersion { version, created } => self.version_fetched(work, backfill::VersionRef { version, created }, &reply.body),
            WorkStep::ReadMetadata => {
                let text = github::parse_blob_text(&reply.body).map_err(|e| Error::input("metadata.json", e));
                match text.as_deref().map_err(Clone::clone).and_then(parse_metadata) {
                    Ok(previous) => work.previous = Some(previous.into()),
                    Err(e) => self.warnings.push(format!("scenario {id}: previous metadata.json unreadable ({e}); its backupHistory restarts")),
                }
                work.previous_metadata_text = text.ok();
                if work.blueprint.is_none() && work.previous.is_none() {
                    work.step = WorkStep::FetchBlueprint;
                    self.current = Some(work);
                } else {
                    self.render(work);
                }
            }
            WorkStep::ReadPreviousBlueprint { .. } => {
                match github::parse_blob_text(&reply.body) {
                    Ok(previous) => self.summarize_change(&mut work, &previous),
                    Err(e) => self.warnings.push(format!("scenario {id}: previous blueprint.json unreadable ({e}); its commit has no change summary")),
                }
                work.step = WorkStep::CreateTree;
                self.current = Some(work);
            }
            WorkStep::CreateTree if request.url.ends_with("/git/blobs") => {
                let uploaded = github::parse_created_sha(&reply.body);
                let large = work.files.iter().position(|(_, e)| self.is_large(e));
                match (uploaded, large.and_then(|i| work.files.get_mut(i))) {
                    (Ok(sha), Some((path, entry))) if sha == entry.blob_sha => {
                        entry.inline = None;
                        let _ = path;
                        self.current = Some(work);
                    }
                    (Ok(sha), Some((path, entry))) => {
                        let message = format!("GitHub stored {path} as blob {sha}, but its content hashes to {}: the upload was altered; nothing was committed for this scenario", entry.blob_sha);
                        self.record_error(Some(id), ErrorClass::Scenario, "github-blob-mismatch", reply.status, message, request);
                    }
                    (Err(e), _) => self.github_invalid(request, reply, e),
                    (Ok(_), None) => self.current = Some(work),
                }
            }
            WorkStep::CreateTree => match github::parse_created_sha(&reply.body) {
                Ok(tree) => {
                    for (path, entry) in &work.files {
                        self.tree.blobs.insert(path.clone(), entry.blob_sha.clone());
                    }
                    match self.config.commit_mode {
                        CommitMode::PerScenario => {
                            work.step = WorkStep::CreateCommit { tree };
                            self.current = Some(work);
                        }
                        CommitMode::PerRun => {
                            if let Some(chain) = self.chain.as_mut() {
                                chain.tree = tree;
                            }
                            self.run_files.extend(work.files.iter().map(|(p, e)| (p.clone(), e.blob_sha.clone())));
                            self.run_advances.extend(work.advance);
                        }
                    }
                }
                Err(e) => self.github_invalid(request, reply, e),
            },
            WorkStep::CreateCommit { tree } => match github::parse_created_sha(&reply.body) {
                Ok(sha) if work.backfill.as_ref().is_some_and(|b| b.committing.is_some()) => {
                    let version = work.backfill.as_mut().and_then(|b| b.committing.take());
                    if let Some(version) = version {
                        self.version_committed(work, version, sha, tree);
                    }
                }
                Ok(sha) => {
                    let message = self.scenario_message(&work);
                    self.planned.push(PlannedCommit {
                        sha: sha.clone(),
                        message,
                        files: work.files.iter().map(|(p, e)| (p.clone(), e.blob_sha.clone())).collect(),
                        advances: work.advance.into_iter().collect(),
                        landed: false,
                        backfill_of: None,
                    });
                    self.chain = Some(Branch { commit: sha, tree });
                }
                Err(e) => self.github_invalid(request, reply, e),
            },
        }
    }

    /// Renders the scenario's files, drops those already in the repository, and queues the rest.
    fn render(&mut self, mut work: Work) {
        let id = work.id;
        let Some(listing) = self.inventory.scenarios.get(&id).cloned() else {
            self.abandon_backfill(&work);
            return;
        };
        let previous: Option<PreviousMetadata> = work.previous.clone().map(Into::into);
        let reply = work.reply_parts.as_ref().map(|parts| BlueprintReply {
            blueprint: String::new(),
            scheduling: parts.scheduling.clone(),
            input_spec: parts.input_spec.clone(),
            output_spec: parts.output_spec.clone(),
            id_sequence: parts.id_sequence.clone(),
        });
        let source = match (&reply, &previous) {
            (Some(reply), _) => ReplySource::Reply(reply),
            (None, Some(previous)) => ReplySource::Previous(previous),
            (None, None) => {
                work.step = WorkStep::FetchBlueprint;
                self.current = Some(work);
                return;
            }
        };
        let organization_id = match self.scope {
            MakeScope::Organization(org) => Some(org),
            MakeScope::Team(_) => None,
        };
        if let Some(blueprint) = work.blueprint.take() {
            match self.screen_secrets(id, &listing.name, blueprint) {
                Some(screened) => work.blueprint = Some(screened),
                None => {
                    // Blocked: recorded as this scenario's error.
                    self.abandon_backfill(&work);
                    return;
                }
            }
        }
        if let (true, Some(blueprint)) = (self.config.dependency_inventory, &work.blueprint) {
            if let Err(why) = self.insight.scan(&listing, &blueprint.content) {
                self.warn_once(format!("scenario {id}: not in {}: {why}", crate::dependencies::DEPENDENCIES_PATH));
            }
        }
        if let Some(committed) = work.backfill.as_ref().map(|b| b.committed).filter(|n| *n > 0) {
            if let Some(verdict) = self.verdicts.iter_mut().find(|v| v.scenario_id == id) {
                let s = if committed == 1 { "" } else { "s" };
                verdict.reason = format!("{}; {committed} older version{s} imported first (backfill)", verdict.reason);
            }
        }
        let meta_path = metadata_path(id);
        let repo_blueprint = self.tree.blobs.get(&blueprint_path(id)).cloned();
        let repo_metadata = self.tree.blobs.get(&meta_path).cloned();
        let blueprint_changed = work.blueprint.as_ref().is_some_and(|f| repo_blueprint.as_ref() != Some(&f.blob_sha));
        // A changed blueprint with a previous version in the repository gets a change summary.
        let previous_blueprint = repo_blueprint.clone().filter(|_| blueprint_changed);
        let metadata_same = previous
            .as_ref()
            .and_then(unchanged_stamp)
            .map(|stamp| render_metadata(&listing, organization_id, source, &stamp).blob_sha)
            .is_some_and(|sha| repo_metadata.as_ref() == Some(&sha));
        let mut advance = StateAdvance {
            scenario_id: id,
            name: listing.name.clone(),
            last_edit: listing.last_edit.clone(),
            team_id: listing.field("teamId").and_then(serde_json::Value::as_u64),
            blueprint_sha: work.blueprint.as_ref().map(|f| f.blob_sha.clone()).or(repo_blueprint),
            metadata_sha: repo_metadata,
            fingerprint: listing.fingerprint.clone(),
            commit: None,
        };
        if !blueprint_changed && metadata_same {
            // Same bytes as the repository already holds: record the state, write nothing.
            self.noop_advances.push(advance);
            if let Some(verdict) = self.verdicts.iter_mut().find(|v| v.scenario_id == id) {
                verdict.reason = format!("{} — files already match the repository, nothing written", verdict.reason);
                verdict.verdict = VerdictKind::Unchanged;
            }
            return;
        }
        let state_entry = self.state.get(id).cloned();
        let stamp = next_stamp(&self.run_timestamp(), previous.as_ref(), state_entry.as_ref(), self.config.backup_history_limit);
        let metadata = render_metadata(&listing, organization_id, source, &stamp);
        advance.metadata_sha = Some(metadata.blob_sha.clone());
        let mut files = Vec::new();
        if let Some(blueprint) = work.blueprint.take().filter(|_| blueprint_changed) {
            files.push((blueprint.path, TreeEntry { blob_sha: blueprint.blob_sha, inline: Some(blueprint.content) }));
        }
        files.push((metadata.path, TreeEntry { blob_sha: metadata.blob_sha, inline: Some(metadata.content) }));
        work.files = files;
        work.advance = Some(advance);
        work.reply_parts = None;
        work.previous = None;
        work.step = match (previous_blueprint, work.previous_blueprint_text.take()) {
            (Some(_), Some(text)) => {
                self.summarize_change(&mut work, &text);
                WorkStep::CreateTree
            }
            (Some(sha), None) => WorkStep::ReadPreviousBlueprint { sha },
            (None, _) => WorkStep::CreateTree,
        };
        self.current = Some(work);
    }

    /// A warning, once per run however often the step that finds it is retried.
    fn warn_once(&mut self, warning: String) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    /// Diffs the previous blueprint (and metadata) against the files about to be committed: the text goes
    /// into the commit message body, its first line into the verdict's reason (summary and report).
    fn summarize_change(&mut self, work: &mut Work, previous_blueprint: &str) {
        let text_of = |name: &str| {
            work.files.iter().find(|(p, _)| p.ends_with(name)).and_then(|(_, e)| e.inline.as_deref())
        };
        let Some(new_blueprint) = text_of("/blueprint.json") else { return };
        let previous_metadata = work.previous_metadata_text.take();
        let diff = crate::diff::diff_texts(work.id, Some(previous_blueprint), new_blueprint, previous_metadata.as_deref(), text_of("/metadata.json"));
        match diff {
            Ok(diff) if !diff.is_empty() => {
                let text = diff.render_text(crate::diff::COMMIT_BODY_LINES);
                if let (Some(first), Some(verdict)) = (text.lines().next(), self.verdicts.iter_mut().find(|v| v.scenario_id == work.id)) {
                    verdict.reason = format!("{}; {first}", verdict.reason);
                }
                work.change_summary = Some(text);
            }
            Ok(_) => {}
            Err(e) => self.warnings.push(format!("scenario {}: no change summary ({e})", work.id)),
        }
    }

    /// Applies the secret policy to a rendered blueprint: None when the policy blocks it.
    fn screen_secrets(&mut self, id: u64, name: &str, blueprint: RenderedFile) -> Option<RenderedFile> {
        let policy = self.config.secrets;
        let screening = match screen(&blueprint.content, policy) {
            Ok(screening) => screening,
            Err(e) => {
                self.warnings.push(format!("scenario {id}: the secret scan could not read the blueprint ({e}); committed unscanned"));
                return Some(blueprint);
            }
        };
        if screening.findings.is_empty() {
            return Some(blueprint);
        }
        let record = ScenarioSecrets { scenario_id: id, name: name.to_owned(), policy, findings: screening.findings };
        let kinds: Vec<String> = record.findings.iter().map(|f| f.describe()).collect();
        self.secrets.push(record);
        if screening.blocked {
            self.errors.push(RunError {
                scenario_id: Some(id),
                name: Some(name.to_owned()),
                class: ErrorClass::Scenario,
                code: "secrets-blocked".to_owned(),
                status: None,
                message: format!(
                    "scenario {id} {name:?} was not backed up: its blueprint holds secrets ({}); move them into Make connections or keys, or set secrets to warn or redact",
                    kinds.join("; ")
                ),
                request: None,
            });
            return None;
        }
        self.warnings.push(format!("scenario {id} {name:?}: possible secrets in its blueprint ({}) — {}", kinds.join("; "), match policy {
            SecretPolicy::Redact => "redacted before commit",
            _ => "committed as they are (secrets: warn); move them into Make connections or keys",
        }));
        match screening.redacted {
            Some(text) => Some(RenderedFile::new(blueprint.path, text)),
            None => Some(blueprint),
        }
    }

    /// The state this run settles on, `lastRun` left as it was (which alone never justifies a commit).
    fn next_state(&self) -> crate::state::BackupState {
        let mut advances = Vec::new();
        for planned in &self.planned {
            for advance in &planned.advances {
                let mut advance = advance.clone();
                advance.commit = Some(planned.sha.clone());
                advances.push(advance);
            }
        }
        advances.extend(self.noop_advances.iter().cloned());
        let mut next = update_state(&self.state, &advances, &self.deleted, &self.run_timestamp());
        next.last_run.clone_from(&self.state.last_run);
        next
    }

    /// The files of the closing commit: the state when it changed, and the insight files whose bytes
    /// changed. Empty when nothing needs a commit.
    fn closing_files(&mut self) -> Vec<(String, String)> {
        let mut next = self.next_state();
        let state_changed = Some(crate::githash::git_blob_sha(next.render().as_bytes())) != self.tree.blobs.get(STATE_PATH).cloned();
        let mut files = self.insight_files(&mut next, state_changed);
        self.coverage = Some(self.render_report(&next).0);
        if state_changed {
            next.last_run = Some(self.run_timestamp());
            files.insert(0, (STATE_PATH.to_owned(), next.render()));
            let n = self.planned.iter().flat_map(|p| p.advances.iter()).count();
            self.state_message = format!("Update backup state ({n} scenario{} backed up)", if n == 1 { "" } else { "s" });
        } else {
            self.state_message = "Update dependency inventory".to_owned();
        }
        if files.len() > 1 || !state_changed {
            let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
            self.state_message = format!("{}\n\nfiles: {}\n", self.state_message.lines().next().unwrap_or_default(), paths.join(", "));
        }
        self.state_write_pending = !files.is_empty();
        files
    }

    /// After the branch moved: drop what the other writer already holds, then rebuild the chain.
    fn replay(&mut self, theirs: Option<BackupState>) {
        if let Some(theirs) = theirs {
            for planned in self.planned.iter_mut().filter(|p| !p.landed) {
                planned.advances.retain(|a| {
                    theirs.get(a.scenario_id).is_none_or(|t| {
                        t.last_edit != a.last_edit || t.fingerprint.as_deref() != Some(a.fingerprint.as_str()) || t.blueprint_sha != a.blueprint_sha
                    })
                });
            }
            self.noop_advances.retain(|a| theirs.get(a.scenario_id).is_none_or(|t| t.last_edit != a.last_edit));
            self.state = theirs;
        }
        let tree = &self.tree.blobs;
        let mut now_identical = Vec::new();
        for planned in self.planned.iter_mut().filter(|p| !p.landed && p.backfill_of.is_none()) {
            let ids: Vec<u64> = planned.advances.iter().map(|a| a.scenario_id).collect();
            planned.files.retain(|(path, sha)| {
                let owner = path.split('/').nth(1).and_then(|d| d.parse::<u64>().ok());
                owner.is_some_and(|o| ids.contains(&o)) && tree.get(path) != Some(sha)
            });
            if planned.files.is_empty() {
                now_identical.append(&mut planned.advances);
            }
        }
        self.noop_advances.extend(now_identical);
        // Older versions land only before their scenario's own backup: dropped when that was.
        let kept: Vec<u64> = self
            .planned
            .iter()
            .filter(|p| p.backfill_of.is_none() && !p.files.is_empty())
            .flat_map(|p| p.advances.iter().map(|a| a.scenario_id))
            .collect();
        self.planned.retain(|p| match p.backfill_of {
            _ if p.landed => true,
            Some(id) => kept.contains(&id),
            None => !p.files.is_empty() && !p.advances.is_empty(),
        });
        self.state_write_pending = false;
        self.landed_base.clone_from(&self.chain);
        self.phase = Phase::Replay { index: 0, tree: None };
    }

    fn finish(&mut self, now_ms: i64) -> (Summary, String) {
        self.phase = Phase::Finished;
        let status = if self.fatal.is_some() {
            RunStatus::Failed
        } else if self.errors.iter().any(|e| e.class == ErrorClass::Scenario) {
            RunStatus::Partial
        } else {
            RunStatus::Success
        };
        let summary = Summary {
            status,
            fatal: self.fatal.clone(),
            total: self.inventory.scenarios.len() as u64,
            backed_up: self.landed_scenarios,
            unchanged: self.verdicts.iter().filter(|v| v.verdict == VerdictKind::Unchanged).count() as u64,
            skipped: self.skipped,
            deleted: if self.state_landed { self.deleted.len() as u64 } else { 0 },
            inventory_complete: !self.inventory.incomplete && self.inventory.finished,
            errors: self.errors.clone(),
            verdicts: self.verdicts.clone(),
            commits_made: self.landed.len() as u64,
            commits: self.landed.clone(),
            api_calls: self.api_calls,
            warnings: self.warnings.iter().cloned().chain(self.retry_warnings()).collect(),
            secrets: self.secrets.clone(),
            // Only a state that is on the branch (or needed no write) is what the numbers describe.
            coverage: if self.state_landed || !self.state_write_pending { self.coverage.clone() } else { None },
            started_at: self.run_timestamp(),
            finished_at: format_ms(now_ms),
            duration_ms: (now_ms - self.started_ms).max(0) as u64,
        };
        let report = summary.report();
        self.done = Some((summary.clone(), report.clone()));
        (summary, report)
    }
}

impl Engine {
    fn retry_warnings(&self) -> impl Iterator<Item = String> + '_ {
        self.retried.iter().map(|(kind, note)| {
            let times = if note.count == 1 { "once".to_owned() } else { format!("{} times", note.count) };
            format!("retried {times} after {kind} (first on {}); the run waited and went on", note.first)
        })
    }
}

fn service_name(service: Service) -> &'static str {
    match service {
        Service::Make => "Make",
        Service::Github => "GitHub",
    }
}

/// GitHub's secret scanning push protection (a repository rule), not a moved branch.
fn is_push_protection(reply: &Reply) -> bool {
    if !matches!(reply.status, Some(409 | 422)) {
        return false;
    }
    let body = reply.body.to_ascii_lowercase();
    body.contains("push protection") || body.contains("rule violation") || body.contains("secret")
}

/// A commit subject stays one line whatever the scenario name holds.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
