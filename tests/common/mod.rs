//! Test harness: in-memory Make and GitHub fakes with a virtual clock, and a loop that drives the
//! engine the way a host does. Deterministic: no sockets, no sleeps, no real time.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use make_backup_planner::{Action, Config, Engine, Failure, FailureKind, Reply, Request, Service, Summary, git_blob_sha};
use serde_json::{Value, json};

pub const T0: i64 = 1_795_399_200_000; // 2026-11-23T02:00:00Z

pub fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil-from-days (Howard Hinnant), enough for test timestamps.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A scripted answer that replaces the real one for matching requests.
#[derive(Clone)]
pub struct Fault {
    pub service: Service,
    pub method: Option<&'static str>,
    pub url_contains: String,
    pub times: u32,
    pub status: Option<u16>,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub timeout: bool,
    /// Before answering normally, another writer commits to the branch.
    pub move_branch: bool,
}

impl Fault {
    pub fn new(service: Service, url_contains: &str, status: u16, body: &str) -> Self {
        Self {
            service,
            method: None,
            url_contains: url_contains.to_owned(),
            times: 1,
            status: Some(status),
            headers: BTreeMap::new(),
            body: body.to_owned(),
            timeout: false,
            move_branch: false,
        }
    }
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }
    pub fn method(mut self, m: &'static str) -> Self {
        self.method = Some(m);
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.insert(k.to_owned(), v.to_owned());
        self
    }
    pub fn timeout(service: Service, url_contains: &str) -> Self {
        let mut f = Self::new(service, url_contains, 0, "");
        f.status = None;
        f.timeout = true;
        f
    }
    pub fn move_branch(url_contains: &str) -> Self {
        let mut f = Self::new(Service::Github, url_contains, 0, "");
        f.status = None;
        f.move_branch = true;
        f
    }
}

// ---------------------------------------------------------------- Make

pub struct Scenario {
    pub listing: Value,
    pub blueprint: Value,
}

pub struct FakeMake {
    pub base: String,
    pub scenarios: BTreeMap<u64, Scenario>,
    /// Replace the served reply text for a scenario (exact bytes).
    pub raw_blueprint: HashMap<u64, String>,
    pub edit_counter: u64,
    /// Older versions per scenario: (version, created, blueprint), oldest first (`GET /scenarios/{id}/blueprints`).
    pub versions: BTreeMap<u64, Vec<(u64, String, Value)>>,
    /// Objects the list endpoints return: (path such as `/connections`, reply key, items).
    pub lists: BTreeMap<String, (String, Vec<Value>)>,
    /// List paths answered with 403 (the token lacks the scope).
    pub denied_lists: Vec<String>,
}

pub fn blueprint_for(id: u64, name: &str, modules: usize) -> Value {
    let flow: Vec<Value> = (1..=modules)
        .map(|i| {
            json!({
                "id": i, "module": if i == 1 { "gateway:CustomWebHook" } else { "http:ActionSendData" }, "version": 3,
                "parameters": if i == 1 { json!({"hook": 1000 + id, "maxResults": 1}) } else { json!({"__IMTCONN__": 77}) },
                "mapper": if i == 1 { Value::Null } else { json!({"url": format!("https://example.com/{id}/{i}"), "method": "post", "body": "{{1.email}}"}) },
                "metadata": {"designer": {"x": i * 300, "y": 0}}
            })
        })
        .collect();
    json!({
        "name": name,
        "flow": flow,
        "metadata": {"version": 1, "instant": true, "scenario": {"roundtrips": 1, "maxErrors": 3, "autoCommit": true, "autoCommitTriggerLast": true, "sequential": false, "confidential": false, "dataloss": false, "dlq": false, "freshVariables": false}, "designer": {"orphans": []}}
    })
}

impl FakeMake {
    pub fn with_scenarios(n: u64) -> Self {
        let mut make = Self {
            base: "https://eu1.make.com/api/v2".to_owned(),
            scenarios: BTreeMap::new(),
            raw_blueprint: HashMap::new(),
            edit_counter: 0,
            versions: BTreeMap::new(),
            lists: BTreeMap::new(),
            denied_lists: Vec::new(),
        };
        for i in 0..n {
            let id = 1001 + i * 7;
            let name = match i % 4 {
                0 => format!("Order sync #{i}"),
                1 => format!("Rechnungen prüfen {i} 📄"),
                2 => format!("日本語のシナリオ {i}"),
                _ => format!("Lead routing | {i}"),
            };
            make.add(id, &name, (i % 3 + 1) as usize);
        }
        make
    }

    pub fn add(&mut self, id: u64, name: &str, modules: usize) {
        let listing = json!({
            "id": id, "name": name, "teamId": 51, "folderId": 9, "description": "", "hookId": 1000 + id,
            "deviceId": null, "deviceScope": null, "concept": false, "isinvalid": false, "islinked": true,
            "isActive": true, "islocked": false, "isPaused": false, "usedPackages": ["gateway", "http"],
            "lastEdit": "2026-10-01T10:00:00.000Z", "created": "2026-09-01T08:00:00.000Z",
            "scheduling": {"type": "indefinitely", "interval": 900},
            "iswaiting": false, "dlqCount": 0, "nextExec": "2026-11-23T02:15:00.000Z", "operations": 10, "transfer": 2048,
            "createdByUser": {"id": 11, "name": "Jane Doe", "email": "jane@example.com"},
            "updatedByUser": {"id": 11, "name": "Jane Doe", "email": "jane@example.com"},
            "scenarioVersion": 3, "moduleSequenceId": 17, "customProperties": {}
        });
        self.scenarios.insert(id, Scenario { listing, blueprint: blueprint_for(id, name, modules) });
    }

    /// An edit in Make: new blueprint content and a new lastEdit.
    pub fn edit(&mut self, id: u64) {
        self.edit_counter += 1;
        let counter = self.edit_counter;
        let s = self.scenarios.get_mut(&id).expect("scenario");
        s.listing["lastEdit"] = json!(format!("2026-11-2{}T09:00:00.000Z", counter % 10));
        s.blueprint["flow"].as_array_mut().unwrap().push(json!({"id": 90 + counter, "module": "util:SetVariable2", "version": 1, "parameters": {}, "mapper": {"name": "x", "value": counter}}));
    }

    pub fn reply_text(&self, id: u64) -> Option<String> {
        if let Some(raw) = self.raw_blueprint.get(&id) {
            return Some(raw.clone());
        }
        let s = self.scenarios.get(&id)?;
        Some(json!({"code": "OK", "response": {
            "blueprint": s.blueprint, "scheduling": s.listing["scheduling"], "idSequence": 40,
            "created": s.listing["created"], "last_edit": s.listing["lastEdit"],
            "metadata": {"input_spec": [{"name": "email", "type": "text"}], "output_spec": []}
        }}).to_string())
    }

    fn answer(&mut self, request: &Request, tick: u64) -> (u16, String) {
        let path = request.url.strip_prefix(&self.base).unwrap_or(&request.url).to_owned();
        if let Some(query) = path.strip_prefix("/scenarios?") {
            let params: HashMap<String, String> = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.replace("%5B", "[").replace("%5D", "]"), v.to_owned()))
                .collect();
            let offset: usize = params.get("pg[offset]").and_then(|v| v.parse().ok()).unwrap_or(0);
            let limit: usize = params.get("pg[limit]").and_then(|v| v.parse().ok()).unwrap_or(500);
            let page: Vec<Value> = self
                .scenarios
                .values()
                .skip(offset)
                .take(limit)
                .map(|s| {
                    let mut l = s.listing.clone();
                    l["operations"] = json!(tick); // volatile: changes on every call
                    l
                })
                .collect();
            return (200, json!({"scenarios": page, "pg": {"sortBy": "id", "sortDir": "asc", "offset": offset, "limit": limit}}).to_string());
        }
        if let Some(query) = path.strip_prefix("/scenarios-folders?teamId=") {
            let team: u64 = query.parse().unwrap_or(0);
            let folders = if team == 51 { json!([{"id": 9, "name": "Finance", "scenariosTotal": self.scenarios.len()}]) } else { json!([]) };
            return (200, json!({"scenariosFolders": folders}).to_string());
        }
        if let Some((list, query)) = path.split_once('?') {
            if self.denied_lists.iter().any(|d| d == list) {
                return (403, r#"{"detail":"Access denied.","message":"Permission denied","code":"SC403"}"#.to_owned());
            }
            if let Some((key, items)) = self.lists.get(list) {
                let team = query.split('&').find_map(|kv| kv.strip_prefix("teamId=")).and_then(|t| t.parse::<u64>().ok());
                let items: Vec<&Value> = items.iter().filter(|i| i["teamId"].as_u64() == team).collect();
                return (200, json!({ key.as_str(): items }).to_string());
            }
        }
        if let Some(rest) = path.strip_prefix("/scenarios/") {
            let id: u64 = rest.split('/').next().and_then(|s| s.parse().ok()).unwrap_or(0);
            if rest.ends_with("/blueprints") {
                let mut listed: Vec<Value> = self
                    .versions
                    .get(&id)
                    .into_iter()
                    .flatten()
                    .map(|(version, created, _)| json!({"created": created, "version": version, "scenarioId": id, "draft": false}))
                    .collect();
                if let Some(s) = self.scenarios.get(&id) {
                    listed.push(json!({"created": s.listing["lastEdit"], "version": s.listing["scenarioVersion"], "scenarioId": id, "draft": false}));
                }
                listed.reverse();
                return (200, json!({"scenariosBlueprints": listed}).to_string());
            }
            if let Some(version) = rest.split("blueprintId=").nth(1).and_then(|v| v.parse::<u64>().ok()) {
                let found = self.versions.get(&id).and_then(|vs| vs.iter().find(|(v, _, _)| *v == version)).cloned();
                return match (found, self.scenarios.get(&id)) {
                    (Some((_, created, blueprint)), Some(s)) => (200, json!({"code": "OK", "response": {
                        "blueprint": blueprint, "scheduling": s.listing["scheduling"], "idSequence": 30,
                        "created": s.listing["created"], "last_edit": created,
                        "metadata": {"input_spec": [], "output_spec": []}
                    }}).to_string()),
                    (None, Some(_)) if s_is_current(&self.scenarios[&id].listing, version) => (200, self.reply_text(id).unwrap_or_default()),
                    _ => (404, r#"{"detail":"Blueprint not found.","message":"Not Found","code":"SC404"}"#.to_owned()),
                };
            }
            if rest.contains("/blueprint") {
                return match self.reply_text(id) {
                    Some(text) => (200, text),
                    None => (404, r#"{"detail":"Scenario not found.","message":"Not Found","code":"SC404"}"#.to_owned()),
                };
            }
        }
        (404, r#"{"message":"Not Found","code":"SC404"}"#.to_owned())
    }
}

fn s_is_current(listing: &Value, version: u64) -> bool {
    listing["scenarioVersion"].as_u64() == Some(version)
}

// ---------------------------------------------------------------- GitHub

#[derive(Clone, Debug)]
pub struct CommitObj {
    pub tree: String,
    pub parents: Vec<String>,
    pub message: String,
    pub author: Value,
    pub committer: Value,
}

pub struct FakeGithub {
    pub base: String,
    pub branch: String,
    pub blobs: HashMap<String, Vec<u8>>,
    pub trees: HashMap<String, BTreeMap<String, String>>,
    pub commits: HashMap<String, CommitObj>,
    pub head: Option<String>,
    pub branch_exists: bool,
    /// Push protection: a ref update whose new files contain this text is rejected (409).
    pub push_protect: Option<String>,
}

fn sha1(text: &str) -> String {
    sha1_smol::Sha1::from(text.as_bytes()).digest().to_string()
}

impl FakeGithub {
    /// A repository with one commit holding README.md.
    pub fn new() -> Self {
        let mut gh = Self::empty();
        let readme = gh.put_blob(b"# Make scenarios backup\n");
        let tree = gh.put_tree(BTreeMap::from([("README.md".to_owned(), readme)]));
        let commit = gh.put_commit(CommitObj { tree, parents: vec![], message: "Initial commit".into(), author: json!({"name": "Ann"}), committer: json!({"name": "Ann"}) });
        gh.head = Some(commit);
        gh.branch_exists = true;
        gh
    }

    pub fn empty() -> Self {
        Self {
            base: "https://api.github.com/repos/acme/make-backup".to_owned(),
            branch: "main".to_owned(),
            blobs: HashMap::new(),
            trees: HashMap::new(),
            commits: HashMap::new(),
            head: None,
            branch_exists: false,
            push_protect: None,
        }
    }

    pub fn put_blob(&mut self, bytes: &[u8]) -> String {
        let sha = git_blob_sha(bytes);
        self.blobs.insert(sha.clone(), bytes.to_vec());
        sha
    }

    fn put_tree(&mut self, entries: BTreeMap<String, String>) -> String {
        let listing: String = entries.iter().map(|(p, s)| format!("{p}\0{s}\n")).collect();
        let sha = sha1(&format!("tree\0{listing}"));
        self.trees.insert(sha.clone(), entries);
        sha
    }

    fn put_commit(&mut self, c: CommitObj) -> String {
        let sha = sha1(&format!("commit\0{}\0{:?}\0{}\0{}\0{}", c.tree, c.parents, c.message, c.author, c.committer));
        self.commits.insert(sha.clone(), c);
        sha
    }

    /// Files on the branch (path → text).
    pub fn files(&self) -> BTreeMap<String, String> {
        let Some(head) = &self.head else { return BTreeMap::new() };
        let tree = &self.trees[&self.commits[head].tree];
        tree.iter().map(|(p, s)| (p.clone(), String::from_utf8(self.blobs[s].clone()).unwrap())).collect()
    }

    /// Commits on the branch, newest first.
    pub fn log(&self) -> Vec<CommitObj> {
        let mut out = Vec::new();
        let mut at = self.head.clone();
        while let Some(sha) = at {
            let c = self.commits[&sha].clone();
            at = c.parents.first().cloned();
            out.push(c);
        }
        out
    }

    /// Another writer commits a file on the branch.
    pub fn commit_as_human(&mut self, path: &str, content: &str) {
        let head = self.head.clone().expect("head");
        let mut entries = self.trees[&self.commits[&head].tree].clone();
        entries.insert(path.to_owned(), self.put_blob(content.as_bytes()));
        let tree = self.put_tree(entries);
        let c = self.put_commit(CommitObj { tree, parents: vec![head], message: format!("Human edit of {path}"), author: json!({"name": "Human"}), committer: json!({"name": "Human"}) });
        self.head = Some(c);
    }

    /// Another writer deletes a file on the branch.
    pub fn remove_as_human(&mut self, path: &str) {
        let head = self.head.clone().expect("head");
        let mut entries = self.trees[&self.commits[&head].tree].clone();
        entries.remove(path);
        let tree = self.put_tree(entries);
        let c = self.put_commit(CommitObj { tree, parents: vec![head], message: format!("Human removal of {path}"), author: json!({"name": "Human"}), committer: json!({"name": "Human"}) });
        self.head = Some(c);
    }

    fn is_ancestor(&self, ancestor: &str, mut of: String) -> bool {
        loop {
            if of == ancestor {
                return true;
            }
            match self.commits.get(&of).and_then(|c| c.parents.first().cloned()) {
                Some(p) => of = p,
                None => return false,
            }
        }
    }

    fn answer(&mut self, request: &Request) -> (u16, String) {
        let path = request.url.strip_prefix(&self.base).unwrap_or(&request.url).to_owned();
        let method = request.method.as_str();
        let body: Value = request.body.as_deref().map(|b| serde_json::from_str(b).expect("request body is JSON")).unwrap_or(Value::Null);
        let empty = self.head.is_none();
        let not_found = || (404, r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}"#.to_owned());
        if empty && path.starts_with("/git/") {
            return (409, r#"{"message":"Git Repository is empty.","documentation_url":"https://docs.github.com/rest","status":"409"}"#.to_owned());
        }
        match (method, path.as_str()) {
            ("GET", p) if p == format!("/branches/{}", self.branch) => match (&self.head, self.branch_exists) {
                (Some(head), true) => {
                    let tree = &self.commits[head].tree;
                    (200, json!({"name": self.branch, "commit": {"sha": head, "commit": {"tree": {"sha": tree}}}, "protected": false}).to_string())
                }
                _ => (404, r#"{"message":"Branch not found","documentation_url":"https://docs.github.com/rest","status":"404"}"#.to_owned()),
            },
            ("GET", p) if p == format!("/git/ref/heads/{}", self.branch) => match &self.head {
                Some(head) if self.branch_exists => (200, json!({"ref": format!("refs/heads/{}", self.branch), "object": {"type": "commit", "sha": head}}).to_string()),
                _ => not_found(),
            },
            ("GET", p) if p.starts_with("/git/trees/") => {
                let sha = p.trim_start_matches("/git/trees/").split('?').next().unwrap_or("");
                match self.trees.get(sha) {
                    Some(entries) => {
                        let mut listing = Vec::new();
                        let mut dirs = std::collections::BTreeSet::new();
                        for (path, blob) in entries {
                            let parts: Vec<&str> = path.split('/').collect();
                            for i in 1..parts.len() {
                                dirs.insert(parts[..i].join("/"));
                            }
                            listing.push(json!({"path": path, "mode": "100644", "type": "blob", "sha": blob, "size": self.blobs[blob].len()}));
                        }
                        for d in dirs {
                            listing.push(json!({"path": d, "mode": "040000", "type": "tree", "sha": sha1(&d)}));
                        }
                        (200, json!({"sha": sha, "tree": listing, "truncated": false}).to_string())
                    }
                    None => not_found(),
                }
            }
            ("GET", p) if p.starts_with("/git/blobs/") => {
                let sha = p.trim_start_matches("/git/blobs/");
                match self.blobs.get(sha) {
                    Some(bytes) => {
                        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
                        let wrapped: Vec<String> = encoded.as_bytes().chunks(60).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
                        (200, json!({"sha": sha, "size": bytes.len(), "content": wrapped.join("\n") + "\n", "encoding": "base64"}).to_string())
                    }
                    None => not_found(),
                }
            }
            ("POST", "/git/blobs") => {
                let bytes = base64::engine::general_purpose::STANDARD.decode(body["content"].as_str().unwrap()).unwrap();
                let sha = self.put_blob(&bytes);
                (201, json!({"sha": sha, "url": format!("{}/git/blobs/{sha}", self.base)}).to_string())
            }
            ("POST", "/git/trees") => {
                let base = body["base_tree"].as_str().unwrap_or_default();
                let Some(mut entries) = self.trees.get(base).cloned() else {
                    return (422, r#"{"message":"Invalid tree info","status":"422"}"#.to_owned());
                };
                for entry in body["tree"].as_array().unwrap() {
                    let path = entry["path"].as_str().unwrap().to_owned();
                    assert!(
                        path.starts_with("scenarios/") || [".backup-state.json", "README.md", "inventory/README.md", "inventory/dependencies.json"].contains(&path.as_str()),
                        "engine wrote outside its paths: {path}"
                    );
                    let sha = match (entry.get("content"), entry.get("sha")) {
                        (Some(c), None) => self.put_blob(c.as_str().unwrap().as_bytes()),
                        (None, Some(s)) => {
                            let s = s.as_str().unwrap().to_owned();
                            if !self.blobs.contains_key(&s) {
                                return (422, r#"{"message":"Invalid tree info","status":"422"}"#.to_owned());
                            }
                            s
                        }
                        _ => return (422, r#"{"message":"Must supply either tree.sha or tree.content","status":"422"}"#.to_owned()),
                    };
                    entries.insert(path, sha);
                }
                let sha = self.put_tree(entries);
                (201, json!({"sha": sha, "truncated": false, "tree": []}).to_string())
            }
            ("POST", "/git/commits") => {
                let tree = body["tree"].as_str().unwrap().to_owned();
                if !self.trees.contains_key(&tree) {
                    return (422, r#"{"message":"Tree SHA does not exist","status":"422"}"#.to_owned());
                }
                let parents: Vec<String> = body["parents"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
                let sha = self.put_commit(CommitObj { tree, parents, message: body["message"].as_str().unwrap().to_owned(), author: body["author"].clone(), committer: body["committer"].clone() });
                (201, json!({"sha": sha}).to_string())
            }
            ("PATCH", p) if p == format!("/git/refs/heads/{}", self.branch) => {
                let new = body["sha"].as_str().unwrap().to_owned();
                assert_eq!(body["force"], json!(false), "ref updates must not force");
                let Some(current) = self.head.clone() else { return not_found() };
                if !self.commits.contains_key(&new) || !self.is_ancestor(&current, new.clone()) {
                    return (422, r#"{"message":"Update is not a fast forward","documentation_url":"https://docs.github.com/rest/git/refs#update-a-reference","status":"422"}"#.to_owned());
                }
                if let Some(marker) = &self.push_protect {
                    let old = &self.trees[&self.commits[&current].tree];
                    let new_tree = &self.trees[&self.commits[&new].tree];
                    let leaks = new_tree.iter().any(|(path, sha)| old.get(path) != Some(sha) && String::from_utf8_lossy(&self.blobs[sha]).contains(marker.as_str()));
                    if leaks {
                        return (409, r#"{"message":"Repository rule violations found\n\n- GITHUB PUSH PROTECTION\n  Resolve the following violations before pushing again\n  - Push cannot contain secrets","status":"409"}"#.to_owned());
                    }
                }
                self.head = Some(new.clone());
                (200, json!({"ref": format!("refs/heads/{}", self.branch), "object": {"type": "commit", "sha": new}}).to_string())
            }
            ("PUT", p) if p.starts_with("/contents/") => {
                let file = p.trim_start_matches("/contents/").to_owned();
                let bytes = base64::engine::general_purpose::STANDARD.decode(body["content"].as_str().unwrap()).unwrap();
                let mut entries = match &self.head {
                    Some(h) => self.trees[&self.commits[h].tree].clone(),
                    None => BTreeMap::new(),
                };
                if entries.contains_key(&file) && body.get("sha").is_none() {
                    return (422, "{\"message\":\"Invalid request.\\n\\n\\\"sha\\\" wasn't supplied.\",\"status\":\"422\"}".to_owned());
                }
                entries.insert(file, self.put_blob(&bytes));
                let tree = self.put_tree(entries);
                let parents = self.head.clone().into_iter().collect();
                let c = self.put_commit(CommitObj { tree, parents, message: body["message"].as_str().unwrap().to_owned(), author: body["author"].clone(), committer: body["committer"].clone() });
                self.head = Some(c.clone());
                self.branch_exists = true;
                (201, json!({"content": {}, "commit": {"sha": c}}).to_string())
            }
            _ => not_found(),
        }
    }
}

// ---------------------------------------------------------------- the loop

pub struct World {
    pub make: FakeMake,
    pub github: FakeGithub,
    pub faults: Vec<Fault>,
    pub now: i64,
    pub requests: Vec<Request>,
    pub waits: Vec<(f64, String)>,
    pub statuses: Vec<(String, Option<u16>)>,
    /// Park the engine as JSON and restore it before every step (as a host between n8n turns would).
    pub park_every_step: bool,
}

pub struct RunResult {
    /// When each request was sent (virtual ms), parallel to `requests`.
    pub sent_at: Vec<i64>,
    pub summary: Summary,
    pub report: String,
    pub requests: Vec<Request>,
    pub waits: Vec<(f64, String)>,
}

impl RunResult {
    pub fn count(&self, service: Service, method: &str) -> usize {
        self.requests.iter().filter(|r| r.service == service && r.method.as_str() == method).count()
    }
    pub fn github_writes(&self) -> usize {
        self.requests.iter().filter(|r| r.service == Service::Github && r.method.as_str() != "GET").count()
    }
}

pub fn config() -> Config {
    serde_json::from_value(json!({
        "make": {"zone": "eu1", "organizationId": 4101, "requestsPerMinute": 100000},
        "github": {"owner": "acme", "repo": "make-backup", "writesPerMinute": 100000}
    }))
    .unwrap()
}

impl World {
    pub fn new(scenarios: u64) -> Self {
        Self { make: FakeMake::with_scenarios(scenarios), github: FakeGithub::new(), faults: Vec::new(), now: T0, requests: Vec::new(), waits: Vec::new(), statuses: Vec::new(), park_every_step: false }
    }

    pub fn run(&mut self) -> RunResult {
        self.run_with(config(), 42)
    }

    pub fn run_with(&mut self, config: Config, seed: u64) -> RunResult {
        self.requests.clear();
        self.waits.clear();
        let mut sent_at = Vec::new();
        let mut engine = Engine::start(config, &iso(self.now), seed).expect("start");
        for _ in 0..100_000 {
            if self.park_every_step {
                engine = Engine::from_json(&engine.to_json().unwrap()).unwrap();
            }
            match engine.poll(&iso(self.now)).expect("poll") {
                Action::Request { request } => {
                    assert!(!request.headers.keys().any(|k| k.eq_ignore_ascii_case("authorization")), "requests never carry credentials");
                    // poll is idempotent while the request is outstanding
                    match engine.poll(&iso(self.now)).unwrap() {
                        Action::Request { request: again } => assert_eq!(again, request),
                        other => panic!("poll changed its answer: {other:?}"),
                    }
                    sent_at.push(self.now);
                    self.now += 50;
                    let reply = self.perform(&request);
                    self.requests.push(request);
                    engine.handle(&iso(self.now), reply).expect("handle");
                }
                Action::Wait { seconds, reason, .. } => {
                    assert!(seconds > 0.0, "wait of {seconds}");
                    self.waits.push((seconds, reason));
                    self.now += (seconds * 1000.0).ceil() as i64;
                }
                Action::Done { summary, report } => {
                    self.now += 60_000;
                    return RunResult { sent_at, summary: *summary, report, requests: self.requests.clone(), waits: self.waits.clone() };
                }
            }
        }
        panic!("the engine did not finish");
    }

    /// One request against the fakes, no faults, no bookkeeping.
    pub fn run_one(&mut self, request: &Request) -> (u16, String) {
        match request.service {
            Service::Make => self.make.answer(request, 0),
            Service::Github => self.github.answer(request),
        }
    }

    fn perform(&mut self, request: &Request) -> Reply {
        let method = request.method.as_str();
        if let Some(i) = self.faults.iter().position(|f| {
            f.times > 0 && f.service == request.service && f.method.is_none_or(|m| m == method) && request.url.contains(&f.url_contains)
        }) {
            let fault = &mut self.faults[i];
            fault.times -= 1;
            let fault = fault.clone();
            if fault.timeout {
                self.statuses.push((request.describe(), None));
                return Reply { request_id: request.id, status: None, headers: BTreeMap::new(), body: String::new(), failure: Some(Failure { kind: FailureKind::Timeout, message: "timeout of 30000ms exceeded".into() }) };
            }
            if fault.move_branch {
                self.github.commit_as_human("NOTES.md", &format!("human edit {}\n", self.now));
            } else {
                self.statuses.push((request.describe(), fault.status));
                return Reply { request_id: request.id, status: fault.status, headers: fault.headers, body: fault.body, failure: None };
            }
        }
        let (status, body) = match request.service {
            Service::Make => self.make.answer(request, self.requests.len() as u64),
            Service::Github => self.github.answer(request),
        };
        self.statuses.push((request.describe(), Some(status)));
        let mut headers = BTreeMap::new();
        headers.insert("Content-Type".to_owned(), "application/json; charset=utf-8".to_owned());
        Reply { request_id: request.id, status: Some(status), headers, body, failure: None }
    }
}
