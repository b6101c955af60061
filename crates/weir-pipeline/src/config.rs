//! The `weir run` configuration file (TOML).
//!
//! Every field has a default; a file only names what it changes. Unknown keys and bad
//! values are errors that name the key and the line. [`DEFAULT_CONFIG`] is the fully
//! commented default file that `weir config default` prints; a test checks that it
//! parses to exactly [`Config::default`], so the two cannot drift.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Deserializer, Serialize};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the alert store, timeseries and sample capture live.
    pub data_dir: PathBuf,
    /// Local networks (CIDR, IPv4 and IPv6): hosts in them are "local".
    #[serde(deserialize_with = "cidrs")]
    pub local_networks: Vec<String>,
    /// Packet and event sources.
    pub sources: Sources,
    /// Flow engine tunables.
    pub flows: Flows,
    /// Plugins and their user scripts.
    pub plugins: Plugins,
    /// Alert store and delivery.
    pub alerts: Alerts,
    /// Timeseries backend.
    pub timeseries: Timeseries,
    /// Flow history (ended flows) in the embedded store.
    pub history: History,
    /// ClickHouse: flow history and alerts of many probes.
    pub clickhouse: ClickHouse,
    /// Web UI and REST API.
    pub web: Web,
    /// Logging.
    pub log: Log,
    /// Block lists.
    pub lists: Lists,
    /// GeoIP databases.
    pub geoip: GeoIp,
    /// Category catalogue files.
    pub categories: Categories,
    /// How an interface is processed.
    pub run: RunConfig,
}

/// `[run]`: how an interface is processed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Worker shards per interface (`--workers`): flows are spread over this many
    /// threads by a hash of their 5-tuple; 1 is the single engine thread; 0 (the
    /// default) picks the cores but one, at least 1 and at most 8 (docs/scaling.md).
    pub workers: usize,
}

impl Default for RunConfig {
    /// The cores but one (0), at least 1 and at most 8.
    fn default() -> Self {
        RunConfig { workers: 0 }
    }
}

impl RunConfig {
    /// The number of workers to run: `workers`, or the default when 0.
    pub fn effective_workers(&self) -> usize {
        match self.workers {
            0 => crate::shards::default_workers(),
            n => n,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            local_networks: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
                .map(String::from)
                .to_vec(),
            sources: Sources::default(),
            flows: Flows::default(),
            plugins: Plugins::default(),
            alerts: Alerts::default(),
            timeseries: Timeseries::default(),
            history: History::default(),
            clickhouse: ClickHouse::default(),
            web: Web::default(),
            log: Log::default(),
            lists: Lists::default(),
            geoip: GeoIp::default(),
            categories: Categories::default(),
            run: RunConfig::default(),
        }
    }
}

/// `[lists]`: block lists the engine keeps (`flow.isBlacklisted()`,
/// `host.isBlacklisted()`, the `blacklisted` plugin).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lists {
    /// The list files.
    pub blocklists: Vec<ListFile>,
    /// Wall-clock seconds between two looks at the files' modification times (0:
    /// never reload).
    pub reload_check_secs: u64,
    /// Load `blocklist.txt` of the data directory as a list too, when it exists.
    pub data_dir_blocklist: bool,
}

impl Default for Lists {
    fn default() -> Self {
        Lists {
            blocklists: Vec::new(),
            reload_check_secs: 10,
            data_dir_blocklist: true,
        }
    }
}

/// One block list file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListFile {
    /// Name in alerts and counters (default: the file name).
    #[serde(default)]
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// `"auto"` (default: each line an address, network or domain), `"ip"` or `"domain"`.
    #[serde(default = "auto_kind", deserialize_with = "list_kind")]
    pub kind: String,
}

fn auto_kind() -> String {
    "auto".into()
}

fn list_kind<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let s = String::deserialize(d)?;
    match weir_flow::ListKind::from_name(&s) {
        Some(k) => Ok(k.name().to_string()),
        None => Err(serde::de::Error::custom(format!(
            "unknown list kind {s:?} (expected auto, ip, domain)"
        ))),
    }
}

/// `[geoip]`: MaxMind DB files (GeoLite2/GeoIP2 Country, City, ASN).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct GeoIp {
    /// Country (or City) database.
    pub country_db: Option<PathBuf>,
    /// ASN database.
    pub asn_db: Option<PathBuf>,
    /// More databases, each used for what its metadata says it holds.
    pub databases: Vec<PathBuf>,
}

impl GeoIp {
    /// Every configured database file.
    pub fn files(&self) -> Vec<PathBuf> {
        self.country_db
            .iter()
            .chain(&self.asn_db)
            .chain(&self.databases)
            .cloned()
            .collect()
    }
}

/// `[categories]`: host-name and address category files
/// (`<host-or-ip-or-cidr> <nDPI category name or id>` per line).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Categories {
    /// The files.
    pub files: Vec<PathBuf>,
}

/// Packet and event sources.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Sources {
    /// Capture files, replayed in order as one interface.
    pub pcap: Vec<PathBuf>,
    /// Live interfaces (AF_PACKET, promiscuous), one capture thread each.
    pub interfaces: Vec<String>,
    /// Syslog listeners, e.g. `udp://127.0.0.1:5514` or `tcp://127.0.0.1:5514`.
    pub syslog: Vec<String>,
    /// Messages the queue between the syslog listeners and the syslog scripts holds
    /// (0: the default, 16,384); a full queue drops and raises an alert.
    pub syslog_queue: usize,
    /// Replay speed for capture files: 0 as fast as possible, 1 real time, 2 twice as fast.
    #[serde(deserialize_with = "non_negative")]
    pub replay_speed: f64,
    /// Replay each capture file as its own interface (own engine thread and plugins)
    /// instead of one after the other.
    pub separate_interfaces: bool,
    /// Treat capture files as ntopng "pcap dump" interfaces: only `protocolDetected` runs.
    pub pcap_dump_mode: bool,
}

/// Flow engine tunables (see docs/flows.md).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Flows {
    /// Period of the flow visit (`flow_visit_interval`), seconds of packet time.
    #[serde(deserialize_with = "positive")]
    pub visit_interval_secs: u64,
    /// A flow idle this long ends (`idle` / `flowEnd`), seconds.
    #[serde(deserialize_with = "positive")]
    pub idle_timeout_secs: u64,
    /// A TCP flow closed by FIN or RST ends after this idleness, seconds.
    #[serde(deserialize_with = "positive")]
    pub closed_timeout_secs: u64,
    /// `periodicUpdate` period on long-lived flows, seconds.
    #[serde(deserialize_with = "positive")]
    pub periodic_update_secs: u64,
    /// Most flows tracked at once; past it a new flow evicts the least recently seen
    /// one (counted).
    #[serde(deserialize_with = "positive")]
    pub max_flows: u64,
    /// Most hosts tracked at once; past it a new host evicts the host idle (without
    /// flows or engaged alerts) the longest (counted).
    #[serde(deserialize_with = "positive")]
    pub max_hosts: u64,
}

impl Default for Flows {
    fn default() -> Self {
        Flows {
            visit_interval_secs: 5,
            idle_timeout_secs: 60,
            closed_timeout_secs: 10,
            periodic_update_secs: 300,
            max_flows: weir_flow::DEFAULT_MAX_FLOWS as u64,
            max_hosts: weir_flow::DEFAULT_MAX_HOSTS as u64,
        }
    }
}

/// Plugins and user scripts.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Plugins {
    /// Load the built-in plugins shipped with weir.
    pub builtin: bool,
    /// More plugin directories: each is one plugin or a directory of plugins.
    pub dirs: Vec<PathBuf>,
    /// Lua instructions one hook call may run before it is stopped.
    #[serde(deserialize_with = "positive")]
    pub instruction_budget: u64,
    /// Memory limit of each Lua VM, MiB.
    #[serde(deserialize_with = "positive")]
    pub memory_limit_mib: u64,
    /// A script that fails this many times in a row is disabled until reload.
    #[serde(deserialize_with = "positive")]
    pub max_consecutive_failures: u64,
    /// Memory one script may keep in its VM, MiB (0: a quarter of
    /// `memory_limit_mib`). Checked when the VM passes 60% of its limit; a script
    /// over it is stopped alone (disabled, its state dropped, an alert raised).
    pub memory_budget_mib: u64,
    /// Budgets of particular scripts, MiB, by script key (`syn_scan`) or
    /// `subdir/key` (`flow/syn_scan`).
    pub memory_budgets: BTreeMap<String, u64>,
}

impl Default for Plugins {
    fn default() -> Self {
        Plugins {
            builtin: true,
            dirs: Vec::new(),
            instruction_budget: 10_000_000,
            memory_limit_mib: 256,
            max_consecutive_failures: 5,
            memory_budget_mib: 0,
            memory_budgets: BTreeMap::new(),
        }
    }
}

/// Alert store and delivery.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Alerts {
    /// Delete past and flow alerts older than this many days of packet time (0: keep).
    pub retention_days: u64,
    /// Keep at most this many past alerts and this many flow alerts (0: no cap).
    pub max_rows: u64,
    /// Wait for the disk on every commit (survives power loss, slower).
    pub sync_full: bool,
    /// Where alerts are delivered besides the store.
    pub endpoints: Vec<Endpoint>,
    /// Configurations of plugin endpoint modules (`alert_endpoints/<key>.lua`).
    pub endpoint_configs: Vec<EndpointConfig>,
    /// Recipients of those configurations (ntopng 4.2's recipient model).
    pub recipients: Vec<RecipientConfig>,
    /// Where `ntop.syslog` sends: `"local"` (`/dev/log`) or `"udp://HOST:PORT"`.
    pub lua_syslog_target: String,
    /// The file this configuration was read from (for messages), when any.
    #[serde(skip)]
    pub config_file: String,
}

/// `[[alerts.endpoint_configs]]`: an endpoint module and its `conf_params`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// Unique name, referenced by recipients.
    pub name: String,
    /// The endpoint key: the module's file base name (`webhook`, `email`, …).
    pub endpoint: String,
    /// Values of the module's `conf_params`.
    #[serde(default)]
    pub conf_params: std::collections::BTreeMap<String, String>,
}

/// `[[alerts.recipients]]`: who gets notifications through an endpoint config.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientConfig {
    /// Unique name.
    pub name: String,
    /// The endpoint configuration's name.
    pub endpoint_config: String,
    /// Values of the module's `recipient_params`.
    #[serde(default)]
    pub recipient_params: std::collections::BTreeMap<String, String>,
    /// Least severity delivered (default notice).
    #[serde(default = "default_min_severity", deserialize_with = "severity")]
    pub minimum_severity: String,
    /// User script categories (names or ids: other, security, internals, network,
    /// system); empty = all.
    #[serde(default)]
    pub user_script_categories: Vec<String>,
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            retention_days: 30,
            max_rows: 10_000_000,
            sync_full: false,
            endpoints: Vec::new(),
            endpoint_configs: Vec::new(),
            recipients: Vec::new(),
            lua_syslog_target: "local".into(),
            config_file: String::new(),
        }
    }
}

/// An alert endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Endpoint {
    /// One JSON alert per line in a file, rotated by size.
    Ndjson {
        /// The file.
        path: PathBuf,
        /// Rotate when the file reaches this size, MiB.
        #[serde(default = "default_rotate_mib")]
        rotate_mib: u64,
        /// Least severity delivered.
        #[serde(default = "default_min_severity", deserialize_with = "severity")]
        min_severity: String,
    },
    /// RFC 5424 syslog over UDP or TCP.
    Syslog {
        /// `udp://host:port` or `tcp://host:port`.
        address: String,
        /// Least severity delivered.
        #[serde(default = "default_min_severity", deserialize_with = "severity")]
        min_severity: String,
    },
    /// HTTP POST of JSON, with retries.
    Webhook {
        /// The URL.
        url: String,
        /// Per-request timeout, seconds.
        #[serde(default = "default_webhook_timeout")]
        timeout_secs: u64,
        /// Retries before an alert is counted as undelivered.
        #[serde(default = "default_webhook_retries")]
        retries: u32,
        /// Least severity delivered.
        #[serde(default = "default_min_severity", deserialize_with = "severity")]
        min_severity: String,
    },
}

fn default_rotate_mib() -> u64 {
    64
}
fn default_min_severity() -> String {
    "notice".into()
}
fn default_webhook_timeout() -> u64 {
    5
}
fn default_webhook_retries() -> u32 {
    5
}

/// Timeseries backend.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeseries {
    /// `embedded` (in the data directory), `influxdb` or `off`.
    #[serde(deserialize_with = "ts_backend")]
    pub backend: String,
    /// InfluxDB URL including the database (2.x: the bucket), e.g.
    /// `http://127.0.0.1:8086/weir`.
    pub influxdb_url: String,
    /// InfluxDB 2.x token (uses `/api/v2/write`); empty for 1.x.
    pub influxdb_token: String,
    /// InfluxDB 2.x organisation (with a token).
    pub influxdb_org: String,
    /// InfluxDB 1.x user name; empty for none.
    pub influxdb_user: String,
    /// InfluxDB 1.x password.
    pub influxdb_password: String,
    /// Lines per InfluxDB write request.
    #[serde(deserialize_with = "positive")]
    pub influxdb_batch_lines: u64,
    /// Memory kept for InfluxDB requests while the server is unreachable, MiB.
    #[serde(deserialize_with = "positive")]
    pub influxdb_buffer_mib: u64,
    /// Directory for requests that overflow the memory buffer (kept across restarts);
    /// empty: they are dropped and counted.
    pub influxdb_spool_dir: PathBuf,
    /// Steps queued between the engine threads and the timeseries writer thread; a
    /// full queue drops the step and counts it.
    #[serde(deserialize_with = "positive")]
    pub queue_steps: u64,
    /// Write the built-in interface, host, network, L7, alert and score series.
    pub builtin_series: bool,
}

impl Default for Timeseries {
    fn default() -> Self {
        Timeseries {
            backend: "embedded".into(),
            influxdb_url: String::new(),
            influxdb_token: String::new(),
            influxdb_org: String::new(),
            influxdb_user: String::new(),
            influxdb_password: String::new(),
            influxdb_batch_lines: 5000,
            influxdb_buffer_mib: 64,
            influxdb_spool_dir: PathBuf::new(),
            queue_steps: 64,
            builtin_series: true,
        }
    }
}

impl Timeseries {
    /// Applies `--timeseries SPEC`: `embedded`, `off` or `influxdb=http://HOST:PORT/DB`.
    ///
    /// # Errors
    /// Any other form.
    pub fn apply_flag(&mut self, spec: &str) -> Result<()> {
        match spec.split_once('=') {
            None if spec == "embedded" || spec == "off" => self.backend = spec.into(),
            Some(("influxdb", url)) => {
                weir_ts::InfluxConfig::parse(url)
                    .map_err(|e| anyhow::anyhow!("--timeseries influxdb=URL: {e}"))?;
                self.backend = "influxdb".into();
                self.influxdb_url = url.into();
            }
            _ => anyhow::bail!(
                "--timeseries {spec:?}: expected embedded, off or influxdb=http://HOST:PORT/DBNAME"
            ),
        }
        Ok(())
    }

    /// The InfluxDB settings (URL, credentials or token, batch and buffer sizes).
    ///
    /// # Errors
    /// A missing or malformed `influxdb_url`, or a token without an organisation.
    pub fn influx(&self) -> Result<weir_ts::InfluxConfig> {
        if self.influxdb_url.is_empty() {
            anyhow::bail!(
                "[timeseries] backend = \"influxdb\" needs influxdb_url (http://HOST:PORT/DBNAME)"
            );
        }
        let mut c = weir_ts::InfluxConfig::parse(&self.influxdb_url)
            .map_err(|e| anyhow::anyhow!("[timeseries] influxdb_url: {e}"))?;
        let db = c.database().to_string();
        c.api = if self.influxdb_token.is_empty() {
            weir_ts::InfluxApi::V1 {
                db,
                user: (!self.influxdb_user.is_empty()).then(|| self.influxdb_user.clone()),
                password: (!self.influxdb_password.is_empty())
                    .then(|| self.influxdb_password.clone()),
            }
        } else {
            if self.influxdb_org.is_empty() {
                anyhow::bail!("[timeseries] influxdb_token (2.x) needs influxdb_org");
            }
            c.create_database = false;
            weir_ts::InfluxApi::V2 {
                org: self.influxdb_org.clone(),
                bucket: db,
                token: self.influxdb_token.clone(),
            }
        };
        c.batch_max_lines = usize::try_from(self.influxdb_batch_lines).unwrap_or(usize::MAX);
        c.buffer_max_bytes =
            usize::try_from(self.influxdb_buffer_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        if !self.influxdb_spool_dir.as_os_str().is_empty() {
            c.spool_dir = Some(self.influxdb_spool_dir.clone());
        }
        Ok(c)
    }
}

/// `[history]`: every ended flow (idle, evicted, or active at the end of a replay or
/// at shutdown) kept in `DATA_DIR/history.sqlite`, unless ClickHouse is configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct History {
    /// Record ended flows.
    pub enabled: bool,
    /// Delete flows older than this many days before the newest one (0: keep).
    pub max_age_days: u64,
    /// Delete the oldest flows while the store takes more than this many MiB (0: no cap).
    pub max_size_mib: u64,
    /// The probe name written in every flow and alert (`--probe-name`); empty: the host
    /// name.
    pub probe_name: String,
}

impl Default for History {
    fn default() -> Self {
        History {
            enabled: true,
            max_age_days: 30,
            max_size_mib: 1024,
            probe_name: String::new(),
        }
    }
}

impl History {
    /// The probe name: the configured one, else the host name, else `weir`.
    pub fn probe(&self) -> String {
        if !self.probe_name.is_empty() {
            return self.probe_name.clone();
        }
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "weir".into())
    }
}

/// `[clickhouse]`: flows and alerts go to ClickHouse (tables `flows` and `alerts` with a
/// `probe` column) instead of the embedded history store.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClickHouse {
    /// `http://HOST:PORT/DATABASE` (`--clickhouse`); empty: off.
    pub url: String,
    /// User; empty: `default`.
    pub user: String,
    /// Password.
    pub password: String,
    /// Database, overriding the one in the URL.
    pub database: String,
    /// Days rows are kept (TTL, or dropped partitions on servers without TTL; 0: keep).
    pub retention_days: u32,
    /// Rows per insert.
    #[serde(deserialize_with = "positive")]
    pub batch_rows: u64,
    /// Milliseconds a row may wait for its batch.
    #[serde(deserialize_with = "positive")]
    pub flush_ms: u64,
    /// Spool for batches the server did not take; empty: `DATA_DIR/clickhouse-spool`.
    pub spool_dir: PathBuf,
    /// MiB the spool may hold; past it batches are dropped, counted and alerted.
    #[serde(deserialize_with = "positive")]
    pub spool_max_mib: u64,
}

impl Default for ClickHouse {
    fn default() -> Self {
        ClickHouse {
            url: String::new(),
            user: String::new(),
            password: String::new(),
            database: String::new(),
            retention_days: 30,
            batch_rows: 50_000,
            flush_ms: 1000,
            spool_dir: PathBuf::new(),
            spool_max_mib: 256,
        }
    }
}

impl ClickHouse {
    /// True when a URL is configured.
    pub fn enabled(&self) -> bool {
        !self.url.is_empty()
    }

    /// The server settings.
    ///
    /// # Errors
    /// A malformed URL or database name.
    pub fn server(&self) -> Result<weir_history::clickhouse::ClickHouseConfig> {
        let mut c = weir_history::clickhouse::ClickHouseConfig::from_url(&self.url)
            .map_err(|e| anyhow::anyhow!("[clickhouse] url: {e}"))?;
        if !self.database.is_empty() {
            c = weir_history::clickhouse::ClickHouseConfig::from_url(&format!(
                "{}/{}",
                c.url, self.database
            ))
            .map_err(|e| anyhow::anyhow!("[clickhouse] database: {e}"))?;
        }
        c.user = (!self.user.is_empty()).then(|| self.user.clone());
        c.password = (!self.password.is_empty()).then(|| self.password.clone());
        c.retention_days = self.retention_days;
        Ok(c)
    }
}

/// Web UI and REST API.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Web {
    /// Listen address, e.g. `127.0.0.1:3000`; empty: no web server.
    pub listen: String,
    /// Initial admin password (else `WEIR_ADMIN_PASSWORD`, else generated and printed once).
    pub admin_password: String,
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    /// `error`, `warn`, `info`, `debug` or `trace` (or a tracing filter directive).
    #[serde(deserialize_with = "log_level")]
    pub level: String,
    /// `text` or `json`.
    #[serde(deserialize_with = "log_format")]
    pub format: String,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            level: "info".into(),
            format: "text".into(),
        }
    }
}

fn cidrs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Vec::<String>::deserialize(d)?;
    for s in &v {
        s.parse::<ipnet::IpNet>().map_err(|_| {
            serde::de::Error::custom(format!("{s:?} is not a CIDR network (e.g. 192.168.1.0/24)"))
        })?;
    }
    Ok(v)
}

fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = u64::deserialize(d)?;
    if n == 0 {
        return Err(serde::de::Error::custom("must be at least 1"));
    }
    Ok(n)
}

fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = f64::deserialize(d)?;
    if !(x >= 0.0 && x.is_finite()) {
        return Err(serde::de::Error::custom("must be 0 or a positive number"));
    }
    Ok(x)
}

fn one_of<'de, D: Deserializer<'de>>(d: D, allowed: &[&str]) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if !allowed.contains(&s.as_str()) {
        return Err(serde::de::Error::custom(format!(
            "{s:?} is not one of {}",
            allowed.join(", ")
        )));
    }
    Ok(s)
}

fn severity<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    one_of(
        d,
        &[
            "debug",
            "info",
            "notice",
            "warning",
            "error",
            "critical",
            "alert",
            "emergency",
        ],
    )
}

fn ts_backend<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    one_of(d, &["embedded", "influxdb", "off"])
}

fn log_format<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    one_of(d, &["text", "json"])
}

fn log_level<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    log_filter(&s).map_err(serde::de::Error::custom)?;
    Ok(s)
}

/// Level names a log filter accepts.
const LOG_LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// Checks a log level (`[log] level`, `--log-level`): a level name, or comma-separated
/// `target=level` directives, possibly with one bare level. A bare word that is not a
/// level (`verbose`) would be read by tracing as a target and hide every line, so it is
/// refused. Returns the filter text.
///
/// # Errors
/// The first directive that is neither, named.
pub fn log_filter(level: &str) -> Result<String, String> {
    let text = level.trim();
    if text.is_empty() {
        return Err("empty log level (error, warn, info, debug, trace, off)".into());
    }
    for d in text.split(',').map(str::trim) {
        let lvl = match d.split_once('=') {
            Some((target, l)) if !target.trim().is_empty() => l.trim(),
            Some(_) => return Err(format!("{d:?}: a target=level directive needs a target")),
            None => d,
        };
        if !LOG_LEVELS.contains(&lvl.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{lvl:?} is not a log level (error, warn, info, debug, trace, off, \
                 or target=level such as weir_flow=debug)"
            ));
        }
    }
    Ok(text.to_string())
}

impl Config {
    /// Parses a configuration; `name` is used in error messages.
    ///
    /// # Errors
    /// A syntax error, an unknown key or a bad value, naming the key and line.
    pub fn parse(text: &str, name: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| anyhow::anyhow!("{name}: {}", one_line(&e)))
    }

    /// Reads and parses a configuration file.
    ///
    /// # Errors
    /// The file cannot be read, or [`Config::parse`] fails.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let mut c = Config::parse(&text, &path.display().to_string())?;
        c.alerts.config_file = path.display().to_string();
        Ok(c)
    }
}

/// toml's messages span several lines (with a caret under the value); keep the
/// position and the reason on one line: "line 3, column 1: unknown field ...".
/// Most problems [`Config::problems`] reports.
const MAX_PROBLEMS: usize = 50;

impl Config {
    /// Every problem of a configuration text, each naming the key and line, in the
    /// order met: after a problem its line is set aside and the rest read again (a
    /// problem on a `[section]` line, or one without a position, ends the search).
    /// Then what `weir run` would refuse of the values themselves: the web listen
    /// address (`IP:PORT`), the syslog listener specs. Empty: the file is good.
    pub fn problems(text: &str, name: &str) -> Vec<String> {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut out = Vec::new();
        while out.len() < MAX_PROBLEMS {
            match toml::from_str::<Config>(&lines.join("\n")) {
                Ok(cfg) => {
                    out.extend(
                        cfg.value_problems()
                            .into_iter()
                            .map(|p| format!("{name}: {p}")),
                    );
                    break;
                }
                Err(e) => {
                    out.push(format!("{name}: {}", one_line(&e)));
                    let joined = lines.join("\n");
                    let Some(line) = e
                        .span()
                        .map(|s| joined[..s.start.min(joined.len())].matches('\n').count())
                    else {
                        break;
                    };
                    match lines.get_mut(line) {
                        Some(l) if !l.trim_start().starts_with('[') && !l.trim().is_empty() => {
                            l.clear();
                        }
                        _ => break,
                    }
                }
            }
        }
        out
    }

    /// Values the file format accepts but `weir run` refuses.
    fn value_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let listen = self.web.listen.trim();
        if !listen.is_empty() && listen.parse::<std::net::SocketAddr>().is_err() {
            out.push(format!(
                "[web] listen = {listen:?}: not an IP:PORT address with a port up to 65535 \
                 (e.g. 127.0.0.1:3000)"
            ));
        }
        for s in &self.sources.syslog {
            if let Err(e) = crate::syslog::parse_spec(s) {
                out.push(format!("[sources] syslog {s:?}: {e}"));
            }
        }
        out
    }
}

fn one_line(e: &toml::de::Error) -> String {
    let msg = e.message().trim();
    match e
        .to_string()
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("TOML parse error at "))
    {
        Some(at) => format!("{}: {msg}", at.trim_end_matches(':')),
        None => msg.to_string(),
    }
}

/// The default configuration, every field commented: what `weir config default` prints.
pub const DEFAULT_CONFIG: &str = r#"# weir configuration. Every value below is the default; delete what you do not change.
# Command-line flags override the file.

# Where the alert store (alerts.db), timeseries and sample capture live.
data_dir = "data"

# Local networks (CIDR, IPv4 and IPv6): hosts in them are "local" (host scripts with
# local_only, local-host timeseries, remote-to-remote checks).
local_networks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]

[sources]
# Capture files (pcap or pcapng), replayed in order as one interface.
pcap = []
# Live interfaces (AF_PACKET, promiscuous), one capture thread each. Needs root or
# CAP_NET_RAW.
interfaces = []
# Syslog listeners: "udp://127.0.0.1:5514", "tcp://127.0.0.1:5514".
syslog = []
# Messages queued between the syslog listeners and the syslog scripts (0: 16,384). A
# full queue drops messages, counts them and raises alert_too_many_drops.
syslog_queue = 0
# Capture-file replay speed: 0 as fast as possible, 1 real time, 2 twice as fast.
replay_speed = 0.0
# Replay each capture file as its own interface (its own engine thread and plugins)
# instead of one after the other.
separate_interfaces = false
# Treat capture files as ntopng "pcap dump" interfaces: only protocolDetected runs.
pcap_dump_mode = false

[run]
# Worker threads per interface: flows are spread over them by a hash of their 5-tuple
# (both directions and a tunnel's inner flow land on one worker); host, network and
# interface scripts run once, on the merged counters. 1 is a single engine thread;
# 0 (the default) picks the cores but one, at least 1 and at most 8 (1 when the web UI or syslog
# listeners run). See docs/scaling.md.
workers = 0

[flows]
# Period of the flow visit (flow_visit_interval), seconds of packet time.
visit_interval_secs = 5
# A flow idle this long ends (idle / flowEnd hooks), seconds.
idle_timeout_secs = 60
# A TCP flow closed by FIN or RST ends after this idleness, seconds.
closed_timeout_secs = 10
# periodicUpdate period on long-lived flows, seconds (5 x the idle timeout).
periodic_update_secs = 300
# Most flows tracked at once; past it a new flow evicts the least recently seen one
# (counted). About 520 bytes each.
max_flows = 524288
# Most hosts tracked at once; past it a new host evicts the host idle the longest
# (no flows, no engaged alert; counted). About 1 kB each with the scripts' state.
max_hosts = 524288

[plugins]
# Load the built-in plugins shipped with weir.
builtin = true
# More plugin directories: each is one plugin (it has manifest.lua or user_scripts/)
# or a directory of plugins.
dirs = []
# Lua instructions one hook call may run before it is stopped (counted as a failure).
instruction_budget = 10000000
# Memory limit of each Lua VM, MiB.
memory_limit_mib = 256
# A script failing this many times in a row is disabled until the plugins are reloaded.
max_consecutive_failures = 5
# Memory one script may keep in its VM, MiB (0: a quarter of memory_limit_mib). When the
# VM passes 60% of its limit the memory each script keeps is measured; a script over its
# budget is stopped alone (disabled, its state dropped, a user script error alert).
memory_budget_mib = 0
# Budgets of particular scripts, MiB, by script key or subdir/key:
# [plugins.memory_budgets]
# syn_scan = 128

# User script settings (enabled, thresholds, per-host and per-network overrides) live in
# DATA_DIR/scripts.toml, edited with `weir scripts` (see docs/plugins/configuration.md).

[alerts]
# Delete past and flow alerts older than this many days of packet time (0: keep all).
retention_days = 30
# Keep at most this many past alerts and this many flow alerts (0: no cap).
max_rows = 10000000
# Wait for the disk on every commit: survives power loss, at a cost per commit.
sync_full = false

# Endpoints deliver alerts besides the store, each in its own thread:
# [[alerts.endpoints]]
# kind = "ndjson"                 # one JSON alert per line, for a SIEM
# path = "data/alerts.ndjson"
# rotate_mib = 64
# min_severity = "notice"         # debug info notice warning error critical alert emergency
#
# [[alerts.endpoints]]
# kind = "syslog"                 # RFC 5424
# address = "udp://127.0.0.1:514"
#
# [[alerts.endpoints]]
# kind = "webhook"                # HTTP POST of JSON, retried with backoff
# url = "http://127.0.0.1:8080/alerts"
# timeout_secs = 5
# retries = 5

# Plugin endpoint modules (alert_endpoints/<key>.lua, e.g. ntopng 4.2's webhook)
# get notifications through recipients, as in ntopng 4.2:
# [[alerts.endpoint_configs]]
# name = "ops-webhook"
# endpoint = "webhook"            # the module's file base name
# conf_params = { webhook_url = "http://127.0.0.1:8080/alerts" }
#
# [[alerts.recipients]]
# name = "ops"
# endpoint_config = "ops-webhook"
# recipient_params = {}
# minimum_severity = "warning"    # default notice
# user_script_categories = []     # e.g. ["security"]; empty = all
#
# Where ntop.syslog sends: "local" (/dev/log) or "udp://HOST:PORT".
lua_syslog_target = "local"

[timeseries]
# "embedded" (DATA_DIR/timeseries.db), "influxdb" or "off" (--timeseries).
backend = "embedded"
# InfluxDB URL with the database (2.x: the bucket), e.g. "http://127.0.0.1:8086/weir".
influxdb_url = ""
# InfluxDB 2.x token and organisation (then /api/v2/write is used); empty for 1.x.
influxdb_token = ""
influxdb_org = ""
# InfluxDB 1.x credentials; empty for none.
influxdb_user = ""
influxdb_password = ""
# Lines per InfluxDB write request.
influxdb_batch_lines = 5000
# Memory kept for InfluxDB requests while the server is unreachable, MiB; beyond it the
# oldest requests go to the spool directory, or are dropped and counted without one.
influxdb_buffer_mib = 64
# Spool directory for requests that overflow the memory buffer (kept across restarts).
influxdb_spool_dir = ""
# Steps queued for the timeseries writer thread; a full queue drops a step (counted).
queue_steps = 64
# Write the built-in interface, host, network, L7, alert and score series.
builtin_series = true

[history]
# Keep every ended flow (idle, evicted, or still active when a replay ends or weir
# stops) in DATA_DIR/history.sqlite ("weir history flows", the Historical flows page),
# unless [clickhouse] is configured.
enabled = true
# Delete flows older than this many days before the newest one (0: keep).
max_age_days = 30
# Delete the oldest flows while the store takes more than this many MiB (0: no cap).
max_size_mib = 1024
# Probe name written in every flow and alert (--probe-name); empty: the host name.
probe_name = ""

[clickhouse]
# Flows and alerts of this probe go to ClickHouse: "http://HOST:PORT/DATABASE"
# (--clickhouse); empty: off. Tables flows and alerts are created on first start.
url = ""
# User (empty: default) and password.
user = ""
password = ""
# Database, overriding the one in the URL.
database = ""
# Days rows are kept (TTL; dropped partitions on servers older than 19.6; 0: keep).
retention_days = 30
# Rows per insert, and milliseconds a row may wait for its batch.
batch_rows = 50000
flush_ms = 1000
# Where batches ClickHouse did not take wait (empty: DATA_DIR/clickhouse-spool), and
# how many MiB they may take; past it batches are dropped, counted and alerted.
spool_dir = ""
spool_max_mib = 256

[web]
# Listen address of the web UI and REST API, e.g. "127.0.0.1:3000"; empty: off.
listen = ""
# Initial admin password; empty: WEIR_ADMIN_PASSWORD, else generated and printed once.
admin_password = ""

[log]
# error, warn, info, debug, trace, or a tracing filter such as "weir_script=debug".
level = "info"
# "text" or "json".
format = "text"

[lists]
# Block lists kept by the engine (flow.isBlacklisted(), the blacklisted plugin). One
# entry per line: addresses and CIDR networks (IPv4, IPv6), domains (a domain also
# lists its subdomains), hosts-file lines ("0.0.0.0 bad.example"), URLs (their host),
# AdBlock "||domain^"; comments start with a hash or a semicolon. kind: "auto", "ip"
# or "domain".
#   blocklists = [{ name = "spamhaus-drop", path = "/etc/weir/drop.txt", kind = "ip" }]
blocklists = []
# Wall-clock seconds between two looks at the files' modification times (0: never).
reload_check_secs = 10
# Also load blocklist.txt of the data directory when it exists.
data_dir_blocklist = true

[geoip]
# MaxMind DB files (GeoLite2/GeoIP2): country (or city) and ASN databases.
#   country_db = "/usr/share/GeoIP/GeoLite2-Country.mmdb"
#   asn_db = "/usr/share/GeoIP/GeoLite2-ASN.mmdb"
# More databases, each used for what its metadata says it holds.
databases = []

[categories]
# Category files: "<host-or-ip-or-cidr> <nDPI category name or id>" per line, e.g.
# "pool.example Mining" or "192.0.2.0/24 Malware".
files = []
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_levels_are_levels_or_target_directives() {
        for ok in [
            "info",
            "WARN",
            "off",
            "weir_flow=debug",
            "warn,weir_script=trace",
        ] {
            assert!(log_filter(ok).is_ok(), "{ok}");
        }
        for bad in ["", "verbose", "weir_flow=loud", "=debug", "info,chatty"] {
            assert!(log_filter(bad).is_err(), "{bad}");
        }
        let e = Config::parse("[log]\nlevel = \"verbose\"\n", "w.toml").unwrap_err();
        assert!(e.to_string().contains("not a log level"), "{e}");
    }

    #[test]
    fn default_file_is_the_default_config() {
        assert_eq!(
            Config::parse(DEFAULT_CONFIG, "default").unwrap(),
            Config::default()
        );
    }

    #[test]
    fn partial_files_keep_defaults() {
        let c = Config::parse("[flows]\nmax_flows = 10\n", "t").unwrap();
        assert_eq!(c.flows.max_flows, 10);
        assert_eq!(c.flows.visit_interval_secs, 5);
        assert_eq!(c.data_dir, PathBuf::from("data"));
    }

    #[test]
    fn errors_name_key_and_line() {
        let e = Config::parse("data_dir = \"x\"\n[flows]\nmax_flow = 3\n", "weir.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("weir.toml: line 3"), "{e}");
        assert!(e.contains("max_flow"), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
        let e = Config::parse("local_networks = [\"10.0.0.0/33\"]\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1") && e.contains("CIDR"), "{e}");
        let e = Config::parse("[flows]\n\nvisit_interval_secs = 0\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("at least 1"), "{e}");
        let e = Config::parse("[[alerts.endpoints]]\nkind = \"pager\"\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("pager"), "{e}");
        let e = Config::parse("[timeseries]\nbackend = \"rrd\"\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("embedded, influxdb, off"), "{e}");
        let e = Config::parse("[flows\n", "w").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn endpoints_parse() {
        let c = Config::parse(
            "[[alerts.endpoints]]\nkind = \"ndjson\"\npath = \"a.ndjson\"\n[[alerts.endpoints]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:1/x\"\nmin_severity = \"error\"\n",
            "t",
        )
        .unwrap();
        assert_eq!(c.alerts.endpoints.len(), 2);
        assert!(
            matches!(&c.alerts.endpoints[1], Endpoint::Webhook { min_severity, retries: 5, .. } if min_severity == "error")
        );
    }
}
