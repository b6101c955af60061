//! Webhook endpoint: HTTP POST of JSON with a timeout, retries and exponential backoff.
//!
//! A batch is posted as a JSON array of notifications (or one object per request
//! with [`WebhookConfig::one_per_request`]). Transport errors, 408, 429 and 5xx are
//! retried up to [`WebhookConfig::max_retries`] times, waiting
//! `backoff_initial × 2^attempt` (capped by `backoff_max`) in between; other 4xx
//! are not retried. A batch given up on is counted as failed by the endpoint thread
//! and reported with `alert_dropped_alerts`. The queue in front of the thread is
//! bounded ([`EndpointConfig::queue_capacity`](super::EndpointConfig)).

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Endpoint;
use crate::alert::Notification;
use crate::error::{Error, Result};

/// Settings of a [`Webhook`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookConfig {
    /// `http://…` (or `https://…` with the `webhook-tls` feature).
    pub url: String,
    /// Timeout of one request (connect + send + response).
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Wait before the first retry.
    pub backoff_initial: Duration,
    /// Longest wait between retries.
    pub backoff_max: Duration,
    /// Extra request headers (e.g. `Authorization`).
    pub headers: Vec<(String, String)>,
    /// Post each notification as its own JSON object instead of arrays.
    pub one_per_request: bool,
}

impl WebhookConfig {
    /// Defaults: 5 s timeout, 3 retries, backoff 500 ms doubling up to 30 s, arrays.
    pub fn new(url: impl Into<String>) -> WebhookConfig {
        WebhookConfig {
            url: url.into(),
            timeout: Duration::from_secs(5),
            max_retries: 3,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            headers: Vec::new(),
            one_per_request: false,
        }
    }
}

/// Posts notifications to an HTTP endpoint.
pub struct Webhook {
    config: WebhookConfig,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.config.url)
            .finish()
    }
}

enum Outcome {
    Retry(String),
    GiveUp(String),
}

impl Webhook {
    /// Creates the HTTP client (no connection is made yet).
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that is not `http://` or `https://`.
    pub fn new(config: WebhookConfig) -> Result<Webhook> {
        if !(config.url.starts_with("http://") || config.url.starts_with("https://")) {
            return Err(Error::Config(format!(
                "webhook URL must start with http:// or https://: {}",
                config.url
            )));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Webhook { config, agent })
    }

    fn post_once(&self, body: &[u8]) -> std::result::Result<(), Outcome> {
        let mut req = self
            .agent
            .post(&self.config.url)
            .header("content-type", "application/json");
        for (k, v) in &self.config.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        match req.send(body) {
            Ok(resp) => {
                let status = resp.status().as_u16();
                // Drain a little of the body so the connection can be reused.
                let _ = resp.into_body().with_config().limit(64 << 10).read_to_vec();
                match status {
                    200..=299 => Ok(()),
                    408 | 429 | 500..=599 => Err(Outcome::Retry(format!("HTTP {status}"))),
                    _ => Err(Outcome::GiveUp(format!("HTTP {status}"))),
                }
            }
            Err(e) => Err(Outcome::Retry(e.to_string())),
        }
    }

    fn post(&self, body: &[u8]) -> Result<()> {
        let mut wait = self.config.backoff_initial;
        let mut attempt = 0u32;
        loop {
            let reason = match self.post_once(body) {
                Ok(()) => return Ok(()),
                Err(Outcome::GiveUp(r)) => {
                    return Err(Error::Delivery {
                        endpoint: self.config.url.clone(),
                        reason: r,
                    });
                }
                Err(Outcome::Retry(r)) => r,
            };
            if attempt >= self.config.max_retries {
                return Err(Error::Delivery {
                    endpoint: self.config.url.clone(),
                    reason: format!("{reason} (gave up after {} attempts)", attempt + 1),
                });
            }
            tracing::debug!(url = %self.config.url, %reason, attempt, "webhook retry");
            // The endpoint's own thread waits here; the engine never does.
            std::thread::sleep(wait);
            wait = (wait * 2).min(self.config.backoff_max);
            attempt += 1;
        }
    }
}

impl Endpoint for Webhook {
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> Result<()> {
        if self.config.one_per_request {
            let mut first_err = None;
            let mut failed = 0;
            for n in batch {
                let body = to_json(&**n)?;
                if let Err(e) = self.post(&body) {
                    failed += 1;
                    first_err.get_or_insert(e);
                }
            }
            match first_err {
                None => Ok(()),
                Some(e) => Err(Error::Delivery {
                    endpoint: self.config.url.clone(),
                    reason: format!("{failed} of {} not delivered: {e}", batch.len()),
                }),
            }
        } else {
            let items: Vec<&Notification> = batch.iter().map(|n| &**n).collect();
            let body = to_json(&items)?;
            self.post(&body)
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|source| Error::Json {
        context: "webhook body",
        source,
    })
}
