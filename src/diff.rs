//! Change summaries: a module-level diff of a scenario's old and new blueprint (the old one may be
//! absent: a new scenario), its name, scheduling and a few metadata fields, for the commit message body
//! ([`ScenarioDiff::render_text`]) and the run summary (the serde form).
//!
//! Modules are matched by `id` across the whole blueprint (main flow, router routes, if-else branches,
//! error handlers, unconnected modules). A module is *changed* when anything but its nested modules
//! differs; `keys` says what: a top-level key (`filter`, `version`, `module`, `onerror`), a key one level
//! into `parameters`, `mapper` or `metadata` (`mapper.url`, `metadata.designer`), `routes` / `branches`
//! when a router's routes or an if-else's conditions or module order changed, `location` when the module
//! moved to another route, branch or handler. A change of `metadata.designer` alone (the module was
//! dragged in the editor) is `layoutOnly`. Blueprint-level settings (`metadata.scenario.maxErrors`,
//! `metadata.instant`, …) are listed under `settings`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::files::{PreviousMetadata, parse_metadata};
use crate::make::{Location, compact_value, module_id, module_type, walk_blueprint};

/// Lines of a commit message body: [`ScenarioDiff::render_text`] with this bound.
pub const COMMIT_BODY_LINES: usize = 40;

/// Entries kept per list (`added`, `removed`, `changed`) in the serde form; counts stay exact.
pub const MAX_LISTED: usize = 100;

/// Longest line of the text rendering (longer lines end with `…`).
const MAX_LINE_CHARS: usize = 160;

/// Metadata fields compared besides the name and scheduling.
const METADATA_FIELDS: [&str; 6] = ["folderId", "isActive", "isPaused", "description", "inputSpec", "outputSpec"];

/// Input of [`diff_scenario`] (for hosts: texts as read from the repository and the new render).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiffInput {
    /// Scenario id.
    pub scenario_id: u64,
    /// The previous `blueprint.json` text (None for a new scenario).
    #[serde(default)]
    pub old_blueprint: Option<String>,
    /// The new `blueprint.json` text.
    pub new_blueprint: String,
    /// The previous `metadata.json` text.
    #[serde(default)]
    pub old_metadata: Option<String>,
    /// The new `metadata.json` text.
    #[serde(default)]
    pub new_metadata: Option<String>,
}

/// A value before and after (compact JSON for non-strings; None where absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ValueChange {
    /// Before.
    pub from: Option<String>,
    /// After.
    pub to: Option<String>,
}

/// A metadata field that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// Field of metadata.json (`isActive`, `folderId`, …).
    pub field: String,
    /// Before and after.
    pub change: ValueChange,
}

/// A module added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ModuleSummary {
    /// Module id.
    pub id: u64,
    /// Module type (`http:ActionSendData`).
    pub module: String,
    /// Where it is (`main flow`, `route 2 of module 4`, `error handler of module 3`).
    pub location: String,
}

/// A module present before and after whose content changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ModuleChange {
    /// Module id.
    pub id: u64,
    /// Module type now.
    pub module: String,
    /// Module type before, when it changed.
    pub previous_module: Option<String>,
    /// Where it is now.
    pub location: String,
    /// Where it was, when it moved.
    pub previous_location: Option<String>,
    /// What changed (see the module docs), sorted.
    pub keys: Vec<String>,
    /// Only its position in the editor changed.
    pub layout_only: bool,
}

/// Exact numbers of the diff (the lists may be cut at [`MAX_LISTED`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct DiffCounts {
    /// Modules added.
    pub added: u64,
    /// Modules removed.
    pub removed: u64,
    /// Modules changed (layout-only included).
    pub changed: u64,
    /// Of those, changed only in layout.
    pub layout_only: u64,
    /// Modules in the new blueprint.
    pub modules: u64,
    /// Modules in the old blueprint.
    pub previous_modules: u64,
}

/// The change summary of one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ScenarioDiff {
    /// Scenario id.
    pub scenario_id: u64,
    /// No old blueprint: the scenario is new to the backup.
    pub new_scenario: bool,
    /// Name now.
    pub name: String,
    /// Name change (metadata.json's `name`, else the blueprint's).
    pub name_change: Option<ValueChange>,
    /// Scheduling change (compact JSON), from the metadata texts.
    pub scheduling: Option<ValueChange>,
    /// Other metadata fields that changed (`folderId`, `isActive`, `isPaused`, `description`,
    /// `inputSpec`, `outputSpec`).
    pub fields: Vec<FieldChange>,
    /// Blueprint-level settings that changed (`metadata.scenario.maxErrors`, `metadata.instant`, …).
    pub settings: Vec<String>,
    /// Modules added, by id.
    pub added: Vec<ModuleSummary>,
    /// Modules removed, by id.
    pub removed: Vec<ModuleSummary>,
    /// Modules changed, by id.
    pub changed: Vec<ModuleChange>,
    /// Exact counts.
    pub counts: DiffCounts,
}

/// A module with its nested modules replaced by their ids.
struct Flat<'a> {
    module: &'a Map<String, Value>,
    location: String,
}

fn modules_by_id(blueprint: &Value) -> BTreeMap<u64, Flat<'_>> {
    let mut out = BTreeMap::new();
    walk_blueprint(blueprint, &mut |module: &Map<String, Value>, location: &Location| {
        if let Some(id) = module_id(module) {
            out.entry(id).or_insert(Flat { module, location: location.describe() });
        }
    });
    out
}

/// The ids of the modules of a flow value (the skeleton of nested flows).
fn flow_ids(flow: Option<&Value>) -> Value {
    match flow {
        Some(Value::Array(modules)) => Value::Array(
            modules.iter().map(|m| m.as_object().and_then(module_id).map(Value::from).unwrap_or(Value::Null)).collect(),
        ),
        Some(Value::Object(handler)) => flow_ids(handler.get("flow")),
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

/// `routes` / `branches` with each `flow` replaced by its module ids.
fn skeleton(items: Option<&Value>) -> Value {
    match items {
        Some(Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|item| match item {
                    Value::Object(map) => {
                        let mut copy = map.clone();
                        if copy.contains_key("flow") {
                            copy.insert("flow".to_owned(), flow_ids(map.get("flow")));
                        }
                        Value::Object(copy)
                    }
                    other => other.clone(),
                })
                .collect(),
        ),
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

/// Keys one level into an object value that differ (`prefix.key`), or `prefix` when not both objects.
fn sub_keys(prefix: &str, old: Option<&Value>, new: Option<&Value>, out: &mut BTreeSet<String>) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                if a.get(key) != b.get(key) {
                    out.insert(format!("{prefix}.{key}"));
                }
            }
        }
        (a, b) if a != b => {
            out.insert(prefix.to_owned());
        }
        _ => {}
    }
}

fn changed_keys(old: &Map<String, Value>, new: &Map<String, Value>) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let all: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in all {
        match key.as_str() {
            "id" => {}
            "parameters" | "mapper" | "metadata" => sub_keys(key, old.get(key), new.get(key), &mut keys),
            "routes" | "branches" => {
                if skeleton(old.get(key)) != skeleton(new.get(key)) {
                    keys.insert(key.clone());
                }
            }
            "onerror" => {
                if flow_ids(old.get(key)) != flow_ids(new.get(key)) {
                    keys.insert(key.clone());
                }
            }
            _ => {
                if old.get(key) != new.get(key) {
                    keys.insert(key.clone());
                }
            }
        }
    }
    keys
}

/// Blueprint-level differences outside `flow` and `name`: `metadata.scenario.*` and other
/// `metadata.*` keys, other top-level keys as they are.
fn settings_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut out = BTreeSet::new();
    let empty = Map::new();
    let old_map = old.as_object().unwrap_or(&empty);
    let new_map = new.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
    for key in keys {
        match key.as_str() {
            "flow" | "name" => {}
            "metadata" => {
                let (a, b) = (old_map.get(key), new_map.get(key));
                match (a, b) {
                    (Some(Value::Object(a)), Some(Value::Object(b))) => {
                        let inner: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                        for k in inner {
                            if k == "scenario" {
                                sub_keys("metadata.scenario", a.get(k), b.get(k), &mut out);
                            } else if k == "designer" {
                                // Orphans are modules (diffed as such); the rest is editor state.
                                let strip = |v: Option<&Value>| v.and_then(Value::as_object).map(|m| {
                                    let mut m = m.clone();
                                    m.remove("orphans");
                                    m
                                });
                                if strip(a.get(k)) != strip(b.get(k)) {
                                    out.insert("metadata.designer".to_owned());
                                }
                            } else if a.get(k) != b.get(k) {
                                out.insert(format!("metadata.{k}"));
                            }
                        }
                    }
                    (a, b) if a != b => {
                        out.insert("metadata".to_owned());
                    }
                    _ => {}
                }
            }
            _ => {
                if old_map.get(key) != new_map.get(key) {
                    out.insert(key.clone());
                }
            }
        }
    }
    out.into_iter().collect()
}

fn parse_blueprint(scenario_id: u64, which: &str, text: &str) -> Result<Value, Error> {
    let file = format!("scenarios/{scenario_id}/blueprint.json ({which})");
    let value: Value = serde_json::from_str(text).map_err(|e| Error::input(&file, format!("not JSON ({e}); the change summary needs both versions as JSON")))?;
    if !value.is_object() {
        return Err(Error::input(&file, "not a JSON object; pass the text of blueprint.json"));
    }
    Ok(value)
}

fn parse_meta(scenario_id: u64, which: &str, text: Option<&str>) -> Result<Option<PreviousMetadata>, Error> {
    text.map(|t| {
        parse_metadata(t).map_err(|e| Error::input(&format!("scenarios/{scenario_id}/metadata.json ({which})"), format!("{e}; pass metadata.json texts or none")))
    })
    .transpose()
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(compact_value(other)),
    }
}

fn field<'a>(metadata: Option<&'a PreviousMetadata>, key: &str) -> Option<&'a Value> {
    metadata.and_then(|m| m.reply_parts.get(key).or_else(|| m.listed_fields.get(key)))
}

/// Diffs one scenario (see the module docs). Errors name the file and version that is not usable.
pub fn diff_scenario(input: &DiffInput) -> Result<ScenarioDiff, Error> {
    diff_texts(input.scenario_id, input.old_blueprint.as_deref(), &input.new_blueprint, input.old_metadata.as_deref(), input.new_metadata.as_deref())
}

/// [`diff_scenario`] over borrowed texts (no copies of large blueprints).
pub fn diff_texts(
    scenario_id: u64,
    old_blueprint: Option<&str>,
    new_blueprint: &str,
    old_metadata: Option<&str>,
    new_metadata: Option<&str>,
) -> Result<ScenarioDiff, Error> {
    let new = parse_blueprint(scenario_id, "new", new_blueprint)?;
    let old = old_blueprint.map(|t| parse_blueprint(scenario_id, "old", t)).transpose()?;
    let new_meta = parse_meta(scenario_id, "new", new_metadata)?;
    let old_meta = parse_meta(scenario_id, "old", old_metadata)?;

    let new_modules = modules_by_id(&new);
    let old_modules = old.as_ref().map(modules_by_id).unwrap_or_default();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    for (id, flat) in &new_modules {
        match old_modules.get(id) {
            None => added.push(ModuleSummary { id: *id, module: module_type(flat.module).to_owned(), location: flat.location.clone() }),
            Some(before) => {
                let mut keys = changed_keys(before.module, flat.module);
                let moved = before.location != flat.location;
                if moved {
                    keys.insert("location".to_owned());
                }
                if !keys.is_empty() {
                    let previous_module = (module_type(before.module) != module_type(flat.module)).then(|| module_type(before.module).to_owned());
                    let layout_only = keys.iter().all(|k| k == "metadata.designer");
                    changed.push(ModuleChange {
                        id: *id,
                        module: module_type(flat.module).to_owned(),
                        previous_module,
                        location: flat.location.clone(),
                        previous_location: moved.then(|| before.location.clone()),
                        keys: keys.into_iter().collect(),
                        layout_only,
                    });
                }
            }
        }
    }
    for (id, flat) in &old_modules {
        if !new_modules.contains_key(id) {
            removed.push(ModuleSummary { id: *id, module: module_type(flat.module).to_owned(), location: flat.location.clone() });
        }
    }
    let counts = DiffCounts {
        added: added.len() as u64,
        removed: removed.len() as u64,
        changed: changed.len() as u64,
        layout_only: changed.iter().filter(|c| c.layout_only).count() as u64,
        modules: new_modules.len() as u64,
        previous_modules: old_modules.len() as u64,
    };
    added.truncate(MAX_LISTED);
    removed.truncate(MAX_LISTED);
    changed.truncate(MAX_LISTED);

    let name_of = |meta: Option<&PreviousMetadata>, blueprint: Option<&Value>| {
        field(meta, "name").and_then(Value::as_str).or_else(|| blueprint.and_then(|b| b.get("name")).and_then(Value::as_str)).map(str::to_owned)
    };
    let name = name_of(new_meta.as_ref(), Some(&new)).unwrap_or_default();
    let old_name = old.as_ref().and_then(|o| name_of(old_meta.as_ref(), Some(o)));
    let name_change = match &old_name {
        Some(before) if *before != name => Some(ValueChange { from: Some(before.clone()), to: Some(name.clone()) }),
        _ => None,
    };
    let (mut scheduling, mut fields) = (None, Vec::new());
    if let (Some(before), Some(after)) = (&old_meta, &new_meta) {
        let (a, b) = (text_of(field(Some(before), "scheduling")), text_of(field(Some(after), "scheduling")));
        if a != b {
            scheduling = Some(ValueChange { from: a, to: b });
        }
        for key in METADATA_FIELDS {
            let (a, b) = (field(Some(before), key), field(Some(after), key));
            let empty_spec = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v.as_array().is_some_and(Vec::is_empty));
            if a != b && !(key.ends_with("Spec") && empty_spec(a) && empty_spec(b)) {
                fields.push(FieldChange { field: key.to_owned(), change: ValueChange { from: text_of(a), to: text_of(b) } });
            }
        }
    }
    let settings = old.as_ref().map(|o| settings_changes(o, &new)).unwrap_or_default();
    Ok(ScenarioDiff { scenario_id, new_scenario: old.is_none(), name, name_change, scheduling, fields, settings, added, removed, changed, counts })
}

impl ScenarioDiff {
    /// Nothing changed (no module, name, scheduling, field or setting difference).
    pub fn is_empty(&self) -> bool {
        !self.new_scenario
            && self.name_change.is_none()
            && self.scheduling.is_none()
            && self.fields.is_empty()
            && self.settings.is_empty()
            && self.counts.added + self.counts.removed + self.counts.changed == 0
    }

    /// A plain-text summary (a new scenario: its module types) of at most `max_lines` lines (the last one `… and N more` when cut), empty
    /// when nothing changed. Use [`COMMIT_BODY_LINES`] for a commit message body.
    pub fn render_text(&self, max_lines: usize) -> String {
        let mut lines = Vec::new();
        let c = &self.counts;
        if self.new_scenario {
            let mut types: BTreeMap<&str, usize> = BTreeMap::new();
            for module in &self.added {
                *types.entry(module.module.as_str()).or_default() += 1;
            }
            lines.push(format!("New scenario with {} modules:", c.modules));
            for (module_type, n) in types {
                lines.push(if n > 1 { format!("+ {module_type} ×{n}") } else { format!("+ {module_type}") });
            }
        } else if c.added + c.removed + c.changed > 0 {
            let layout = if c.layout_only > 0 { format!(" ({} layout only)", c.layout_only) } else { String::new() };
            lines.push(format!("Modules: +{} added, -{} removed, ~{} changed{layout}; {} → {} modules", c.added, c.removed, c.changed, c.previous_modules, c.modules));
        }
        if let Some(change) = &self.name_change {
            lines.push(format!("Name: {} → {}", quoted(&change.from), quoted(&change.to)));
        }
        if let Some(change) = &self.scheduling {
            lines.push(format!("Scheduling: {} → {}", describe_scheduling(change.from.as_deref()), describe_scheduling(change.to.as_deref())));
        }
        for field in &self.fields {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
            let line = if field.field.ends_with("Spec") {
                format!("{}: changed", field.field)
            } else {
                format!("{}: {} → {}", field.field, show(&field.change.from), show(&field.change.to))
            };
            lines.push(line);
        }
        if !self.settings.is_empty() {
            lines.push(format!("Settings: {}", self.settings.join(", ")));
        }
        if !self.new_scenario {
            for module in &self.added {
                lines.push(format!("+ {} {} ({})", module.id, module.module, module.location));
            }
            for module in &self.removed {
                lines.push(format!("- {} {} ({})", module.id, module.module, module.location));
            }
            let (content, layout): (Vec<&ModuleChange>, Vec<&ModuleChange>) = self.changed.iter().partition(|m| !m.layout_only);
            for module in content {
                let mut what: Vec<String> = module.keys.iter().filter(|k| k.as_str() != "location").cloned().collect();
                if let Some(previous) = &module.previous_module {
                    what.retain(|k| k != "module");
                    what.insert(0, format!("type was {previous}"));
                }
                if let Some(previous) = &module.previous_location {
                    what.push(format!("moved from {previous} to {}", module.location));
                }
                lines.push(format!("~ {} {}: {}", module.id, module.module, what.join(", ")));
            }
            if !layout.is_empty() {
                let ids: Vec<String> = layout.iter().map(|m| m.id.to_string()).collect();
                lines.push(format!("~ layout only: modules {}", ids.join(", ")));
            }
        }
        let listed = (self.added.len() + self.removed.len() + self.changed.len()) as u64;
        let total = c.added + c.removed + c.changed;
        if total > listed {
            lines.push(format!("… {} more module changes not listed", total - listed));
        }
        let max_lines = max_lines.max(1);
        if lines.len() > max_lines {
            let more = lines.len() - (max_lines - 1);
            lines.truncate(max_lines - 1);
            lines.push(format!("… and {more} more"));
        }
        let mut out = String::new();
        for line in lines {
            if line.chars().count() > MAX_LINE_CHARS {
                out.extend(line.chars().take(MAX_LINE_CHARS - 1));
                out.push('…');
            } else {
                out.push_str(&line);
            }
            out.push('\n');
        }
        out
    }
}

fn quoted(value: &Option<String>) -> String {
    value.as_ref().map_or_else(|| "none".to_owned(), |v| format!("\"{}\"", v.replace(['\n', '\r'], " ")))
}

/// A scheduling (compact JSON text) in words: `every 15 min`, `immediately`, `daily at 02:00`.
pub fn describe_scheduling(text: Option<&str>) -> String {
    let Some(text) = text else { return "none".to_owned() };
    let Ok(value) = serde_json::from_str::<Value>(text) else { return text.to_owned() };
    let kind = value.get("type").and_then(Value::as_str).unwrap_or_default();
    let interval = value.get("interval").and_then(Value::as_u64);
    let time = value.get("time").and_then(Value::as_str);
    let at = time.map(|t| format!(" at {t}")).unwrap_or_default();
    let every = |seconds: u64| match seconds {
        s if s % 86_400 == 0 => format!("every {} d", s / 86_400),
        s if s % 3_600 == 0 => format!("every {} h", s / 3_600),
        s if s % 60 == 0 => format!("every {} min", s / 60),
        s => format!("every {s} s"),
    };
    match kind {
        "indefinitely" => interval.map_or_else(|| "at regular intervals".to_owned(), every),
        "immediately" => "immediately (instant trigger)".to_owned(),
        "on-demand" => "on demand".to_owned(),
        "once" => format!("once{}", value.get("date").and_then(Value::as_str).map(|d| format!(" on {d}")).unwrap_or_default()),
        "daily" | "weekly" | "monthly" | "yearly" => {
            let days = value.get("days").map(|d| format!(" on days {}", compact_value(d))).unwrap_or_default();
            format!("{kind}{days}{at}")
        }
        _ => text.to_owned(),
    }
}
