//! `.backup-state.json`: what was backed up, when, and in which commit (PRD FR-5, appendix A.2).
//!
//! The file follows the PRD schema plus `version`, a blob SHA per file and a fingerprint of the listed
//! fields. Fields this version does not know are kept as they are, so an older engine never erases what
//! a newer one wrote. `gitSHA` is the commit that last backed the scenario up; the state itself lands
//! in a later commit of the same push (a file cannot contain the SHA of its own commit).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::canonical_value;

/// Path of the state file in the backup repository.
pub const STATE_PATH: &str = ".backup-state.json";

/// The schema version this engine writes and reads.
pub const STATE_VERSION: u64 = 1;

/// The whole state file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupState {
    /// Schema version (1). A file without it is read as the PRD's unversioned schema.
    #[serde(default = "current_version")]
    pub version: u64,
    /// The last run that wrote to the repository.
    #[serde(default)]
    pub last_run: Option<String>,
    /// Per scenario id (as a string key, like the PRD).
    #[serde(default)]
    pub scenarios: BTreeMap<String, ScenarioState>,
    /// Where the generated audit report was last written, and its blob SHA: a `README.md` with another
    /// SHA was edited or written by someone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportRecord>,
    /// Fields this version does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn current_version() -> u64 {
    STATE_VERSION
}

impl Default for BackupState {
    fn default() -> Self {
        Self { version: STATE_VERSION, last_run: None, scenarios: BTreeMap::new(), report: None, extra: Map::new() }
    }
}

/// The generated audit report's place in the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRecord {
    /// `README.md`, or `inventory/README.md` when the repository's README.md belongs to a person.
    pub path: String,
    /// Blob SHA of the report as last written.
    pub blob_sha: String,
}

/// What the state remembers of one scenario.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioState {
    /// Name at the last backup.
    #[serde(default)]
    pub name: String,
    /// Make's `lastEdit` at the last backup.
    #[serde(default)]
    pub last_edit: Option<String>,
    /// When the last backup landed.
    #[serde(default)]
    pub last_backup: Option<String>,
    /// How many backups landed.
    #[serde(default)]
    pub backup_count: u64,
    /// Commit of the last backup.
    #[serde(default, rename = "gitSHA")]
    pub git_sha: Option<String>,
    /// Blob SHA of `blueprint.json` at the last backup.
    #[serde(default)]
    pub blueprint_sha: Option<String>,
    /// Blob SHA of `metadata.json` at the last backup.
    #[serde(default)]
    pub metadata_sha: Option<String>,
    /// Fingerprint of the stable listed fields at the last backup.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Team the scenario belongs to.
    #[serde(default)]
    pub team_id: Option<u64>,
    /// Set when a complete inventory no longer lists the scenario (files are kept).
    #[serde(default)]
    pub deleted_at: Option<String>,
    /// Fields this version does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a state file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateProblem {
    /// Not JSON, or JSON of the wrong shape.
    Corrupt(String),
    /// Written by a newer engine.
    UnknownVersion(u64),
}

impl std::fmt::Display for StateProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Corrupt(why) => write!(f, "{STATE_PATH} is corrupt ({why})"),
            Self::UnknownVersion(v) => write!(f, "{STATE_PATH} has version {v}, newer than this engine's {STATE_VERSION}"),
        }
    }
}

impl BackupState {
    /// Parses the state file text.
    pub fn parse(text: &str) -> Result<Self, StateProblem> {
        let value: Value = serde_json::from_str(text).map_err(|e| StateProblem::Corrupt(format!("not JSON: {e}")))?;
        if !value.is_object() {
            return Err(StateProblem::Corrupt("not a JSON object".to_owned()));
        }
        if let Some(version) = value.get("version") {
            match version.as_u64() {
                Some(v) if v <= STATE_VERSION => {}
                Some(v) => return Err(StateProblem::UnknownVersion(v)),
                None => return Err(StateProblem::Corrupt("version is not a number".to_owned())),
            }
        }
        let mut state: Self = serde_json::from_value(value).map_err(|e| StateProblem::Corrupt(e.to_string()))?;
        // Keys must be scenario ids: anything else cannot map to scenarios/<id>/.
        if let Some(bad) = state.scenarios.keys().find(|k| k.parse::<u64>().is_err()) {
            return Err(StateProblem::Corrupt(format!("scenario key {bad:?} is not a numeric id")));
        }
        state.version = STATE_VERSION;
        Ok(state)
    }

    /// The canonical file text.
    pub fn render(&self) -> String {
        match serde_json::to_value(self) {
            Ok(value) => canonical_value(&value),
            Err(_) => String::from("{}\n"),
        }
    }

    /// The entry of a scenario.
    pub fn get(&self, id: u64) -> Option<&ScenarioState> {
        self.scenarios.get(&id.to_string())
    }

    /// The entry of a scenario, created empty if absent.
    pub fn entry(&mut self, id: u64) -> &mut ScenarioState {
        self.scenarios.entry(id.to_string()).or_default()
    }

    /// Same content apart from `lastRun` (which alone never justifies a commit).
    pub fn same_content(&self, other: &Self) -> bool {
        self.version == other.version && self.scenarios == other.scenarios && self.report == other.report && self.extra == other.extra
    }
}

/// What a landed backup of one scenario changes in the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct StateAdvance {
    /// Scenario id.
    pub scenario_id: u64,
    /// Name at this backup.
    pub name: String,
    /// `lastEdit` at this backup.
    pub last_edit: Option<String>,
    /// Team id.
    pub team_id: Option<u64>,
    /// Blob SHA of blueprint.json now on the branch.
    pub blueprint_sha: Option<String>,
    /// Blob SHA of metadata.json now on the branch.
    pub metadata_sha: Option<String>,
    /// Fingerprint of the listed fields.
    pub fingerprint: String,
    /// The commit that wrote the files; None when nothing had to be written.
    pub commit: Option<String>,
}

/// Applies advances and deletions to a state (FR-5): `lastBackup`, `backupCount` and `gitSHA` move
/// only for advances that carry a landed commit.
pub fn update_state(state: &BackupState, advances: &[StateAdvance], deleted: &[u64], now: &str) -> BackupState {
    let mut next = state.clone();
    for advance in advances {
        let entry = next.entry(advance.scenario_id);
        entry.name.clone_from(&advance.name);
        entry.last_edit.clone_from(&advance.last_edit);
        entry.team_id = advance.team_id.or(entry.team_id);
        if advance.blueprint_sha.is_some() {
            entry.blueprint_sha.clone_from(&advance.blueprint_sha);
        }
        if advance.metadata_sha.is_some() {
            entry.metadata_sha.clone_from(&advance.metadata_sha);
        }
        entry.fingerprint = Some(advance.fingerprint.clone());
        entry.deleted_at = None;
        if let Some(commit) = &advance.commit {
            entry.git_sha = Some(commit.clone());
            entry.last_backup = Some(now.to_owned());
            entry.backup_count += 1;
        }
    }
    for id in deleted {
        let entry = next.entry(*id);
        if entry.deleted_at.is_none() {
            entry.deleted_at = Some(now.to_owned());
        }
    }
    next
}
