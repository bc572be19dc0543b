//! File rendering: `scenarios/{id}/blueprint.json` and `scenarios/{id}/metadata.json` (PRD FR-3, FR-4).
//!
//! `blueprint.json` is the canonical JSON of `response.blueprint` from
//! `GET /scenarios/{id}/blueprint` — never the `{"code":"OK","response":…}` wrapper.
//! `metadata.json` holds the PRD fields, the parts of the blueprint reply that a restore needs but
//! that live outside the blueprint (`scheduling`, `inputSpec`, `outputSpec`, `idSequence`), every other
//! stable listed field under `listing`, and the backup trail (`backupTimestamp`, `backupHistory`).
//! Volatile list fields (`nextExec`, `dlqCount`, `iswaiting`, `operations`, `transfer`) never appear.
//!
//! Where commit SHAs are recorded: a file cannot contain the SHA of the commit that writes it, so
//! `backupHistory` lists the *earlier* backups (`gitCommit` = commit SHA, `gitSHA` = blob SHA of that
//! backup's `blueprint.json`), and `.backup-state.json` (committed right after, in the same push)
//! records the commit of the latest backup as `gitSHA`.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::{canonical_members, canonical_value};
use crate::error::Error;
use crate::githash::git_blob_sha;
use crate::inventory::{ScenarioListing, VOLATILE_FIELDS, error_text, fingerprint_of};
use crate::state::ScenarioState;

/// A file to be written to the backup repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct RenderedFile {
    /// Repository path: `scenarios/<digits>/blueprint.json|metadata.json` or `.backup-state.json`.
    pub path: String,
    /// Exact UTF-8 text.
    pub content: String,
    /// Git blob SHA-1 of `content`.
    pub blob_sha: String,
    /// Size in bytes.
    pub size: u64,
}

impl RenderedFile {
    /// Wraps content with its path, hashing it.
    pub fn new(path: String, content: String) -> Self {
        let blob_sha = git_blob_sha(content.as_bytes());
        let size = content.len() as u64;
        Self { path, content, blob_sha, size }
    }

    /// Base64 of the content (contents API, blob uploads).
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.content.as_bytes())
    }
}

/// `scenarios/{id}/blueprint.json`.
pub fn blueprint_path(id: u64) -> String {
    format!("scenarios/{id}/blueprint.json")
}

/// `scenarios/{id}/metadata.json`.
pub fn metadata_path(id: u64) -> String {
    format!("scenarios/{id}/metadata.json")
}

/// The scenario id of a `scenarios/<digits>/metadata.json` path.
pub fn scenario_id_of_metadata_path(path: &str) -> Option<u64> {
    let rest = path.strip_prefix("scenarios/")?.strip_suffix("/metadata.json")?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

/// The parts of a blueprint reply that are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct BlueprintReply {
    /// Canonical text of `response.blueprint` (the content of `blueprint.json`).
    pub blueprint: String,
    /// `response.scheduling`.
    pub scheduling: Option<Value>,
    /// `response.metadata.input_spec`.
    pub input_spec: Option<Value>,
    /// `response.metadata.output_spec`.
    pub output_spec: Option<Value>,
    /// `response.idSequence` (next free module id; keeps restored module ids stable).
    pub id_sequence: Option<Value>,
}

/// Parses `GET /scenarios/{id}/blueprint`. Invalid JSON, an error body, or no `response.blueprint`
/// object is an error for that scenario only.
///
/// The reply is parsed once by the canonical writer, which renders the (possibly multi-MB) blueprint
/// straight from the text; only the small parts around it become `Value`s.
pub fn parse_blueprint_reply(body: &str) -> Result<BlueprintReply, Error> {
    let paths: [&[&str]; 9] = [
        &["?", "response"],
        &["response", "blueprint"],
        &["response", "scheduling"],
        &["response", "metadata", "input_spec"],
        &["response", "metadata", "output_spec"],
        &["response", "idSequence"],
        &["code"],
        &["message"],
        &["detail"],
    ];
    let members = canonical_members(body, &paths).map_err(|e| match e {
        Error::InvalidInput { message, .. } => Error::input("blueprint reply", format!("not JSON ({message})")),
        other => other,
    })?;
    let mut members = members.into_iter();
    let mut next = || members.next().flatten();
    let small = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
    let response = next();
    let blueprint = next();
    let (scheduling, input_spec, output_spec, id_sequence) = (small(next()), small(next()), small(next()), small(next()));
    if !response.as_deref().is_some_and(|r| r.starts_with('{')) {
        let mut shape = Map::new();
        for key in ["code", "message", "detail"] {
            if let Some(value) = small(next()) {
                shape.insert(key.to_owned(), value);
            }
        }
        let detail = error_text(&Value::Object(shape)).unwrap_or_else(|| "no \"response\" object".to_owned());
        return Err(Error::input("blueprint reply", detail));
    }
    let blueprint = blueprint.ok_or_else(|| Error::input("blueprint reply", "no response.blueprint"))?;
    if !blueprint.starts_with('{') {
        return Err(Error::input("blueprint reply", "response.blueprint is not an object"));
    }
    Ok(BlueprintReply { blueprint, scheduling, input_spec, output_spec, id_sequence })
}

/// Renders `blueprint.json`.
pub fn render_blueprint(id: u64, reply: &BlueprintReply) -> RenderedFile {
    RenderedFile::new(blueprint_path(id), reply.blueprint.clone())
}

/// One earlier backup, as listed in `backupHistory`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// When that backup landed.
    pub timestamp: String,
    /// Its commit SHA.
    pub git_commit: String,
    /// Blob SHA of its `blueprint.json`.
    #[serde(rename = "gitSHA")]
    pub git_sha: String,
}

/// The backup trail written into `metadata.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupStamp {
    /// `backupTimestamp`.
    pub timestamp: String,
    /// `backupHistory`, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// Fields of a previous `metadata.json` that a new render carries forward.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviousMetadata {
    /// Its `backupTimestamp`.
    pub timestamp: Option<String>,
    /// Its `backupHistory`.
    pub history: Vec<HistoryEntry>,
    /// Its `scheduling`, `inputSpec`, `outputSpec`, `idSequence` (for metadata-only rewrites).
    pub reply_parts: BTreeMap<String, Value>,
    /// The stable listed fields it was rendered from (for rebuilding a lost state).
    pub listed_fields: BTreeMap<String, Value>,
    /// Its `teamId`.
    pub team_id: Option<u64>,
}

const TOP_LEVEL_LISTED: [&str; 9] =
    ["id", "name", "description", "folderId", "created", "lastEdit", "teamId", "isActive", "isPaused"];
const REPLY_PARTS: [&str; 4] = ["scheduling", "inputSpec", "outputSpec", "idSequence"];

/// Parses a `metadata.json` written by this engine (or by hand in the same schema).
pub fn parse_metadata(text: &str) -> Result<PreviousMetadata, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::input("metadata.json", format!("not JSON ({e})")))?;
    let object = value.as_object().ok_or_else(|| Error::input("metadata.json", "not an object"))?;
    let history = match object.get("backupHistory") {
        Some(h) => serde_json::from_value(h.clone()).map_err(|e| Error::input("metadata.json backupHistory", e))?,
        None => Vec::new(),
    };
    let mut listed_fields = BTreeMap::new();
    for key in TOP_LEVEL_LISTED {
        if let Some(v) = object.get(key) {
            listed_fields.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(Value::Object(listing)) = object.get("listing") {
        for (k, v) in listing {
            listed_fields.insert(k.clone(), v.clone());
        }
    }
    let mut reply_parts = BTreeMap::new();
    for key in REPLY_PARTS {
        if let Some(v) = object.get(key).filter(|v| !v.is_null()) {
            reply_parts.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(scheduling) = reply_parts.get("scheduling") {
        listed_fields.entry("scheduling".to_owned()).or_insert_with(|| scheduling.clone());
    }
    Ok(PreviousMetadata {
        timestamp: object.get("backupTimestamp").and_then(Value::as_str).map(str::to_owned),
        history,
        reply_parts,
        team_id: object.get("teamId").and_then(Value::as_u64),
        listed_fields,
    })
}

impl PreviousMetadata {
    /// Fingerprint of the listed fields this file was rendered from.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.listed_fields)
    }
}

/// Where the non-listed parts of `metadata.json` come from.
#[derive(Debug, Clone, Copy)]
pub enum ReplySource<'a> {
    /// A fresh blueprint reply.
    Reply(&'a BlueprintReply),
    /// The previous `metadata.json` (metadata-only rewrite).
    Previous(&'a PreviousMetadata),
}

/// Renders `metadata.json`.
pub fn render_metadata(
    listing: &ScenarioListing,
    organization_id: Option<u64>,
    source: ReplySource<'_>,
    stamp: &BackupStamp,
) -> RenderedFile {
    let mut out = Map::new();
    for key in TOP_LEVEL_LISTED {
        out.insert(key.to_owned(), listing.field(key).cloned().unwrap_or(Value::Null));
    }
    out.insert("organizationId".to_owned(), organization_id.map(Value::from).unwrap_or(Value::Null));
    let listed_scheduling = listing.field("scheduling").cloned();
    let (scheduling, input_spec, output_spec, id_sequence) = match source {
        ReplySource::Reply(reply) => (
            reply.scheduling.clone().or(listed_scheduling),
            reply.input_spec.clone(),
            reply.output_spec.clone(),
            reply.id_sequence.clone(),
        ),
        ReplySource::Previous(previous) => (
            listed_scheduling.or_else(|| previous.reply_parts.get("scheduling").cloned()),
            previous.reply_parts.get("inputSpec").cloned(),
            previous.reply_parts.get("outputSpec").cloned(),
            previous.reply_parts.get("idSequence").cloned(),
        ),
    };
    out.insert("scheduling".to_owned(), scheduling.unwrap_or(Value::Null));
    out.insert("inputSpec".to_owned(), input_spec.unwrap_or(Value::Array(Vec::new())));
    out.insert("outputSpec".to_owned(), output_spec.unwrap_or(Value::Array(Vec::new())));
    out.insert("idSequence".to_owned(), id_sequence.unwrap_or(Value::Null));
    let rest: Map<String, Value> = listing
        .fields
        .iter()
        .filter(|(k, _)| !TOP_LEVEL_LISTED.contains(&k.as_str()) && k.as_str() != "scheduling")
        .filter(|(k, _)| !VOLATILE_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.insert("listing".to_owned(), Value::Object(rest));
    out.insert("backupTimestamp".to_owned(), Value::String(stamp.timestamp.clone()));
    let history = serde_json::to_value(&stamp.history).unwrap_or(Value::Array(Vec::new()));
    out.insert("backupHistory".to_owned(), history);
    RenderedFile::new(metadata_path(listing.id), canonical_value(&Value::Object(out)))
}

/// The stamp for a new backup: the previous backup (from the state) joins the history, capped.
pub fn next_stamp(now: &str, previous: Option<&PreviousMetadata>, state: Option<&ScenarioState>, limit: u32) -> BackupStamp {
    let mut history = previous.map(|p| p.history.clone()).unwrap_or_default();
    if let Some(state) = state {
        if let (Some(timestamp), Some(commit)) = (&state.last_backup, &state.git_sha) {
            if !history.iter().any(|h| &h.git_commit == commit) {
                history.push(HistoryEntry {
                    timestamp: timestamp.clone(),
                    git_commit: commit.clone(),
                    git_sha: state.blueprint_sha.clone().unwrap_or_default(),
                });
            }
        }
    }
    let excess = history.len().saturating_sub(limit as usize);
    history.drain(..excess);
    BackupStamp { timestamp: now.to_owned(), history }
}

/// The stamp an unchanged file would carry: used to tell a real change from a new timestamp.
pub fn unchanged_stamp(previous: &PreviousMetadata) -> Option<BackupStamp> {
    Some(BackupStamp { timestamp: previous.timestamp.clone()?, history: previous.history.clone() })
}
