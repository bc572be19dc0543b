//! Helpers shared by the restore planner, the dependency inventory, the change summaries and the audit
//! report: the walk over a blueprint's modules (make-api.md §3.3) and Make requests built outside the
//! engine.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::Error;
use crate::protocol::{Method, Request, Service};

/// Where a module sits in a blueprint, innermost container first when displayed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Location {
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `routes[index].flow` of a router module.
    Route { module: Option<u64>, index: usize },
    /// `branches[index].flow` of an if-else module.
    Branch { module: Option<u64>, index: usize },
    /// `onerror` of a module.
    ErrorHandler { module: Option<u64> },
    /// `metadata.designer.orphans` (modules placed but not connected).
    Unconnected,
}

impl Location {
    fn push(&self, step: Step) -> Self {
        let mut steps = self.steps.clone();
        steps.push(step);
        Self { steps }
    }

    /// `main flow`, `route 2 of module 4`, `error handler of module 3`, `branch 1 of module 7`.
    pub(crate) fn describe(&self) -> String {
        let of = |module: &Option<u64>| module.map_or_else(|| "a module without id".to_owned(), |id| format!("module {id}"));
        match self.steps.last() {
            None => "main flow".to_owned(),
            Some(Step::Route { module, index }) => format!("route {} of {}", index + 1, of(module)),
            Some(Step::Branch { module, index }) => format!("branch {} of {}", index + 1, of(module)),
            Some(Step::ErrorHandler { module }) => format!("error handler of {}", of(module)),
            Some(Step::Unconnected) => "unconnected modules".to_owned(),
        }
    }
}

/// The numeric `id` of a module object.
pub(crate) fn module_id(module: &Map<String, Value>) -> Option<u64> {
    module.get("id").and_then(Value::as_u64)
}

/// The `module` type of a module object (`app:Module`), empty when absent.
pub(crate) fn module_type(module: &Map<String, Value>) -> &str {
    module.get("module").and_then(Value::as_str).unwrap_or_default()
}

/// Visits every module of a blueprint: `flow[]`, recursively `routes[].flow`, `branches[].flow` and
/// `onerror[]`, then the unconnected modules of `metadata.designer.orphans`. Non-object entries are
/// skipped. Depth is bounded by serde_json's recursion limit on the parsed value.
pub(crate) fn walk_blueprint<'a>(blueprint: &'a Value, visit: &mut dyn FnMut(&'a Map<String, Value>, &Location)) {
    let root = Location::default();
    if let Some(flow) = blueprint.get("flow") {
        walk_flow(flow, &root, visit);
    }
    if let Some(Value::Array(orphans)) = blueprint.get("metadata").and_then(|m| m.get("designer")).and_then(|d| d.get("orphans")) {
        let location = root.push(Step::Unconnected);
        for orphan in orphans {
            match orphan {
                Value::Array(_) => walk_flow(orphan, &location, visit),
                Value::Object(module) if module.contains_key("module") => walk_module(module, &location, visit),
                Value::Object(group) => {
                    if let Some(flow) = group.get("flow") {
                        walk_flow(flow, &location, visit);
                    }
                }
                _ => {}
            }
        }
    }
}

fn walk_flow<'a>(flow: &'a Value, location: &Location, visit: &mut dyn FnMut(&'a Map<String, Value>, &Location)) {
    if let Value::Array(modules) = flow {
        for module in modules {
            if let Value::Object(module) = module {
                walk_module(module, location, visit);
            }
        }
    }
}

fn walk_module<'a>(module: &'a Map<String, Value>, location: &Location, visit: &mut dyn FnMut(&'a Map<String, Value>, &Location)) {
    visit(module, location);
    let id = module_id(module);
    if let Some(Value::Array(routes)) = module.get("routes") {
        for (index, route) in routes.iter().enumerate() {
            if let Some(flow) = route.get("flow") {
                walk_flow(flow, &location.push(Step::Route { module: id, index }), visit);
            }
        }
    }
    if let Some(Value::Array(branches)) = module.get("branches") {
        for (index, branch) in branches.iter().enumerate() {
            if let Some(flow) = branch.get("flow") {
                walk_flow(flow, &location.push(Step::Branch { module: id, index }), visit);
            }
        }
    }
    match module.get("onerror") {
        Some(flow @ Value::Array(_)) => walk_flow(flow, &location.push(Step::ErrorHandler { module: id }), visit),
        Some(Value::Object(handler)) => {
            if let Some(flow) = handler.get("flow") {
                walk_flow(flow, &location.push(Step::ErrorHandler { module: id }), visit);
            }
        }
        _ => {}
    }
}

/// User-Agent of requests built outside the engine (hosts may replace the header).
pub(crate) const USER_AGENT: &str = "make-backup-planner";
/// Timeout of requests built outside the engine.
pub(crate) const TIMEOUT_MS: u64 = 30_000;

/// Checks a Make API root (`https://eu1.make.com/api/v2`) and returns it without a trailing slash.
pub(crate) fn base_url(field: &str, url: &str) -> Result<String, Error> {
    let url = url.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) => Ok(url.to_owned()),
        _ => Err(Error::config(
            field,
            format!("{url:?} is not a Make API root such as https://eu1.make.com/api/v2 (http(s), no query)"),
        )),
    }
}

/// A Make request with the engine's usual headers (never `authorization`).
pub(crate) fn make_request(id: u64, method: Method, url: String, body: Option<String>, purpose: String, scenario_id: Option<u64>) -> Request {
    let mut headers = BTreeMap::new();
    headers.insert("accept".to_owned(), "application/json".to_owned());
    headers.insert("user-agent".to_owned(), USER_AGENT.to_owned());
    if body.is_some() {
        headers.insert("content-type".to_owned(), "application/json".to_owned());
    }
    Request { id, service: Service::Make, method, url, headers, body, timeout_ms: TIMEOUT_MS, purpose, scenario_id }
}

/// Compact JSON text of a valid JSON text: whitespace outside strings removed, everything else (key
/// order, number digits, string escapes) byte for byte as in the input.
pub(crate) fn compact_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            out.push(c);
        }
    }
    out
}

/// Short one-line JSON text of a small value (for messages and change summaries).
pub(crate) fn compact_value(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Keeps a Markdown table cell or list item on one line and inert (no links, emphasis or HTML).
pub(crate) fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compaction_keeps_strings_and_numbers() {
        let text = "{\n  \"a\": \"x \\\" y\\\\\",\n  \"b\": [\n    1.10,\n    1e+5\n  ],\n  \"c\": \"tab\\t \"\n}\n";
        assert_eq!(compact_json(text), r#"{"a":"x \" y\\","b":[1.10,1e+5],"c":"tab\t "}"#);
    }

    #[test]
    fn walk_reaches_routes_branches_error_handlers_and_orphans() {
        let blueprint: Value = serde_json::from_str(
            r#"{"flow":[{"id":1,"module":"a:A"},{"id":2,"module":"builtin:BasicRouter","routes":[{"flow":[{"id":3,"module":"b:B","onerror":[{"id":4,"module":"builtin:Ignore"}]}]},{"flow":[{"id":5,"module":"builtin:BasicIfElse","branches":[{"type":"condition","flow":[{"id":6,"module":"c:C"}]},{"type":"else","flow":[{"id":7,"module":"d:D"}]}]}]}]}],
                "metadata":{"designer":{"orphans":[[{"id":8,"module":"e:E"}]]}}}"#,
        )
        .unwrap_or(Value::Null);
        let mut seen = Vec::new();
        walk_blueprint(&blueprint, &mut |module, location| seen.push((module_id(module).unwrap_or(0), location.describe())));
        let expected: Vec<(u64, String)> = vec![
            (1, "main flow".into()),
            (2, "main flow".into()),
            (3, "route 1 of module 2".into()),
            (4, "error handler of module 3".into()),
            (5, "route 2 of module 2".into()),
            (6, "branch 1 of module 5".into()),
            (7, "branch 2 of module 5".into()),
            (8, "unconnected modules".into()),
        ];
        assert_eq!(seen, expected);
    }
}
