//! Inventory: the scenario list of a team or organization, page by page (PRD FR-1).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::canonical_value;
use crate::config::MakeScope;
use crate::error::Error;
use crate::githash::sha1_hex;

/// List fields that change without anyone editing the scenario (usage counters, schedule clock).
/// They never go into `metadata.json`, or every run would rewrite every file.
pub const VOLATILE_FIELDS: [&str; 5] = ["nextExec", "dlqCount", "iswaiting", "operations", "transfer"];

/// One scenario as `GET /scenarios` lists it, minus the volatile fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioListing {
    /// Make scenario id.
    pub id: u64,
    /// Display name (not unique).
    pub name: String,
    /// `lastEdit` as Make sent it (compared as text, never as a clock).
    pub last_edit: Option<String>,
    /// Every other stable field, as sent (includes `id`, `name` and `lastEdit` too).
    pub fields: BTreeMap<String, Value>,
    /// Fingerprint of `fields`, computed once when listed (selection compares it for every scenario).
    #[serde(default)]
    pub fingerprint: String,
}

impl ScenarioListing {
    /// Builds a listing from one element of the `scenarios` array.
    pub fn from_value(value: &Value) -> Result<Self, String> {
        let object = value.as_object().ok_or("a scenario entry is not an object")?;
        let id = object.get("id").and_then(Value::as_u64).ok_or("a scenario entry has no numeric id")?;
        let name = object.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let last_edit = object.get("lastEdit").and_then(Value::as_str).map(str::to_owned);
        let fields = object
            .iter()
            .filter(|(key, _)| !VOLATILE_FIELDS.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let fingerprint = fingerprint_of(&fields);
        Ok(Self { id, name, last_edit, fields, fingerprint })
    }

    /// A listed field.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }
}

/// Fingerprint of a set of stable listed fields.
pub fn fingerprint_of(fields: &BTreeMap<String, Value>) -> String {
    let object = Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    sha1_hex(canonical_value(&object).as_bytes())
}

/// One parsed page of `GET /scenarios`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioPage {
    /// Valid entries, in the order listed.
    pub listings: Vec<ScenarioListing>,
    /// Number of entries in the `scenarios` array (valid or not): a page shorter than `pg[limit]` is the last.
    pub entry_count: usize,
    /// Entries that could not be used, with the reason.
    pub rejected: Vec<String>,
}

/// Parses a `GET /scenarios` body: `{"scenarios":[…],"pg":{…}}`.
pub fn parse_scenario_page(body: &str) -> Result<ScenarioPage, Error> {
    let value: Value = serde_json::from_str(body).map_err(|e| Error::input("scenario list page", format!("not JSON ({e})")))?;
    let entries = match value.get("scenarios") {
        Some(Value::Array(entries)) => entries,
        _ => {
            let detail = error_text(&value).unwrap_or_else(|| "no \"scenarios\" array".to_owned());
            return Err(Error::input("scenario list page", detail));
        }
    };
    let mut listings = Vec::with_capacity(entries.len());
    let mut rejected = Vec::new();
    for entry in entries {
        match ScenarioListing::from_value(entry) {
            Ok(listing) => listings.push(listing),
            Err(reason) => rejected.push(reason),
        }
    }
    Ok(ScenarioPage { listings, entry_count: entries.len(), rejected })
}

/// Make's error body text (`detail` else `message`, with `code`), if the value looks like one.
pub(crate) fn error_text(value: &Value) -> Option<String> {
    let detail = value.get("detail").or_else(|| value.get("message")).and_then(Value::as_str);
    let code = value.get("code").and_then(Value::as_str);
    match (detail, code) {
        (Some(d), Some(c)) => Some(format!("{d} ({c})")),
        (Some(d), None) => Some(d.to_owned()),
        (None, Some(c)) => Some(format!("error code {c}")),
        (None, None) => None,
    }
}

/// Path and query of the list request for one page, brackets percent-encoded as Make requires.
pub(crate) fn list_path(scope: MakeScope, offset: u64, limit: u32) -> String {
    let scope = match scope {
        MakeScope::Team(id) => format!("teamId={id}"),
        MakeScope::Organization(id) => format!("organizationId={id}"),
    };
    format!("/scenarios?{scope}&pg%5Boffset%5D={offset}&pg%5Blimit%5D={limit}&pg%5BsortBy%5D=id&pg%5BsortDir%5D=asc")
}

/// Accumulates pages: de-duplicates ids, knows when the last page was seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// Listings by id.
    pub scenarios: BTreeMap<u64, ScenarioListing>,
    /// Offset of the next page to ask for.
    pub next_offset: u64,
    /// A short page was seen: nothing more to list.
    pub finished: bool,
    /// A page failed: the list may be missing scenarios, so nothing may be called deleted.
    pub incomplete: bool,
    /// Pages received.
    pub pages: u32,
    /// Ids seen twice (Make paging shifted under us); reported as a warning.
    pub duplicates: Vec<u64>,
    /// A short page arrived; the next page is one look past it, to learn whether the list really ended.
    #[serde(default)]
    pub confirming: bool,
    /// The look past a short page still listed scenarios: Make ended a page early ("may be incomplete"
    /// is then true, so nothing is called deleted). Holds the offset of the short page's end.
    #[serde(default)]
    pub cut_short_at: Option<u64>,
}

impl Inventory {
    /// Adds a page; returns true when listing is over.
    ///
    /// Make's list has no total, so a page shorter than `limit` ends it. A short page that is not empty
    /// is followed by one look at the next offset: an empty answer confirms the end; scenarios there mean
    /// Make cut a page short, so the inventory is marked incomplete (their listings are not added: the
    /// pages no longer line up, and the next run lists again) and listing stops.
    pub fn add_page(&mut self, page: ScenarioPage, limit: u32) -> bool {
        self.pages += 1;
        if self.confirming {
            self.confirming = false;
            self.finished = true;
            if page.entry_count > 0 {
                self.incomplete = true;
                self.cut_short_at = Some(self.next_offset);
            }
            return true;
        }
        self.next_offset += page.entry_count as u64;
        for listing in page.listings {
            if let Some(previous) = self.scenarios.insert(listing.id, listing) {
                self.duplicates.push(previous.id);
            }
        }
        if page.entry_count == 0 {
            self.finished = true;
        } else if page.entry_count < limit as usize {
            self.confirming = true;
        }
        self.finished
    }
}
