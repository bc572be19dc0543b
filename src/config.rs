//! Run configuration: what to back up, where to, and how fast.

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Configuration of one backup run. JSON field names are camelCase; see `src/protocol.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackupConfig {
    /// The Make.com side: zone and which team or organization.
    pub make: MakeConfig,
    /// The GitHub side: repository, branch, committer.
    pub github: GithubConfig,
    /// One commit per scenario (default) or one commit for the whole run.
    #[serde(default)]
    pub commit_mode: CommitMode,
    /// Back up every listed scenario even when nothing changed (files that are byte-identical are
    /// still not rewritten).
    #[serde(default)]
    pub force: bool,
    /// How many earlier backups `metadata.json` lists in `backupHistory` (default 100).
    #[serde(default = "defaults::history_limit")]
    pub backup_history_limit: u32,
    /// Retries after a retryable failure (429, 5xx, timeout) before giving up (default 3).
    #[serde(default = "defaults::max_retries")]
    pub max_retries: u32,
    /// A single wait longer than this stops the run with a resumable summary (default 900 s).
    #[serde(default = "defaults::max_wait_seconds")]
    pub max_wait_seconds: u64,
    /// Timeout the host should apply to each request (default 30000 ms).
    #[serde(default = "defaults::request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// `User-Agent` sent with every request (GitHub rejects requests without one).
    #[serde(default = "defaults::user_agent")]
    pub user_agent: String,
    /// What to do with a blueprint in which secrets are found: `warn` (default: commit it, name the
    /// scenario, module and kind in the summary and the commit message, never the value), `redact`
    /// (replace the values with `[redacted:<kind>]`), or `block` (do not back that scenario up).
    #[serde(default)]
    pub secrets: crate::secrets::SecretPolicy,
    /// Files larger than this are uploaded with `POST git/blobs` instead of inline tree content
    /// (GitHub times out on very large inline trees). Default 1,000,000 bytes.
    #[serde(default = "defaults::blob_threshold_bytes")]
    pub blob_threshold_bytes: u64,
    /// Keep a generated audit report (`README.md`: per folder, each scenario's status, last edit and
    /// last backup; coverage) in the repository, refreshed on runs that change the state. A README.md
    /// written by a person is left alone: the report then goes to `inventory/README.md`. Default true.
    #[serde(default = "defaults::yes")]
    pub audit_readme: bool,
    /// Keep `inventory/dependencies.json` (connections, webhooks, data stores, keys, data structures
    /// per scenario and who uses each), refreshed on runs that change the state. Default true.
    #[serde(default = "defaults::yes")]
    pub dependency_inventory: bool,
    /// Also compare the dependencies with Make's list endpoints (`/connections`, `/hooks`,
    /// `/data-stores`, `/data-structures`, `/keys`, `/devices`; names and types only) on every run, so
    /// deleted ones are flagged `missing`. Lists the token has no scope for stay unchecked. Costs one
    /// Make request per kind and team. Default false.
    #[serde(default)]
    pub check_dependencies: bool,
    /// Days after which a backup that does not match Make counts as stale in the coverage (default 30).
    #[serde(default = "defaults::stale_after_days")]
    pub stale_after_days: u32,
    /// Import the older versions Make keeps (`GET /scenarios/{id}/blueprints`, the last 60 days) as
    /// commits in date order before the first backup of each scenario that has none yet. Default false.
    #[serde(default)]
    pub backfill: bool,
    /// At most this many older versions per scenario are imported by `backfill` (the newest ones;
    /// default 20).
    #[serde(default = "defaults::backfill_max_versions")]
    pub backfill_max_versions: u32,
}

/// The configuration under its short name.
pub type Config = BackupConfig;

/// Make.com connection settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MakeConfig {
    /// `eu1`, `eu2`, `us1`, `us2`, or a host such as `us1.make.celonis.com`. Exclusive with `baseUrl`.
    #[serde(default)]
    pub zone: Option<String>,
    /// Any API base URL, e.g. `https://development.make.cloud/api/v2`. Exclusive with `zone`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Back up the scenarios of this team. Exclusive with `organizationId`.
    #[serde(default)]
    pub team_id: Option<u64>,
    /// Back up the scenarios of this organization. Exclusive with `teamId`.
    #[serde(default)]
    pub organization_id: Option<u64>,
    /// `pg[limit]` of the scenario list (default 500).
    #[serde(default = "defaults::page_size")]
    pub page_size: u32,
    /// Requests per minute the run may send to Make (default 60, the Core plan's limit).
    #[serde(default = "defaults::make_rpm")]
    pub requests_per_minute: u32,
}

/// GitHub repository settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GithubConfig {
    /// REST API root (default `https://api.github.com`).
    #[serde(default = "defaults::github_api_url")]
    pub api_url: String,
    /// Repository owner (user or organization).
    pub owner: String,
    /// Repository name.
    pub repo: String,
    /// Branch the backup commits land on (default `main`).
    #[serde(default = "defaults::branch")]
    pub branch: String,
    /// Author and committer of backup commits.
    #[serde(default)]
    pub committer: Committer,
    /// Content-creating requests per minute (default 80, GitHub's documented secondary limit).
    #[serde(default = "defaults::github_wpm")]
    pub writes_per_minute: u32,
}

/// Name and e-mail written as author and committer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct Committer {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

impl Default for Committer {
    fn default() -> Self {
        Self { name: "Make.com Backup Bot".to_owned(), email: "bot@example.com".to_owned() }
    }
}

/// How scenarios are grouped into commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum CommitMode {
    /// One commit per backed-up scenario: `Backup scenario {id}: {name}`.
    #[default]
    PerScenario,
    /// One commit for all scenarios of the run.
    PerRun,
}

mod defaults {
    pub(super) fn history_limit() -> u32 {
        100
    }
    pub(super) fn max_retries() -> u32 {
        3
    }
    pub(super) fn max_wait_seconds() -> u64 {
        900
    }
    pub(super) fn request_timeout_ms() -> u64 {
        30_000
    }
    pub(super) fn user_agent() -> String {
        "make-backup-planner".to_owned()
    }
    pub(super) fn blob_threshold_bytes() -> u64 {
        1_000_000
    }
    pub(super) fn yes() -> bool {
        true
    }
    pub(super) fn stale_after_days() -> u32 {
        crate::audit::DEFAULT_STALE_AFTER_DAYS
    }
    pub(super) fn backfill_max_versions() -> u32 {
        20
    }
    pub(super) fn page_size() -> u32 {
        500
    }
    pub(super) fn make_rpm() -> u32 {
        60
    }
    pub(super) fn github_api_url() -> String {
        "https://api.github.com".to_owned()
    }
    pub(super) fn branch() -> String {
        "main".to_owned()
    }
    pub(super) fn github_wpm() -> u32 {
        80
    }
}

/// Which Make scenarios to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum MakeScope {
    Team(u64),
    Organization(u64),
}

impl BackupConfig {
    /// Checks every field and returns the first problem, naming the field and the fix.
    pub fn validate(&self) -> Result<(), Error> {
        self.make_base_url()?;
        self.make_scope()?;
        if !(1..=10_000).contains(&self.make.page_size) {
            return Err(Error::config("make.pageSize", "must be between 1 and 10000 (Make's default is 500)"));
        }
        if self.make.requests_per_minute == 0 {
            return Err(Error::config("make.requestsPerMinute", "must be at least 1 (your plan's limit: Core 60, Pro 120, Teams 240)"));
        }
        if self.github.writes_per_minute == 0 {
            return Err(Error::config("github.writesPerMinute", "must be at least 1 (GitHub allows 80 content-creating requests per minute)"));
        }
        http_url("github.apiUrl", &self.github.api_url)?;
        for (field, value) in [("github.owner", &self.github.owner), ("github.repo", &self.github.repo)] {
            let ok = !value.is_empty()
                && value.len() <= 100
                && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !ok {
                return Err(Error::config(field, format!("{value:?} is not a GitHub name (letters, digits, '-', '_', '.')")));
            }
        }
        let branch = &self.github.branch;
        let branch_ok = !branch.is_empty()
            && !branch.starts_with('/')
            && !branch.ends_with('/')
            && !branch.contains("..")
            && !branch.chars().any(|c| c.is_control() || " ~^:?*[\\".contains(c));
        if !branch_ok {
            return Err(Error::config("github.branch", format!("{branch:?} is not a valid branch name")));
        }
        let committer = &self.github.committer;
        if committer.name.trim().is_empty() || !committer.email.contains('@') {
            return Err(Error::config("github.committer", "needs a non-empty name and an e-mail address"));
        }
        if self.max_retries > 10 {
            return Err(Error::config("maxRetries", "at most 10"));
        }
        if self.request_timeout_ms == 0 {
            return Err(Error::config("requestTimeoutMs", "must be positive"));
        }
        if !(1..=100).contains(&self.backfill_max_versions) {
            return Err(Error::config("backfillMaxVersions", "must be between 1 and 100 (Make keeps 60 days of versions)"));
        }
        if self.stale_after_days == 0 {
            return Err(Error::config("staleAfterDays", "must be at least 1"));
        }
        if self.user_agent.trim().is_empty() {
            return Err(Error::config("userAgent", "GitHub rejects requests without a User-Agent"));
        }
        Ok(())
    }

    /// The Make API root, e.g. `https://eu1.make.com/api/v2`, without a trailing slash.
    pub fn make_base_url(&self) -> Result<String, Error> {
        match (&self.make.zone, &self.make.base_url) {
            (Some(_), Some(_)) => Err(Error::config("make.zone", "set either zone or baseUrl, not both")),
            (None, None) => Err(Error::config("make.zone", "set zone (eu1, eu2, us1, us2, or a host like us1.make.celonis.com) or baseUrl")),
            (Some(zone), None) => {
                let zone = zone.trim().to_ascii_lowercase();
                if matches!(zone.as_str(), "eu1" | "eu2" | "us1" | "us2") {
                    Ok(format!("https://{zone}.make.com/api/v2"))
                } else if zone.ends_with(".make.com") || zone.ends_with(".make.celonis.com") {
                    let host_ok = zone.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
                    if host_ok {
                        Ok(format!("https://{zone}/api/v2"))
                    } else {
                        Err(Error::config("make.zone", format!("{zone:?} is not a host name")))
                    }
                } else {
                    Err(Error::config("make.zone", format!("unknown zone {zone:?}: use eu1, eu2, us1, us2, a *.make.com or *.make.celonis.com host, or baseUrl for other instances")))
                }
            }
            (None, Some(url)) => {
                let url = http_url("make.baseUrl", url)?;
                let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or("");
                if after_scheme.contains('/') { Ok(url) } else { Ok(format!("{url}/api/v2")) }
            }
        }
    }

    pub(crate) fn make_scope(&self) -> Result<MakeScope, Error> {
        match (self.make.team_id, self.make.organization_id) {
            (Some(_), Some(_)) => Err(Error::config("make.teamId", "set teamId or organizationId, not both (Make answers 400)")),
            (None, None) => Err(Error::config("make.teamId", "set teamId or organizationId")),
            (Some(team), None) => Ok(MakeScope::Team(team)),
            (None, Some(org)) => Ok(MakeScope::Organization(org)),
        }
    }

    pub(crate) fn github_repo_url(&self) -> String {
        format!("{}/repos/{}/{}", self.github.api_url.trim_end_matches('/'), self.github.owner, self.github.repo)
    }
}

/// Checks an http(s) URL and returns it without a trailing slash.
fn http_url(field: &str, url: &str) -> Result<String, Error> {
    let url = url.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) => Ok(url.to_owned()),
        _ => Err(Error::config(field, format!("{url:?} is not an http(s) URL without query"))),
    }
}
