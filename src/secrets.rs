//! Secret scanning of rendered blueprints: finds credentials typed into modules (HTTP headers, query
//! strings, API-key fields, URLs) before a blueprint is committed, and can redact them.
//!
//! Make keeps connection and keychain credentials outside the blueprint (`__IMTCONN__`, `__IMTKEY__`
//! are numeric references), but a user may type a token straight into a module — an `Authorization`
//! header of an HTTP module, an `api_key` query parameter, a `https://user:pass@host` URL. Such a
//! blueprint must not land in a repository unnoticed (GitHub push protection may even reject the push).
//!
//! [`scan`] walks every string value of a blueprint (the JSON text, canonical or not) and reports one
//! [`SecretFinding`] per secret: its [`SecretKind`], the JSON pointer of the string, and the module
//! (`id` and `module` type) it sits in — found at any depth, so modules inside router `routes`,
//! `onerror` handlers and `branches` are named too. **A finding never carries the secret's value**, not
//! even a part or a hash of it, so findings can go into summaries, logs and commit messages.
//!
//! [`redact`] replaces the secret part of each string with a stable placeholder that names the kind,
//! e.g. `Bearer [redacted:authorization-header]`, and returns canonical JSON again. Redacted text scans
//! clean, and redacting twice changes nothing.
//!
//! What a hand-written matcher per kind checks (no regular-expression engine, to keep the wasm small):
//! the kind's fixed prefix or marker, the character set and length of the rest, a word boundary on both
//! sides, and that the value is not a placeholder (`xxxx`, `****`, `<token>`, `your-key`, `EXAMPLE`,
//! an IML mapping such as `{{1.token}}`, a string with few distinct characters). Kinds without a prefix
//! (a value of an `api_key`, `token`, `secret` or `password` field or query parameter, a bearer token)
//! must also have a high Shannon entropy. Stripe *test* keys (`sk_test_…`), publishable keys
//! (`pk_live_…`), AWS's documented example key and `data:` URIs (base64 images) are not secrets.
//!
//! The [`SecretPolicy`] of a run says what happens to a blueprint with findings: `warn` (default),
//! `redact` or `block`; [`screen`] applies it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::canonical::canonical_json;
use crate::error::Error;

/// What a run does with a blueprint in which [`scan`] finds secrets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub enum SecretPolicy {
    /// Commit the blueprint as it is; the summary and the commit message name the scenario, the module
    /// and the kind of each secret, never its value. The default: a backup must stay exact.
    #[default]
    Warn,
    /// Replace each secret with `[redacted:<kind>]` before committing; the summary says what was
    /// redacted. The backup is then no longer byte-exact (restoring it needs the secret typed again).
    Redact,
    /// Do not back that scenario up this run (its earlier files stay); the summary says why. Other
    /// scenarios are unaffected.
    Block,
}

/// The kind of a secret. Serialized kebab-case (`github-token`); the same name appears in the
/// redaction placeholder `[redacted:github-token]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SecretKind {
    /// GitHub classic personal access token or OAuth/app/refresh token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`).
    GithubToken,
    /// GitHub fine-grained personal access token (`github_pat_`).
    GithubFineGrainedToken,
    /// GitLab personal access token (`glpat-`).
    GitlabToken,
    /// Slack bot/user/app token (`xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-`, `xapp-`).
    SlackToken,
    /// Slack incoming webhook URL (`hooks.slack.com/services/…`).
    SlackWebhook,
    /// Discord webhook URL (`discord.com/api/webhooks/{id}/{token}`).
    DiscordWebhook,
    /// AWS access key id (`AKIA…`, `ASIA…`).
    AwsAccessKeyId,
    /// AWS secret access key (40 characters next to an access key id or in an AWS secret field).
    AwsSecretAccessKey,
    /// Stripe live secret key (`sk_live_`).
    StripeSecretKey,
    /// Stripe live restricted key (`rk_live_`).
    StripeRestrictedKey,
    /// Stripe webhook signing secret (`whsec_`).
    StripeWebhookSecret,
    /// Google API key (`AIza…`).
    GoogleApiKey,
    /// OpenAI API key (`sk-…`, `sk-proj-…`, `sk-svcacct-…`, `sk-admin-…`).
    OpenaiApiKey,
    /// Anthropic API key (`sk-ant-…`).
    AnthropicApiKey,
    /// SendGrid API key (`SG.….…`).
    SendgridApiKey,
    /// Twilio API key SID (`SK` + 32 hex).
    TwilioApiKey,
    /// npm access token (`npm_`).
    NpmToken,
    /// Shopify access token or shared secret (`shpat_`, `shpss_`, `shpca_`, `shppa_`).
    ShopifyToken,
    /// Mailchimp API key (32 hex + `-us<dc>`).
    MailchimpApiKey,
    /// Mailgun API key (`key-` + 32 hex).
    MailgunApiKey,
    /// Telegram bot token (`<bot id>:AA…`).
    TelegramBotToken,
    /// JSON Web Token (`eyJ….eyJ….…`).
    Jwt,
    /// PEM private key block (`-----BEGIN … PRIVATE KEY-----`).
    PrivateKey,
    /// Password in a URL (`https://user:password@host`).
    BasicAuthUrl,
    /// Credential of an `Authorization` header (`Bearer …`, `Basic …`, `Token …`).
    AuthorizationHeader,
    /// High-entropy value of a field or query parameter named like a credential (`api_key`, `apikey`,
    /// `token`, `secret`, `password`, `client_secret`, …).
    GenericSecret,
}

impl SecretKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 26] = [
        Self::GithubToken,
        Self::GithubFineGrainedToken,
        Self::GitlabToken,
        Self::SlackToken,
        Self::SlackWebhook,
        Self::DiscordWebhook,
        Self::AwsAccessKeyId,
        Self::AwsSecretAccessKey,
        Self::StripeSecretKey,
        Self::StripeRestrictedKey,
        Self::StripeWebhookSecret,
        Self::GoogleApiKey,
        Self::OpenaiApiKey,
        Self::AnthropicApiKey,
        Self::SendgridApiKey,
        Self::TwilioApiKey,
        Self::NpmToken,
        Self::ShopifyToken,
        Self::MailchimpApiKey,
        Self::MailgunApiKey,
        Self::TelegramBotToken,
        Self::Jwt,
        Self::PrivateKey,
        Self::BasicAuthUrl,
        Self::AuthorizationHeader,
        Self::GenericSecret,
    ];

    /// The kebab-case name, as serialized and as used in the redaction placeholder.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GithubToken => "github-token",
            Self::GithubFineGrainedToken => "github-fine-grained-token",
            Self::GitlabToken => "gitlab-token",
            Self::SlackToken => "slack-token",
            Self::SlackWebhook => "slack-webhook",
            Self::DiscordWebhook => "discord-webhook",
            Self::AwsAccessKeyId => "aws-access-key-id",
            Self::AwsSecretAccessKey => "aws-secret-access-key",
            Self::StripeSecretKey => "stripe-secret-key",
            Self::StripeRestrictedKey => "stripe-restricted-key",
            Self::StripeWebhookSecret => "stripe-webhook-secret",
            Self::GoogleApiKey => "google-api-key",
            Self::OpenaiApiKey => "openai-api-key",
            Self::AnthropicApiKey => "anthropic-api-key",
            Self::SendgridApiKey => "sendgrid-api-key",
            Self::TwilioApiKey => "twilio-api-key",
            Self::NpmToken => "npm-token",
            Self::ShopifyToken => "shopify-token",
            Self::MailchimpApiKey => "mailchimp-api-key",
            Self::MailgunApiKey => "mailgun-api-key",
            Self::TelegramBotToken => "telegram-bot-token",
            Self::Jwt => "jwt",
            Self::PrivateKey => "private-key",
            Self::BasicAuthUrl => "basic-auth-url",
            Self::AuthorizationHeader => "authorization-header",
            Self::GenericSecret => "generic-secret",
        }
    }

    /// A short human label, e.g. "GitHub token".
    pub fn label(self) -> &'static str {
        match self {
            Self::GithubToken => "GitHub token",
            Self::GithubFineGrainedToken => "GitHub fine-grained token",
            Self::GitlabToken => "GitLab token",
            Self::SlackToken => "Slack token",
            Self::SlackWebhook => "Slack webhook URL",
            Self::DiscordWebhook => "Discord webhook URL",
            Self::AwsAccessKeyId => "AWS access key id",
            Self::AwsSecretAccessKey => "AWS secret access key",
            Self::StripeSecretKey => "Stripe live secret key",
            Self::StripeRestrictedKey => "Stripe live restricted key",
            Self::StripeWebhookSecret => "Stripe webhook secret",
            Self::GoogleApiKey => "Google API key",
            Self::OpenaiApiKey => "OpenAI API key",
            Self::AnthropicApiKey => "Anthropic API key",
            Self::SendgridApiKey => "SendGrid API key",
            Self::TwilioApiKey => "Twilio API key",
            Self::NpmToken => "npm token",
            Self::ShopifyToken => "Shopify token",
            Self::MailchimpApiKey => "Mailchimp API key",
            Self::MailgunApiKey => "Mailgun API key",
            Self::TelegramBotToken => "Telegram bot token",
            Self::Jwt => "JSON Web Token",
            Self::PrivateKey => "private key",
            Self::BasicAuthUrl => "password in a URL",
            Self::AuthorizationHeader => "Authorization header credential",
            Self::GenericSecret => "high-entropy credential value",
        }
    }

    /// The text that [`redact`] puts in place of a secret of this kind: `[redacted:<kind>]`.
    pub fn placeholder(self) -> String {
        format!("[redacted:{}]", self.as_str())
    }
}

impl std::fmt::Display for SecretKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One secret found in a blueprint. Carries where it is and what kind it is — never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct SecretFinding {
    /// What kind of secret.
    pub kind: SecretKind,
    /// RFC 6901 JSON pointer of the string that holds it, e.g. `/flow/1/mapper/headers/0/value`.
    pub pointer: String,
    /// `id` of the innermost module (an object with a numeric `id` and a string `module`) around it,
    /// at any depth (`flow`, router `routes[].flow`, `onerror`, `branches[].flow`).
    pub module_id: Option<u64>,
    /// That module's type, its `module` field, e.g. `http:ActionSendData`.
    pub module_type: Option<String>,
}

impl SecretFinding {
    /// One line for a summary, a log or a commit message, e.g.
    /// `GitHub token (github-token) in module 3 (http:ActionSendData) at /flow/2/mapper/headers/0/value`.
    pub fn describe(&self) -> String {
        let place = match (&self.module_id, &self.module_type) {
            (Some(id), Some(kind)) => format!(" in module {id} ({kind})"),
            (Some(id), None) => format!(" in module {id}"),
            (None, Some(kind)) => format!(" in a {kind} module"),
            (None, None) => String::new(),
        };
        format!("{} ({}){place} at {}", self.kind.label(), self.kind.as_str(), self.pointer)
    }
}

/// Finds the secrets in a blueprint (any JSON text; canonical JSON is what the engine passes).
/// Findings are in document order. Invalid JSON is an [`Error::InvalidInput`].
pub fn scan(blueprint_json: &str) -> Result<Vec<SecretFinding>, Error> {
    let canonical = canonical_json(blueprint_json).map_err(|e| not_json(&e))?;
    Ok(Scanner::run(&canonical)?.findings())
}

/// Replaces the secret part of every string that holds one with `[redacted:<kind>]` and returns the
/// canonical JSON text and the findings (the same as [`scan`] gives for the input). Without findings
/// the text is the canonical form of the input.
pub fn redact(blueprint_json: &str) -> Result<(String, Vec<SecretFinding>), Error> {
    let canonical = canonical_json(blueprint_json).map_err(|e| not_json(&e))?;
    let scanner = Scanner::run(&canonical)?;
    let findings = scanner.findings();
    if findings.is_empty() {
        return Ok((canonical, findings));
    }
    let mut out = String::with_capacity(canonical.len());
    let mut copied = 0;
    for occurrence in scanner.occurrences.iter().filter(|o| !o.hits.is_empty()) {
        let (Some(before), Some(decoded)) = (canonical.get(copied..occurrence.raw_start), occurrence.decoded.as_deref()) else {
            return Err(Error::input("blueprint", "internal error: string positions out of order while redacting"));
        };
        out.push_str(before);
        let mut value = String::with_capacity(decoded.len());
        let mut at = 0;
        for hit in &occurrence.hits {
            value.push_str(decoded.get(at..hit.start).unwrap_or_default());
            value.push_str(&hit.kind.placeholder());
            at = hit.end;
        }
        value.push_str(decoded.get(at..).unwrap_or_default());
        out.push_str(&serde_json::to_string(&value).map_err(|e| Error::input("blueprint", e))?);
        copied = occurrence.raw_end;
    }
    out.push_str(canonical.get(copied..).unwrap_or_default());
    Ok((out, findings))
}

/// What [`screen`] decided for one blueprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    /// The secrets found (empty: nothing to do whatever the policy).
    pub findings: Vec<SecretFinding>,
    /// The text to commit instead of the input: `Some` only under [`SecretPolicy::Redact`] with findings.
    pub redacted: Option<String>,
    /// True under [`SecretPolicy::Block`] with findings: do not commit this blueprint.
    pub blocked: bool,
}

/// Applies a policy to a rendered blueprint: scans it, and redacts or blocks as the policy says.
pub fn screen(blueprint_json: &str, policy: SecretPolicy) -> Result<Screening, Error> {
    match policy {
        SecretPolicy::Warn => Ok(Screening { findings: scan(blueprint_json)?, redacted: None, blocked: false }),
        SecretPolicy::Block => {
            let findings = scan(blueprint_json)?;
            let blocked = !findings.is_empty();
            Ok(Screening { findings, redacted: None, blocked })
        }
        SecretPolicy::Redact => {
            let (text, findings) = redact(blueprint_json)?;
            let redacted = (!findings.is_empty()).then_some(text);
            Ok(Screening { findings, redacted, blocked: false })
        }
    }
}

/// What a run did about the secrets of one scenario (for the run summary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(hashmap_as_object, missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSecrets {
    /// The scenario.
    pub scenario_id: u64,
    /// Its name.
    pub name: String,
    /// The policy that was applied: `warn` (committed as is), `redact` (committed redacted) or
    /// `block` (not committed).
    pub policy: SecretPolicy,
    /// What was found, without values.
    pub findings: Vec<SecretFinding>,
}

impl ScenarioSecrets {
    /// Lines for a commit message body: what was found (and redacted), never a value.
    pub fn commit_note(&self) -> String {
        let verb = match self.policy {
            SecretPolicy::Warn => "Possible secrets committed as they are (secret policy: warn)",
            SecretPolicy::Redact => "Secrets redacted before commit (secret policy: redact)",
            SecretPolicy::Block => "Not committed: secrets found (secret policy: block)",
        };
        let mut out = format!("{verb}:\n");
        for finding in &self.findings {
            out.push_str("- ");
            out.push_str(&finding.describe());
            out.push('\n');
        }
        out
    }
}

/// A Markdown section for the run report ("" when nothing was found).
pub fn markdown(secrets: &[ScenarioSecrets]) -> String {
    if secrets.is_empty() {
        return String::new();
    }
    let mut out = String::from("## Secrets in blueprints\n\n| Scenario | Policy | Kind | Module | Where |\n|---|---|---|---|---|\n");
    for scenario in secrets {
        let policy = match scenario.policy {
            SecretPolicy::Warn => "warned (committed as is)",
            SecretPolicy::Redact => "redacted",
            SecretPolicy::Block => "blocked (not committed)",
        };
        for f in &scenario.findings {
            let module = match (&f.module_id, &f.module_type) {
                (Some(id), Some(kind)) => format!("{id} `{kind}`"),
                (Some(id), None) => id.to_string(),
                (None, Some(kind)) => format!("`{kind}`"),
                (None, None) => "—".to_owned(),
            };
            let name = scenario.name.replace('|', "\\|");
            out.push_str(&format!("| {} {} | {policy} | {} | {module} | `{}` |\n", scenario.scenario_id, name, f.kind.label(), f.pointer));
        }
    }
    out.push_str("\nMove these values into a Make connection or keychain, or set the secret policy to `redact` or `block`.\n");
    out
}

fn not_json(error: &Error) -> Error {
    match error {
        Error::InvalidInput { message, .. } => Error::input("blueprint", format!("not JSON ({message})")),
        other => other.clone(),
    }
}

// ------------------------------------------------------------------------------------------------
// The walker: every string value of a (canonical) JSON text, with its pointer and module.

/// Deepest nesting walked (canonical JSON already refuses deeper documents).
const MAX_DEPTH: usize = 600;

/// A secret inside one decoded string: byte range and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    kind: SecretKind,
    start: usize,
    end: usize,
}

/// A string value that holds hits (or AWS secret candidates).
#[derive(Debug, Clone)]
struct Occurrence {
    raw_start: usize,
    raw_end: usize,
    decoded: Option<String>,
    pointer: String,
    module_id: Option<u64>,
    module_type: Option<String>,
    module_set: bool,
    hits: Vec<Hit>,
    /// 40-character AWS-secret-shaped tokens, promoted when the same module holds an access key id.
    aws_candidates: Vec<(usize, usize)>,
}

/// The context of a string: its own key and the `name`/`key` of the object it sits in.
struct Context<'a> {
    key: &'a str,
    sibling_name: Option<&'a str>,
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    path: Vec<String>,
    occurrences: Vec<Occurrence>,
}

impl<'a> Scanner<'a> {
    fn run(text: &'a str) -> Result<Self, Error> {
        let mut scanner = Scanner { text, bytes: text.as_bytes(), pos: 0, path: Vec::new(), occurrences: Vec::new() };
        scanner.value(0, &Context { key: "", sibling_name: None }).map_err(|m| Error::input("blueprint", m))?;
        scanner.promote_aws_secrets();
        Ok(scanner)
    }

    fn findings(&self) -> Vec<SecretFinding> {
        self.occurrences
            .iter()
            .flat_map(|o| {
                o.hits.iter().map(move |hit| SecretFinding {
                    kind: hit.kind,
                    pointer: o.pointer.clone(),
                    module_id: o.module_id,
                    module_type: o.module_type.clone(),
                })
            })
            .collect()
    }

    /// An AWS secret access key is recognised by shape only next to an access key id: in the same
    /// module (or the same top-level part when outside modules).
    fn promote_aws_secrets(&mut self) {
        let modules_with_id: Vec<(Option<u64>, Option<String>)> = self
            .occurrences
            .iter()
            .filter(|o| o.hits.iter().any(|h| h.kind == SecretKind::AwsAccessKeyId))
            .map(|o| (o.module_id, o.module_type.clone()))
            .collect();
        if modules_with_id.is_empty() {
            return;
        }
        for occurrence in &mut self.occurrences {
            if occurrence.aws_candidates.is_empty() || !modules_with_id.contains(&(occurrence.module_id, occurrence.module_type.clone())) {
                continue;
            }
            for (start, end) in std::mem::take(&mut occurrence.aws_candidates) {
                match occurrence.hits.iter_mut().find(|h| h.start <= start && h.end >= end) {
                    Some(hit) if hit.kind == SecretKind::GenericSecret => hit.kind = SecretKind::AwsSecretAccessKey,
                    Some(_) => {}
                    None => {
                        occurrence.hits.push(Hit { kind: SecretKind::AwsSecretAccessKey, start, end });
                        occurrence.hits.sort_by_key(|h| h.start);
                    }
                }
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn pointer(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            out.push('/');
            out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        }
        out
    }

    /// Parses one value; returns the text of a scalar (decoded string or number) for the parent.
    fn value(&mut self, depth: usize, context: &Context<'_>) -> Result<Scalar<'a>, String> {
        if depth > MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                self.object(depth)?;
                Ok(Scalar::Other)
            }
            Some(b'[') => {
                self.array(depth)?;
                Ok(Scalar::Other)
            }
            Some(b'"') => {
                let (raw_start, raw_end, decoded) = self.string()?;
                self.inspect(raw_start, raw_end, &decoded, context);
                Ok(Scalar::Str(decoded))
            }
            Some(_) => {
                let start = self.pos;
                while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')) {
                    self.pos += 1;
                }
                if start == self.pos {
                    return Err(format!("unexpected character at byte {start}"));
                }
                Ok(Scalar::Number(self.text.get(start..self.pos).unwrap_or_default()))
            }
            None => Err("unexpected end of text".to_owned()),
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at byte {}", byte as char, self.pos))
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), String> {
        self.expect(b'{')?;
        let first_occurrence = self.occurrences.len();
        let mut module_id: Option<u64> = None;
        let mut module_type: Option<String> = None;
        let mut sibling_name: Option<String> = None;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            let (_, _, key) = self.string()?;
            self.expect(b':')?;
            self.path.push(key.clone().into_owned());
            let scalar = {
                let context = Context { key: &key, sibling_name: sibling_name.as_deref() };
                self.value(depth + 1, &context)?
            };
            self.path.pop();
            match (key.as_ref(), scalar) {
                ("id", Scalar::Number(n)) => module_id = n.parse().ok(),
                ("module", Scalar::Str(s)) => module_type = Some(s.into_owned()),
                ("name" | "key" | "header" | "parameter" | "field" | "label", Scalar::Str(s)) => sibling_name = Some(s.into_owned()),
                _ => {}
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(format!("expected ',' or '}}' at byte {}", self.pos)),
            }
        }
        if let (Some(id), Some(kind)) = (module_id, module_type) {
            for occurrence in self.occurrences.iter_mut().skip(first_occurrence).filter(|o| !o.module_set) {
                occurrence.module_id = Some(id);
                occurrence.module_type = Some(kind.clone());
                occurrence.module_set = true;
            }
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<(), String> {
        self.expect(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut index = 0usize;
        loop {
            self.path.push(index.to_string());
            self.value(depth + 1, &Context { key: "", sibling_name: None })?;
            self.path.pop();
            index += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(format!("expected ',' or ']' at byte {}", self.pos)),
            }
        }
    }

    /// A string token: raw byte range (quotes included) and decoded value.
    fn string(&mut self) -> Result<(usize, usize, Cow<'a, str>), String> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return Err(format!("expected a string at byte {start}"));
        }
        self.pos += 1;
        let mut escaped = false;
        loop {
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 2;
                }
                Some(_) => self.pos += 1,
                None => return Err(format!("unterminated string from byte {start}")),
            }
        }
        let inner = self.text.get(start + 1..self.pos).ok_or_else(|| format!("broken string at byte {start}"))?;
        self.pos += 1;
        let decoded = if escaped { Cow::Owned(unescape(inner)) } else { Cow::Borrowed(inner) };
        Ok((start, self.pos, decoded))
    }

    fn inspect(&mut self, raw_start: usize, raw_end: usize, value: &str, context: &Context<'_>) {
        let (hits, aws_candidates) = detect(value, context);
        if hits.is_empty() && aws_candidates.is_empty() {
            return;
        }
        self.occurrences.push(Occurrence {
            raw_start,
            raw_end,
            decoded: Some(value.to_owned()),
            pointer: self.pointer(),
            module_id: None,
            module_type: None,
            module_set: false,
            hits,
            aws_candidates,
        });
    }
}

enum Scalar<'a> {
    Str(Cow<'a, str>),
    Number(&'a str),
    Other,
}

/// Decodes JSON string escapes (input already validated by the canonical parser).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let unit = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                if (0xD800..0xDC00).contains(&unit) {
                    let rest = chars.as_str();
                    let low = rest.strip_prefix("\\u").and_then(|r| r.get(..4)).and_then(|h| u32::from_str_radix(h, 16).ok());
                    if let Some(low @ 0xDC00..=0xDFFF) = low {
                        chars = rest.get(6..).unwrap_or_default().chars();
                        out.push(char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{FFFD}'));
                        continue;
                    }
                }
                out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// The detectors.

/// Every secret in one string, non-overlapping, sorted by position; and AWS secret candidates.
fn detect(value: &str, context: &Context<'_>) -> (Vec<Hit>, Vec<(usize, usize)>) {
    let mut hits = Vec::new();
    if value.len() < 8 || is_data_uri(value) {
        return (hits, Vec::new());
    }
    let b = value.as_bytes();
    prefixed_tokens(value, &mut hits);
    aws_access_key_ids(b, &mut hits);
    sendgrid(b, &mut hits);
    twilio(b, &mut hits);
    mailchimp(b, &mut hits);
    telegram(b, &mut hits);
    jwt(value, &mut hits);
    private_keys(value, &mut hits);
    webhooks(value, &mut hits);
    basic_auth_urls(value, &mut hits);
    authorization(value, context, &mut hits);
    let candidates = aws_secret_candidates(b, context, &mut hits);
    query_parameters(value, &mut hits);
    field_value(value, context, &mut hits);
    (resolve(hits), candidates)
}

/// Keeps the earliest-added hit of overlapping ones (specific detectors run first), sorted.
fn resolve(hits: Vec<Hit>) -> Vec<Hit> {
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        if hit.end > hit.start && !kept.iter().any(|k| k.start < hit.end && hit.start < k.end) {
            kept.push(hit);
        }
    }
    kept.sort_by_key(|h| h.start);
    kept
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// End of the run of bytes from `from` that satisfy `pred`.
fn run_end(b: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> usize {
    let mut end = from;
    while b.get(end).is_some_and(|&c| pred(c)) {
        end += 1;
    }
    end
}

/// No letter or digit right before `at`.
fn left_boundary(b: &[u8], at: usize) -> bool {
    at == 0 || b.get(at - 1).is_none_or(|&c| !is_alnum(c))
}

/// Every position where `needle` occurs.
fn occurrences<'h>(haystack: &'h str, needle: &'h str) -> impl Iterator<Item = usize> + 'h {
    haystack.match_indices(needle).map(|(i, _)| i)
}

/// Shannon entropy in bits per byte.
fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for &byte in s.as_bytes() {
        if let Some(c) = counts.get_mut(usize::from(byte)) {
            *c += 1;
        }
    }
    let len = s.len() as f64;
    if len == 0.0 {
        return 0.0;
    }
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / len).map(|p| -p * p.log2()).sum()
}

/// Character classes present: lower, upper, digit, other.
fn classes(s: &str) -> usize {
    let b = s.as_bytes();
    [
        b.iter().any(u8::is_ascii_lowercase),
        b.iter().any(u8::is_ascii_uppercase),
        b.iter().any(u8::is_ascii_digit),
        b.iter().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&x| x)
    .count()
}

/// Words and shapes that mark an example or a template rather than a real value.
fn is_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    const MARKERS: [&str; 20] = [
        "{{", "}}", "${", "%s", "<", ">", "xxxx", "****", "....", "example", "sample", "placeholder", "your",
        "redacted", "dummy", "changeme", "replace", "insert", "••", "…",
    ];
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    let mut distinct: Vec<u8> = s.bytes().collect();
    distinct.sort_unstable();
    distinct.dedup();
    // Very few distinct characters: "aaaaaaaa", "12121212", "abcabcabcabc".
    distinct.len() < 6.min(s.len())
        || s.len() >= 16 && distinct.len() < 8
}

/// A `data:…;base64,` URI (an embedded image or file): never scanned.
fn is_data_uri(s: &str) -> bool {
    s.starts_with("data:") && s.get(..s.find(',').unwrap_or(0)).is_some_and(|head| head.contains(";base64"))
}

/// Pushes a hit for `start..end` unless the token is a placeholder.
fn push_token(value: &str, kind: SecretKind, start: usize, end: usize, body_from: usize, hits: &mut Vec<Hit>) {
    if value.get(body_from..end).is_some_and(|body| !is_placeholder(body)) {
        hits.push(Hit { kind, start, end });
    }
}

/// Tokens recognised by a fixed prefix, a character set and a length.
fn prefixed_tokens(value: &str, hits: &mut Vec<Hit>) {
    struct Shape {
        prefix: &'static str,
        kind: SecretKind,
        min: usize,
        max: usize,
        hex: bool,
        dashes: bool,
    }
    const fn shape(prefix: &'static str, kind: SecretKind, min: usize, max: usize) -> Shape {
        Shape { prefix, kind, min, max, hex: false, dashes: false }
    }
    const fn dashed(prefix: &'static str, kind: SecretKind, min: usize, max: usize) -> Shape {
        Shape { prefix, kind, min, max, hex: false, dashes: true }
    }
    const fn hex(prefix: &'static str, kind: SecretKind, min: usize, max: usize) -> Shape {
        Shape { prefix, kind, min, max, hex: true, dashes: false }
    }
    use SecretKind as K;
    const SHAPES: [Shape; 27] = [
        shape("ghp_", K::GithubToken, 36, 40),
        shape("gho_", K::GithubToken, 36, 40),
        shape("ghu_", K::GithubToken, 36, 40),
        shape("ghs_", K::GithubToken, 36, 40),
        shape("ghr_", K::GithubToken, 36, 40),
        dashed("github_pat_", K::GithubFineGrainedToken, 60, 120),
        dashed("glpat-", K::GitlabToken, 20, 64),
        dashed("xoxb-", K::SlackToken, 20, 255),
        dashed("xoxa-", K::SlackToken, 20, 255),
        dashed("xoxp-", K::SlackToken, 20, 255),
        dashed("xoxr-", K::SlackToken, 20, 255),
        dashed("xoxs-", K::SlackToken, 20, 255),
        dashed("xapp-", K::SlackToken, 20, 255),
        shape("sk_live_", K::StripeSecretKey, 20, 255),
        shape("rk_live_", K::StripeRestrictedKey, 20, 255),
        shape("whsec_", K::StripeWebhookSecret, 24, 128),
        dashed("AIza", K::GoogleApiKey, 35, 35),
        dashed("sk-ant-", K::AnthropicApiKey, 32, 255),
        dashed("sk-proj-", K::OpenaiApiKey, 32, 255),
        dashed("sk-svcacct-", K::OpenaiApiKey, 32, 255),
        dashed("sk-admin-", K::OpenaiApiKey, 32, 255),
        shape("sk-", K::OpenaiApiKey, 32, 200),
        shape("npm_", K::NpmToken, 36, 36),
        hex("shpat_", K::ShopifyToken, 32, 32),
        hex("shpss_", K::ShopifyToken, 32, 32),
        hex("shpca_", K::ShopifyToken, 32, 32),
        hex("key-", K::MailgunApiKey, 32, 32),
    ];
    let b = value.as_bytes();
    for s in &SHAPES {
        for start in occurrences(value, s.prefix) {
            if !left_boundary(b, start) {
                continue;
            }
            let body = start + s.prefix.len();
            let end = if s.hex {
                run_end(b, body, |c| c.is_ascii_hexdigit())
            } else if s.dashes {
                run_end(b, body, is_token_char)
            } else {
                run_end(b, body, is_alnum)
            };
            let len = end - body;
            // The token must end at a boundary: a longer run is something else.
            let boundary = b.get(end).is_none_or(|&c| !is_alnum(c) && (s.dashes || c != b'_'));
            if (s.min..=s.max).contains(&len) && boundary {
                push_token(value, s.kind, start, end, body, hits);
            }
        }
    }
    // Shopify private app password (shppa_) shares the shape.
    for start in occurrences(value, "shppa_") {
        let body = start + 6;
        let end = run_end(b, body, |c| c.is_ascii_hexdigit());
        if left_boundary(b, start) && end - body == 32 && b.get(end).is_none_or(|&c| !is_alnum(c)) {
            push_token(value, SecretKind::ShopifyToken, start, end, body, hits);
        }
    }
}

/// `AKIA`/`ASIA` + 16 upper-case letters or digits (AWS's documented example key is not a secret).
fn aws_access_key_ids(b: &[u8], hits: &mut Vec<Hit>) {
    for i in 0..b.len().saturating_sub(19) {
        let (Some(head), Some(body)) = (b.get(i..i + 4), b.get(i + 4..i + 20)) else { continue };
        if !(head == b"AKIA" || head == b"ASIA") || !left_boundary(b, i) {
            continue;
        }
        if !body.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) || b.get(i + 20).is_some_and(|&c| is_alnum(c)) {
            continue;
        }
        let text = std::str::from_utf8(body).unwrap_or_default();
        if !text.contains("EXAMPLE") && !is_placeholder(text) {
            hits.push(Hit { kind: SecretKind::AwsAccessKeyId, start: i, end: i + 20 });
        }
    }
}

/// A 40-character base64 token (AWS secret access key shape). Reported at once when the field says
/// AWS or secret access key; otherwise kept as a candidate for the module-level check.
fn aws_secret_candidates(b: &[u8], context: &Context<'_>, hits: &mut Vec<Hit>) -> Vec<(usize, usize)> {
    let is_b64 = |c: u8| c.is_ascii_alphanumeric() || c == b'/' || c == b'+';
    let mut candidates = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_b64(b.get(i).copied().unwrap_or(b' ')) {
            i += 1;
            continue;
        }
        let end = run_end(b, i, is_b64);
        if end - i == 40 {
            let token = std::str::from_utf8(b.get(i..end).unwrap_or_default()).unwrap_or_default();
            if classes(token) >= 3 && entropy(token) >= 4.0 && !is_placeholder(token) && !token.bytes().all(|c| c.is_ascii_hexdigit()) {
                let named = |name: &str| {
                    let n = normalize(name);
                    n.contains("aws") || n.contains("secretaccesskey") || n.contains("secretkey")
                };
                let in_same_string = hits.iter().any(|h| h.kind == SecretKind::AwsAccessKeyId);
                if named(context.key) || context.sibling_name.is_some_and(named) || in_same_string {
                    hits.push(Hit { kind: SecretKind::AwsSecretAccessKey, start: i, end });
                } else {
                    candidates.push((i, end));
                }
            }
        }
        i = end.max(i + 1);
    }
    candidates
}

/// `SG.` + 22 + `.` + 43 (URL-safe base64).
fn sendgrid(b: &[u8], hits: &mut Vec<Hit>) {
    for i in 0..b.len() {
        if b.get(i..i + 3) != Some(b"SG.") || !left_boundary(b, i) {
            continue;
        }
        let first = run_end(b, i + 3, is_token_char);
        if !(16..=32).contains(&(first - i - 3)) || b.get(first) != Some(&b'.') {
            continue;
        }
        let second = run_end(b, first + 1, is_token_char);
        if (30..=64).contains(&(second - first - 1)) {
            let body = std::str::from_utf8(b.get(i + 3..second).unwrap_or_default()).unwrap_or_default();
            if !is_placeholder(body) {
                hits.push(Hit { kind: SecretKind::SendgridApiKey, start: i, end: second });
            }
        }
    }
}

/// `SK` + 32 lower-case hex (Twilio API key SID).
fn twilio(b: &[u8], hits: &mut Vec<Hit>) {
    for i in 0..b.len() {
        if b.get(i..i + 2) != Some(b"SK") || !left_boundary(b, i) {
            continue;
        }
        let end = run_end(b, i + 2, |c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
        if end - i - 2 == 32 && b.get(end).is_none_or(|&c| !is_alnum(c)) {
            let body = std::str::from_utf8(b.get(i + 2..end).unwrap_or_default()).unwrap_or_default();
            if !is_placeholder(body) {
                hits.push(Hit { kind: SecretKind::TwilioApiKey, start: i, end });
            }
        }
    }
}

/// 32 hex + `-us` + 1–2 digits (Mailchimp data-center suffix).
fn mailchimp(b: &[u8], hits: &mut Vec<Hit>) {
    for i in 0..b.len() {
        if b.get(i..i + 3) != Some(b"-us") || i < 32 {
            continue;
        }
        let dc_end = run_end(b, i + 3, |c| c.is_ascii_digit());
        if !(1..=2).contains(&(dc_end - i - 3)) || b.get(dc_end).is_some_and(|&c| is_alnum(c)) {
            continue;
        }
        let start = i - 32;
        let Some(key) = b.get(start..i) else { continue };
        if key.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)) && left_boundary(b, start) {
            let body = std::str::from_utf8(key).unwrap_or_default();
            if !is_placeholder(body) {
                hits.push(Hit { kind: SecretKind::MailchimpApiKey, start, end: dc_end });
            }
        }
    }
}

/// `<8–10 digit bot id>:AA<33 URL-safe base64>`.
fn telegram(b: &[u8], hits: &mut Vec<Hit>) {
    for i in 0..b.len() {
        if b.get(i..i + 3) != Some(b":AA") {
            continue;
        }
        let mut start = i;
        while start > 0 && b.get(start - 1).is_some_and(u8::is_ascii_digit) {
            start -= 1;
        }
        if !(8..=10).contains(&(i - start)) {
            continue;
        }
        let end = run_end(b, i + 1, is_token_char);
        if end - i - 1 == 35 {
            let body = std::str::from_utf8(b.get(i + 1..end).unwrap_or_default()).unwrap_or_default();
            if !is_placeholder(body) {
                hits.push(Hit { kind: SecretKind::TelegramBotToken, start, end });
            }
        }
    }
}

/// `eyJ…` header `.` `eyJ…` payload `.` signature, the header decoding to JSON naming an `alg`.
fn jwt(value: &str, hits: &mut Vec<Hit>) {
    use base64::Engine as _;
    let b = value.as_bytes();
    let url_b64 = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    for start in occurrences(value, "eyJ") {
        if start > 0 && b.get(start - 1).is_some_and(|&c| url_b64(c) || c == b'.') {
            continue;
        }
        let header_end = run_end(b, start, url_b64);
        if header_end - start < 10 || b.get(header_end) != Some(&b'.') || b.get(header_end + 1..header_end + 4) != Some(b"eyJ") {
            continue;
        }
        let payload_end = run_end(b, header_end + 1, url_b64);
        if payload_end - header_end - 1 < 10 || b.get(payload_end) != Some(&b'.') {
            continue;
        }
        let end = run_end(b, payload_end + 1, url_b64);
        if end - payload_end - 1 < 16 {
            continue;
        }
        let header = value.get(start..header_end).unwrap_or_default().trim_end_matches('=');
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::URL_SAFE,
            base64::engine::GeneralPurposeConfig::new().with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let alg = engine.decode(header).ok().and_then(|bytes| String::from_utf8(bytes).ok()).is_some_and(|h| h.contains("\"alg\""));
        let signature = value.get(payload_end + 1..end).unwrap_or_default();
        if alg && !is_placeholder(signature) {
            hits.push(Hit { kind: SecretKind::Jwt, start, end });
        }
    }
}

/// `-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----` with a real body.
fn private_keys(value: &str, hits: &mut Vec<Hit>) {
    for start in occurrences(value, "-----BEGIN ") {
        let Some(rest) = value.get(start + 11..) else { continue };
        let Some(label_end) = rest.find("-----") else { continue };
        let label = rest.get(..label_end).unwrap_or_default();
        if label.len() > 40 || !(label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK")) {
            continue;
        }
        let body_start = start + 11 + label_end + 5;
        let after = value.get(body_start..).unwrap_or_default();
        let (body, end) = match after.find("-----END ") {
            Some(e) => {
                let tail = after.get(e + 9..).unwrap_or_default();
                let close = tail.find("-----").map_or(tail.len(), |c| c + 5);
                (after.get(..e).unwrap_or_default(), body_start + e + 9 + close)
            }
            None => (after, value.len()),
        };
        let base64_chars = body.bytes().filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/').count();
        if base64_chars >= 32 && !is_placeholder(body.trim()) {
            hits.push(Hit { kind: SecretKind::PrivateKey, start, end });
        }
    }
}

/// Slack and Discord webhook URLs (the secret is the path after the fixed part).
fn webhooks(value: &str, hits: &mut Vec<Hit>) {
    let b = value.as_bytes();
    let path_char = |c: u8| c.is_ascii_alphanumeric() || c == b'/' || c == b'_' || c == b'-';
    for marker in ["hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/"] {
        for at in occurrences(value, marker) {
            let start = at + marker.len();
            let end = run_end(b, start, path_char);
            let path = value.get(start..end).unwrap_or_default().trim_end_matches('/');
            let segments: Vec<&str> = path.split('/').collect();
            if segments.len() >= 3 && segments.last().is_some_and(|s| s.len() >= 16 && !is_placeholder(s)) {
                hits.push(Hit { kind: SecretKind::SlackWebhook, start, end: start + path.len() });
            }
        }
    }
    for marker in ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"] {
        for at in occurrences(value, marker) {
            let id_start = at + marker.len();
            let id_end = run_end(b, id_start, |c| c.is_ascii_digit());
            if id_end - id_start < 10 || b.get(id_end) != Some(&b'/') {
                continue;
            }
            let end = run_end(b, id_end + 1, is_token_char);
            let token = value.get(id_end + 1..end).unwrap_or_default();
            if token.len() >= 60 && !is_placeholder(token) {
                hits.push(Hit { kind: SecretKind::DiscordWebhook, start: id_end + 1, end });
            }
        }
    }
}

/// `scheme://user:password@host`: the password is the secret.
fn basic_auth_urls(value: &str, hits: &mut Vec<Hit>) {
    let b = value.as_bytes();
    for at in occurrences(value, "://") {
        let scheme_start = {
            let mut s = at;
            while s > 0 && b.get(s - 1).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-')) {
                s -= 1;
            }
            s
        };
        if scheme_start == at {
            continue;
        }
        let authority_start = at + 3;
        let authority_end = run_end(b, authority_start, |c| !matches!(c, b'/' | b'?' | b'#' | b' ' | b'\n' | b'\t' | b'"' | b'\''));
        let Some(authority) = value.get(authority_start..authority_end) else { continue };
        let Some(at_sign) = authority.rfind('@') else { continue };
        let userinfo = authority.get(..at_sign).unwrap_or_default();
        let host = authority.get(at_sign + 1..).unwrap_or_default();
        let Some(colon) = userinfo.find(':') else { continue };
        let password = userinfo.get(colon + 1..).unwrap_or_default();
        if password.is_empty() || host.is_empty() || is_placeholder(password) || is_placeholder_word(password) {
            continue;
        }
        let start = authority_start + colon + 1;
        hits.push(Hit { kind: SecretKind::BasicAuthUrl, start, end: start + password.len() });
    }
}

/// Whole-value placeholder words (`password`, `pass`, `secret`, `token`, …) that a real value is not.
fn is_placeholder_word(s: &str) -> bool {
    const WORDS: [&str; 16] = [
        "password", "pass", "passwd", "pwd", "secret", "token", "apikey", "api_key", "key", "none", "null",
        "undefined", "test", "foo", "bar", "user",
    ];
    let lower = s.to_ascii_lowercase();
    WORDS.contains(&lower.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
}

/// The schemes of an `Authorization` value.
const AUTH_SCHEMES: [&str; 5] = ["bearer", "basic", "token", "bot", "apikey"];

/// `Authorization: <scheme> <credential>` in text, or a value under an `Authorization` header.
fn authorization(value: &str, context: &Context<'_>, hits: &mut Vec<Hit>) {
    let lower = value.to_ascii_lowercase();
    // In running text (a raw header block, a curl command, a JSON body typed in).
    for at in occurrences(&lower, "authorization") {
        let rest_start = at + "authorization".len();
        let rest = lower.get(rest_start..).unwrap_or_default();
        let skipped = rest.len() - rest.trim_start_matches(['"', '\'', ' ']).len();
        let after = rest.get(skipped..).unwrap_or_default();
        if !(after.starts_with(':') || after.starts_with('=')) {
            continue;
        }
        let from = rest_start + skipped + 1;
        credential_after_scheme(value, from, true, hits);
    }
    // A header value whose name is Authorization (Make's `headers: [{name, value}]`), or a field so named.
    let header_named = |name: &str| matches!(normalize(name).as_str(), "authorization" | "proxyauthorization" | "authorizationheader");
    if header_named(context.key) || (context.key == "value" && context.sibling_name.is_some_and(header_named)) {
        credential_after_scheme(value, 0, false, hits);
    }
}

/// The credential after an optional scheme word starting at `from`.
fn credential_after_scheme(value: &str, from: usize, need_scheme: bool, hits: &mut Vec<Hit>) {
    let b = value.as_bytes();
    let mut at = run_end(b, from, |c| c == b' ' || c == b'"' || c == b'\'' || c == b'\t');
    let word_end = run_end(b, at, is_alnum);
    let word = value.get(at..word_end).unwrap_or_default().to_ascii_lowercase();
    let has_scheme = AUTH_SCHEMES.contains(&word.as_str()) && b.get(word_end) == Some(&b' ');
    if has_scheme {
        at = run_end(b, word_end, |c| c == b' ');
    } else if need_scheme {
        return;
    }
    let end = run_end(b, at, |c| !c.is_ascii_whitespace() && c != b'"' && c != b'\'' && c != b',' && c != b';');
    let credential = value.get(at..end).unwrap_or_default();
    if credential.len() < 8 || is_placeholder(credential) || is_placeholder_word(credential) {
        return;
    }
    let basic = word == "basic";
    if basic || (credential.len() >= 12 && entropy(credential) >= 3.0 && classes(credential) >= 2) {
        hits.push(Hit { kind: SecretKind::AuthorizationHeader, start: at, end });
    }
}

/// Lower-case with `-`, `_`, `.` and spaces removed: `X-API-Key` → `xapikey`.
fn normalize(name: &str) -> String {
    name.bytes().filter(|c| c.is_ascii_alphanumeric()).map(|c| char::from(c.to_ascii_lowercase())).collect()
}

/// A field or parameter name that holds a credential.
fn is_secret_name(name: &str, query: bool) -> bool {
    let n = normalize(name);
    if n.is_empty() {
        return false;
    }
    const NOT: [&str; 14] = [
        "pagetoken", "nextpagetoken", "continuationtoken", "synctoken", "maxtokens", "tokentype", "tokenurl",
        "csrftoken", "idempotencykey", "publickey", "publishablekey", "secretname", "passwordpolicy", "keyid",
    ];
    if NOT.iter().any(|x| n.ends_with(x)) || n.starts_with("max") || n.starts_with("num") || n.ends_with("tokens") || n.ends_with("length") {
        return false;
    }
    const EXACT: [&str; 8] = ["token", "secret", "password", "passwd", "pwd", "apikey", "auth", "credentials"];
    const SUFFIX: [&str; 12] = [
        "apikey", "apitoken", "accesstoken", "authtoken", "refreshtoken", "bearertoken", "secret", "secretkey",
        "password", "privatekey", "accesskey", "signingkey",
    ];
    EXACT.contains(&n.as_str())
        || SUFFIX.iter().any(|s| n.ends_with(s))
        || n.ends_with("token") && n.len() <= 16
        || query && matches!(n.as_str(), "key" | "sig" | "signature" | "accesstoken" | "code")
}

/// Does a candidate value look like a credential (not a word, id, URL or template)?
fn high_entropy_value(v: &str) -> bool {
    let len = v.len();
    if !(8..=1024).contains(&len) || v.bytes().any(|c| c.is_ascii_whitespace()) {
        return false;
    }
    if is_placeholder(v) || is_placeholder_word(v) || v.contains("://") || v.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    // Test-mode and publishable keys are meant to be shared.
    const PUBLIC: [&str; 5] = ["sk_test_", "rk_test_", "pk_test_", "pk_live_", "whsec_test"];
    if PUBLIC.iter().any(|p| v.starts_with(p)) {
        return false;
    }
    let h = entropy(v);
    (h >= 3.0 && classes(v) >= 2) || (len >= 24 && h >= 3.7)
}

/// A value under a field named like a credential (own key, or `{name, value}` pairs).
fn field_value(value: &str, context: &Context<'_>, hits: &mut Vec<Hit>) {
    let value_slot = matches!(context.key, "value" | "val" | "content" | "default");
    let named = is_secret_name(context.key, false) || (value_slot && context.sibling_name.is_some_and(|n| is_secret_name(n, false)));
    if !named {
        return;
    }
    let trimmed = value.trim();
    let start = value.len() - value.trim_start().len();
    if high_entropy_value(trimmed) {
        hits.push(Hit { kind: SecretKind::GenericSecret, start, end: start + trimmed.len() });
    }
}

/// `?api_key=…`, `&token=…`, `&client_secret=…` in URLs and query strings.
fn query_parameters(value: &str, hits: &mut Vec<Hit>) {
    let b = value.as_bytes();
    for (eq, _) in value.match_indices('=') {
        let mut name_start = eq;
        while name_start > 0 && b.get(name_start - 1).is_some_and(|&c| is_token_char(c) || c == b'.') {
            name_start -= 1;
        }
        let separator = name_start.checked_sub(1).and_then(|i| b.get(i));
        if !matches!(separator, Some(b'?' | b'&' | b';')) || name_start == eq {
            continue;
        }
        let name = value.get(name_start..eq).unwrap_or_default();
        if !is_secret_name(name, true) {
            continue;
        }
        let end = run_end(b, eq + 1, |c| !matches!(c, b'&' | b'#' | b' ' | b'"' | b'\'' | b'\n' | b';'));
        let candidate = value.get(eq + 1..end).unwrap_or_default();
        if high_entropy_value(candidate) {
            hits.push(Hit { kind: SecretKind::GenericSecret, start: eq + 1, end });
        }
    }
}
