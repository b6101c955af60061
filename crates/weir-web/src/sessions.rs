//! UI sessions (in memory) and the failed-login counters that lock a user name out
//! for a while.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::error::Result;
use crate::users::random_b64;

/// A session lasts this long after login.
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// At most this many sessions; the oldest go first.
const MAX_SESSIONS: usize = 10_000;

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

    /// Ends every session of `user`.
    pub(crate) fn remove_user(&self, user: &str) {
        self.map.lock().retain(|_, s| s.user != user);
    }
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
    /// Whether `user` is locked out now.
    pub(crate) fn locked(&self, user: &str) -> bool {
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

    /// Counts a failed check for `user`.
    pub(crate) fn add(&self, user: &str) {
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

    /// Forgets the failures of `user` (after a successful check).
    pub(crate) fn clear(&self, user: &str) {
        self.map.lock().remove(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
