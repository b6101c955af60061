//! Users, API tokens, sessions and CSRF.
//!
//! Users live in `<data_dir>/users.toml` (mode 0600, written atomically) with argon2id
//! password hashes; API tokens are stored as SHA-256 digests only. The UI authenticates
//! with a session cookie (`HttpOnly`, `SameSite=Strict`) and sends the session's CSRF
//! token in `X-CSRF-Token` (or a `csrf` form field) on every state-changing request;
//! scripts use HTTP Basic or `Authorization: Bearer <token>`. The server never asks a
//! browser for Basic credentials (no `WWW-Authenticate: Basic`), so browsers never
//! send them on their own; state-changing requests must also be same-origin.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::AppState;
use super::api::ApiError;

/// File name of the users file inside the data directory.
pub(crate) const USERS_FILE: &str = "users.toml";
/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "weir_session";
/// Name of the cookie carrying the login form's CSRF token.
pub(crate) const LOGIN_COOKIE: &str = "weir_login";
/// Header carrying the CSRF token.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";
/// A session lasts this long after login.
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// At most this many sessions; the oldest go first.
const MAX_SESSIONS: usize = 10_000;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    /// Everything, including users and tokens.
    Admin,
    /// Read-only: every `GET`, nothing that changes state.
    Viewer,
}

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: String,
    role: Role,
    password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    id: String,
    name: String,
    user: String,
    sha256: String,
    created: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    users: Vec<UserEntry>,
    #[serde(default)]
    tokens: Vec<TokenEntry>,
}

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UserInfo {
    pub name: String,
    pub role: Role,
}

/// A token as the API shows it (never the secret).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TokenInfo {
    pub id: String,
    pub name: String,
    pub user: String,
    pub created: u64,
}

/// The users file and its in-memory copy.
pub(crate) struct Users {
    path: PathBuf,
    file: RwLock<UsersFile>,
    /// Serialises writers (read-modify-write of the file).
    write: Mutex<()>,
}

fn random_b64(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A user name: 1 to 32 of `A-Z a-z 0-9 _ . -`.
pub(crate) fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

impl Users {
    /// Opens `<dir>/users.toml`; with no users, creates `admin` with the password from
    /// `WEIR_ADMIN_PASSWORD`, else `configured`, else a generated one printed once.
    pub(crate) fn open(dir: &Path, configured: &str) -> Result<Users> {
        let path = dir.join(USERS_FILE);
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<UsersFile>(&text)
                .with_context(|| format!("{}: invalid users file", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => UsersFile::default(),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
        };
        let users = Users {
            path,
            file: RwLock::new(file),
            write: Mutex::new(()),
        };
        if users.file.read().users.is_empty() {
            let env = std::env::var("WEIR_ADMIN_PASSWORD").unwrap_or_default();
            let (password, generated) = if !env.is_empty() {
                (env, false)
            } else if !configured.is_empty() {
                (configured.to_string(), false)
            } else {
                (random_b64(18)?, true)
            };
            users.add_user("admin", &password, Role::Admin)?;
            if generated {
                eprintln!(
                    "weir: created web user \"admin\" with password {password} \
                     (shown only now; stored hashed in {})",
                    users.path.display()
                );
            } else {
                eprintln!("weir: created web user \"admin\" with the configured password");
            }
        }
        Ok(users)
    }

    fn save(&self, file: &UsersFile) -> Result<()> {
        let text = toml::to_string(file).context("serialising users")?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let tmp = dir.join(format!(".{USERS_FILE}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp)?;
            f.write_all(
                b"# weir web users: managed by weir (REST API /api/v1/users, /api/v1/tokens).\n",
            )?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().with_context(|| format!("{}: cannot write", self.path.display()))
    }

    fn modify<T>(&self, f: impl FnOnce(&mut UsersFile) -> Result<T>) -> Result<T> {
        let _w = self.write.lock();
        let mut copy = self.file.read().clone();
        let out = f(&mut copy)?;
        self.save(&copy)?;
        *self.file.write() = copy;
        Ok(out)
    }

    /// Adds a user (argon2id hash). Slow: call from a blocking context.
    pub(crate) fn add_user(&self, name: &str, password: &str, role: Role) -> Result<()> {
        if !valid_name(name) {
            bail!("user names are 1 to 32 of A-Z a-z 0-9 _ . -");
        }
        let hash = hash_password(password)?;
        self.modify(|f| {
            if f.users.iter().any(|u| u.name == name) {
                bail!("user {name:?} exists");
            }
            f.users.push(UserEntry {
                name: name.to_string(),
                role,
                password: hash,
            });
            Ok(())
        })
    }

    /// Removes a user and their tokens; the last admin cannot be removed.
    pub(crate) fn remove_user(&self, name: &str) -> Result<bool> {
        self.modify(|f| {
            let Some(i) = f.users.iter().position(|u| u.name == name) else {
                return Ok(false);
            };
            let admins = f.users.iter().filter(|u| u.role == Role::Admin).count();
            if f.users[i].role == Role::Admin && admins == 1 {
                bail!("the last admin cannot be removed");
            }
            f.users.remove(i);
            f.tokens.retain(|t| t.user != name);
            Ok(true)
        })
    }

    pub(crate) fn list_users(&self) -> Vec<UserInfo> {
        self.file
            .read()
            .users
            .iter()
            .map(|u| UserInfo {
                name: u.name.clone(),
                role: u.role,
            })
            .collect()
    }

    pub(crate) fn role_of(&self, name: &str) -> Option<Role> {
        self.file
            .read()
            .users
            .iter()
            .find(|u| u.name == name)
            .map(|u| u.role)
    }

    /// Checks a password; slow (argon2): call from a blocking context.
    pub(crate) fn verify(&self, name: &str, password: &str) -> Option<UserInfo> {
        let entry = self
            .file
            .read()
            .users
            .iter()
            .find(|u| u.name == name)
            .cloned();
        match entry {
            Some(u) => Argon2::default()
                .verify_password(password.as_bytes(), u.password.as_str())
                .ok()
                .map(|()| UserInfo {
                    name: u.name,
                    role: u.role,
                }),
            None => {
                // Same cost for unknown users: no user enumeration by timing.
                let _ = hash_password(password);
                None
            }
        }
    }

    /// Creates a token for `user`; returns its info and the secret (shown once).
    pub(crate) fn add_token(&self, user: &str, name: &str) -> Result<(TokenInfo, String)> {
        let secret = format!("weir_{}", random_b64(32)?);
        let id = random_b64(6)?;
        let entry = TokenEntry {
            id: id.clone(),
            name: name.to_string(),
            user: user.to_string(),
            sha256: sha256_hex(&secret),
            created: now_secs(),
        };
        self.modify(|f| {
            if !f.users.iter().any(|u| u.name == user) {
                bail!("no user {user:?}");
            }
            f.tokens.push(entry.clone());
            Ok(())
        })?;
        Ok((
            TokenInfo {
                id,
                name: entry.name,
                user: entry.user,
                created: entry.created,
            },
            secret,
        ))
    }

    pub(crate) fn remove_token(&self, id: &str) -> Result<bool> {
        self.modify(|f| {
            let before = f.tokens.len();
            f.tokens.retain(|t| t.id != id);
            Ok(f.tokens.len() != before)
        })
    }

    pub(crate) fn list_tokens(&self) -> Vec<TokenInfo> {
        self.file
            .read()
            .tokens
            .iter()
            .map(|t| TokenInfo {
                id: t.id.clone(),
                name: t.name.clone(),
                user: t.user.clone(),
                created: t.created,
            })
            .collect()
    }

    /// The user a bearer token belongs to.
    pub(crate) fn check_token(&self, secret: &str) -> Option<UserInfo> {
        let digest = sha256_hex(secret);
        let f = self.file.read();
        let t = f.tokens.iter().find(|t| t.sha256 == digest)?;
        f.users.iter().find(|u| u.name == t.user).map(|u| UserInfo {
            name: u.name.clone(),
            role: u.role,
        })
    }
}

/// A UI session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub user: String,
    pub csrf: String,
    created: Instant,
}

/// Live UI sessions (in memory: a restart logs everyone out).
#[derive(Default)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Opens a session; returns its id.
    pub(crate) fn create(&self, user: &str) -> Result<String> {
        let id = random_b64(32)?;
        let csrf = random_b64(32)?;
        let mut map = self.map.lock();
        map.retain(|_, s| s.created.elapsed() < SESSION_LIFETIME);
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            id.clone(),
            Session {
                user: user.to_string(),
                csrf,
                created: Instant::now(),
            },
        );
        Ok(id)
    }

    pub(crate) fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock();
        match map.get(id) {
            Some(s) if s.created.elapsed() < SESSION_LIFETIME => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    pub(crate) fn remove(&self, id: &str) {
        self.map.lock().remove(id);
    }

    fn remove_user(&self, user: &str) {
        self.map.lock().retain(|_, s| s.user != user);
    }
}

/// How a request was authenticated.
#[derive(Debug, Clone)]
pub(crate) enum Via {
    /// Session cookie, with the session id and its CSRF token.
    Session { id: String, csrf: String },
    /// HTTP Basic.
    Basic,
    /// Bearer token.
    Bearer,
}

/// The authenticated user of a request (a request extension).
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub user: String,
    pub role: Role,
    pub via: Via,
}

impl Identity {
    /// `Err(403)` unless the user is an admin.
    pub(crate) fn require_admin(&self) -> Result<(), ApiError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("user {:?} is read-only", self.user),
            ))
        }
    }

    pub(crate) fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            _ => "",
        }
    }
}

/// The value of cookie `name`.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Compares secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A state-changing request must come from this origin: `Sec-Fetch-Site` (if sent) is
/// `same-origin` or `none`, and `Origin` (if sent) names the `Host` it was sent to.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .unwrap_or("");
        return !host.is_empty() && origin_host == host;
    }
    true
}

enum Credentials {
    Basic(String, String),
    Bearer(String),
    Bad,
}

fn credentials(headers: &HeaderMap) -> Option<Credentials> {
    let v = headers.get(header::AUTHORIZATION)?;
    let Ok(v) = v.to_str() else {
        return Some(Credentials::Bad);
    };
    let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() && rest.len() <= 256 {
        return Some(Credentials::Bearer(rest.to_string()));
    }
    if scheme.eq_ignore_ascii_case("basic") && rest.len() <= 2048 {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        if let Some((u, p)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            return Some(Credentials::Basic(u.to_string(), p.to_string()));
        }
    }
    Some(Credentials::Bad)
}

/// Verifies a password off the async threads, a bounded number at a time.
pub(crate) async fn verify_password(
    state: &Arc<AppState>,
    user: String,
    password: String,
) -> Option<UserInfo> {
    if user.len() > 64 || password.len() > 1024 || state.failures.locked(&user) {
        return None;
    }
    let _permit = state.hashing.acquire().await.ok()?;
    let st = state.clone();
    let name = user.clone();
    let found = tokio::task::spawn_blocking(move || st.users.verify(&name, &password))
        .await
        .ok()
        .flatten();
    if found.is_some() {
        state.failures.clear(&user);
    } else {
        state.failures.add(&user);
    }
    found
}

/// Failed password checks per user name: after [`MAX_FAILURES`] in a row, the name is
/// refused for [`LOCKOUT`] without checking (slows down password guessing).
#[derive(Default)]
pub(crate) struct Failures {
    map: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Failed checks in a row before a lockout.
pub(crate) const MAX_FAILURES: u32 = 5;
/// How long a user name is refused after [`MAX_FAILURES`] failures.
pub(crate) const LOCKOUT: Duration = Duration::from_secs(30);

impl Failures {
    fn locked(&self, user: &str) -> bool {
        let mut map = self.map.lock();
        match map.get(user) {
            Some((n, at)) if *n >= MAX_FAILURES && at.elapsed() < LOCKOUT => true,
            Some((n, _)) if *n >= MAX_FAILURES => {
                map.remove(user);
                false
            }
            _ => false,
        }
    }

    fn add(&self, user: &str) {
        let mut map = self.map.lock();
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, (_, at)| at.elapsed() < LOCKOUT);
        }
        if map.len() < MAX_SESSIONS || map.contains_key(user) {
            let e = map.entry(user.to_string()).or_insert((0, Instant::now()));
            e.0 += 1;
            e.1 = Instant::now();
        }
    }

    fn clear(&self, user: &str) {
        self.map.lock().remove(user);
    }
}

fn unauthorized(is_api: bool, uri: &axum::http::Uri) -> Response {
    if is_api {
        let mut r =
            ApiError::new(StatusCode::UNAUTHORIZED, "authentication required").into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer realm=\"weir\""),
        );
        r
    } else {
        let next = uri
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| ui_next_ok(p))
            .unwrap_or("/");
        Redirect::to(&format!("/login?next={}", super::ui::url_encode(next))).into_response()
    }
}

/// A `next=` target after login: a local path only.
pub(crate) fn ui_next_ok(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && p.len() < 512
}

/// Middleware on every protected route: authenticates (bearer, Basic, session),
/// then enforces same-origin and CSRF on state-changing requests.
pub(crate) async fn require_auth(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let headers = req.headers();
    let identity = match credentials(headers) {
        Some(Credentials::Bearer(t)) => state.users.check_token(&t).map(|u| Identity {
            user: u.name,
            role: u.role,
            via: Via::Bearer,
        }),
        Some(Credentials::Basic(u, p)) => verify_password(&state, u, p).await.map(|u| Identity {
            user: u.name,
            role: u.role,
            via: Via::Basic,
        }),
        Some(Credentials::Bad) => None,
        None => cookie(headers, SESSION_COOKIE)
            .and_then(|id| state.sessions.get(id).map(|s| (id.to_string(), s)))
            .and_then(|(id, s)| {
                // A user removed since login loses the session.
                let role = state.users.role_of(&s.user)?;
                Some(Identity {
                    user: s.user,
                    role,
                    via: Via::Session { id, csrf: s.csrf },
                })
            }),
    };
    let Some(identity) = identity else {
        return unauthorized(is_api, req.uri());
    };
    if is_state_changing(req.method()) {
        if !same_origin(req.headers()) {
            return ApiError::new(StatusCode::FORBIDDEN, "cross-origin request refused")
                .into_response();
        }
        if let Via::Session { csrf, .. } = &identity.via {
            let sent = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let sent = match sent {
                Some(s) => Some(s),
                None => form_csrf(&mut req).await,
            };
            if !sent.is_some_and(|s| same_secret(&s, csrf)) {
                return ApiError::new(StatusCode::FORBIDDEN, "missing or wrong CSRF token")
                    .into_response();
            }
        }
    }
    req.extensions_mut().insert(identity);
    next.run(req).await
}

/// The `csrf` field of an urlencoded form body (the body is put back).
async fn form_csrf(req: &mut Request) -> Option<String> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    let body = std::mem::take(req.body_mut());
    let bytes = axum::body::to_bytes(body, super::MAX_BODY).await.ok()?;
    let csrf = super::ui::form_field(&bytes, "csrf");
    *req.body_mut() = axum::body::Body::from(bytes);
    csrf
}

/// Drops a removed user's sessions.
pub(crate) fn forget_user(state: &AppState, user: &str) {
    state.sessions.remove_user(user);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_file_round_trip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let u = Users::open(dir.path(), "first-password").unwrap();
        assert!(u.verify("admin", "first-password").is_some());
        assert!(u.verify("admin", "wrong").is_none());
        assert!(u.verify("nobody", "first-password").is_none());
        u.add_user("ro", "viewer-password", Role::Viewer).unwrap();
        assert!(u.add_user("ro", "x", Role::Viewer).is_err());
        assert!(u.add_user("bad name", "x", Role::Viewer).is_err());
        let (info, secret) = u.add_token("ro", "scrape").unwrap();
        assert_eq!(u.check_token(&secret).unwrap().name, "ro");
        assert!(u.check_token("weir_nope").is_none());
        let text = std::fs::read_to_string(dir.path().join(USERS_FILE)).unwrap();
        assert!(!text.contains(&secret) && !text.contains("viewer-password"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(USERS_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Reopening keeps users and does not create a new admin.
        let again = Users::open(dir.path(), "other").unwrap();
        assert!(again.verify("admin", "first-password").is_some());
        assert_eq!(again.role_of("ro"), Some(Role::Viewer));
        assert!(again.remove_token(&info.id).unwrap());
        assert!(again.check_token(&secret).is_none());
        assert!(again.remove_user("admin").is_err(), "last admin stays");
        assert!(again.remove_user("ro").unwrap());
    }

    #[test]
    fn lockout_after_failures() {
        let f = Failures::default();
        for _ in 0..MAX_FAILURES - 1 {
            f.add("admin");
        }
        assert!(!f.locked("admin"));
        f.add("admin");
        assert!(f.locked("admin") && !f.locked("other"));
        f.clear("admin");
        assert!(!f.locked("admin"));
    }

    #[test]
    fn origin_checks() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h));
        h.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        h.insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h));
    }

    #[test]
    fn cookies_and_secrets() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; weir_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("a", "ab"));
        assert!(ui_next_ok("/flows?x=1") && !ui_next_ok("//evil") && !ui_next_ok("http://x"));
    }
}
