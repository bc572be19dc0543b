//! GitHub REST: the request bodies the engine sends and the replies it reads (Git Data API + one
//! contents-API `PUT` to bootstrap an empty repository). See github-api.md §3 for the sequence.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::Committer;

/// A reply body that is not what GitHub documents.
pub(crate) type ParseResult<T> = Result<T, String>;

/// `GET branches/{b}`: the head commit and its tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Branch {
    pub(crate) commit: String,
    pub(crate) tree: String,
}

pub(crate) fn parse_branch(body: &str) -> ParseResult<Branch> {
    #[derive(Deserialize)]
    struct Reply {
        commit: Commit,
    }
    #[derive(Deserialize)]
    struct Commit {
        sha: String,
        commit: Inner,
    }
    #[derive(Deserialize)]
    struct Inner {
        tree: Sha,
    }
    let reply: Reply = serde_json::from_str(body).map_err(|e| format!("branch reply: {e}"))?;
    Ok(Branch { commit: checked_sha(reply.commit.sha)?, tree: checked_sha(reply.commit.commit.tree.sha)? })
}

#[derive(Deserialize)]
struct Sha {
    sha: String,
}

/// `{ "sha": … }` of a created blob, tree or commit.
pub(crate) fn parse_created_sha(body: &str) -> ParseResult<String> {
    let reply: Sha = serde_json::from_str(body).map_err(|e| format!("created object reply: {e}"))?;
    checked_sha(reply.sha)
}

/// `PUT contents`: the new commit.
pub(crate) fn parse_contents_commit(body: &str) -> ParseResult<String> {
    #[derive(Deserialize)]
    struct Reply {
        commit: Sha,
    }
    let reply: Reply = serde_json::from_str(body).map_err(|e| format!("contents reply: {e}"))?;
    checked_sha(reply.commit.sha)
}

fn checked_sha(sha: String) -> ParseResult<String> {
    if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha.to_ascii_lowercase())
    } else {
        Err(format!("{sha:?} is not a 40-hex SHA"))
    }
}

/// Blob paths of a recursive tree listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TreeListing {
    pub(crate) blobs: BTreeMap<String, String>,
    pub(crate) truncated: bool,
}

pub(crate) fn parse_tree(body: &str) -> ParseResult<TreeListing> {
    #[derive(Deserialize)]
    struct Reply {
        tree: Vec<Entry>,
        #[serde(default)]
        truncated: bool,
    }
    #[derive(Deserialize)]
    struct Entry {
        path: String,
        #[serde(rename = "type")]
        kind: String,
        sha: String,
    }
    let reply: Reply = serde_json::from_str(body).map_err(|e| format!("tree reply: {e}"))?;
    let mut blobs = BTreeMap::new();
    for entry in reply.tree {
        if entry.kind == "blob" {
            blobs.insert(entry.path, checked_sha(entry.sha)?);
        }
    }
    Ok(TreeListing { blobs, truncated: reply.truncated })
}

/// `GET git/blobs/{sha}`: the decoded text (base64 with line breaks, as GitHub sends it).
pub(crate) fn parse_blob_text(body: &str) -> ParseResult<String> {
    #[derive(Deserialize)]
    struct Reply {
        content: String,
        #[serde(default)]
        encoding: String,
    }
    let reply: Reply = serde_json::from_str(body).map_err(|e| format!("blob reply: {e}"))?;
    let bytes = match reply.encoding.as_str() {
        "base64" | "" => {
            let compact: String = reply.content.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(compact).map_err(|e| format!("blob base64: {e}"))?
        }
        "utf-8" => reply.content.into_bytes(),
        other => return Err(format!("blob encoding {other:?} is not base64 or utf-8")),
    };
    String::from_utf8(bytes).map_err(|_| "blob is not UTF-8 text".to_owned())
}

/// GitHub's error `message`, or the start of the body.
pub(crate) fn error_message(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(value) => value.get("message").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| snippet(body)),
        Err(_) => snippet(body),
    }
}

pub(crate) fn snippet(body: &str) -> String {
    let trimmed: String = body.chars().take(200).collect();
    if trimmed.is_empty() { "(empty body)".to_owned() } else { trimmed }
}

/// One entry of a `POST git/trees`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TreeContent {
    /// Inline UTF-8 text.
    Inline(String),
    /// A blob already on GitHub.
    Blob(String),
}

pub(crate) fn tree_body(base_tree: &str, entries: &[(String, TreeContent)]) -> String {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(path, content)| match content {
            TreeContent::Inline(text) => json!({"path": path, "mode": "100644", "type": "blob", "content": text}),
            TreeContent::Blob(sha) => json!({"path": path, "mode": "100644", "type": "blob", "sha": sha}),
        })
        .collect();
    json!({"base_tree": base_tree, "tree": entries}).to_string()
}

pub(crate) fn blob_body(content: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(content.as_bytes());
    json!({"content": encoded, "encoding": "base64"}).to_string()
}

pub(crate) fn commit_body(message: &str, tree: &str, parent: &str, committer: &Committer, date: &str) -> String {
    let person = json!({"name": committer.name, "email": committer.email, "date": date});
    json!({"message": message, "tree": tree, "parents": [parent], "author": person, "committer": person}).to_string()
}

pub(crate) fn ref_body(sha: &str) -> String {
    json!({"sha": sha, "force": false}).to_string()
}

pub(crate) fn contents_put_body(message: &str, content: &str, branch: &str, committer: &Committer) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(content.as_bytes());
    let person = json!({"name": committer.name, "email": committer.email});
    json!({"message": message, "content": encoded, "branch": branch, "committer": person, "author": person}).to_string()
}

/// Percent-encodes one path segment (branch names may hold `/`, which stays a separator).
pub(crate) fn encode_segments(path: &str) -> String {
    path.split('/').map(encode_segment).collect::<Vec<_>>().join("/")
}

fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
