//! The users file: users with argon2id password hashes and API tokens stored as
//! SHA-256 digests only, in `<data_dir>/users.toml` (mode 0600, written atomically).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// File name of the users file inside the data directory.
pub(crate) const USERS_FILE: &str = "users.toml";

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

/// `n` random bytes, base64url without padding.
pub(crate) fn random_b64(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(Error::Randomness)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(Error::Randomness)?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(Error::HashPassword)
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
            Ok(text) => {
                toml::from_str::<UsersFile>(&text).map_err(|source| Error::InvalidUsers {
                    path: path.clone(),
                    source,
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => UsersFile::default(),
            Err(source) => return Err(Error::ReadUsers { path, source }),
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
        let text = toml::to_string(file).map_err(Error::SerializeUsers)?;
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
        write().map_err(|source| Error::WriteUsers {
            path: self.path.clone(),
            source,
        })
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
            return Err(Error::InvalidUserName);
        }
        let hash = hash_password(password)?;
        self.modify(|f| {
            if f.users.iter().any(|u| u.name == name) {
                return Err(Error::UserExists(name.to_string()));
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
                return Err(Error::LastAdmin);
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
                return Err(Error::NoUser(user.to_string()));
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
}
