//! `cargo xtask`: project automation (see `cargo xtask --help`).
//!
//! - `ci` — everything CI checks: system packages tests need, `cargo fmt --check`,
//!   clippy with `-D warnings`, and the whole test suite.
//! - `fuzz` — runs every cargo-fuzz target for N seconds on a corpus seeded from
//!   generated captures, and reports executions and crashes.
//! - `bench` — runs the criterion benches.
//! - `stream-check` — shows that reading a 1 GiB capture takes flat memory.
//! - `gen-pcap` — writes a deterministic synthetic capture.
//! - `lua-stubs` — generates the Lua API reference, the language-server stubs and
//!   `.luarc.json` from the binding descriptions in weir-script.

mod fuzz;
mod stream;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "weir project automation")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run every check CI runs: setup, fmt, clippy, tests.
    Ci {
        /// Skip `cargo fmt --check` and clippy (tests only).
        #[arg(long)]
        tests_only: bool,
    },
    /// Install (idempotently) the system packages the tests need.
    Setup,
    /// Run each fuzz target for a while (cargo-fuzz, `--sanitizer none` on stable).
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only these targets (default: all).
        #[arg(long)]
        target: Vec<String>,
        /// Parallel fuzzing jobs per target.
        #[arg(long, default_value_t = 1)]
        jobs: u32,
        /// Only write the generated seeds into fuzz/corpus/, without fuzzing.
        #[arg(long)]
        seed_only: bool,
    },
    /// Run the criterion benches (extra arguments go to criterion).
    Bench {
        /// Arguments passed to `cargo bench` after `--`.
        args: Vec<String>,
    },
    /// Generate a large capture and show that `weir decode` reads it in flat memory.
    StreamCheck {
        /// Size of the generated capture in GiB.
        #[arg(long, default_value_t = 1.0)]
        gb: f64,
        /// Where to write it (deleted afterwards unless --keep).
        #[arg(long, default_value = "target/stream-check.pcap")]
        out: PathBuf,
        /// Keep the generated file.
        #[arg(long)]
        keep: bool,
    },
    /// Generate the Lua API reference (docs/plugins/lua-api.md), the language-server
    /// stubs (docs/lua/) and .luarc.json from crates/weir-script/src/reference/.
    LuaStubs {
        /// Only check that the files are up to date (exit 1 if not).
        #[arg(long)]
        check: bool,
    },
    /// Write a deterministic synthetic pcap.
    GenPcap {
        /// Number of ordinary flows.
        #[arg(long, default_value_t = 1000)]
        flows: usize,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// 64-byte frames only (throughput tests).
        #[arg(long)]
        small64: bool,
        /// Seconds over which flows start.
        #[arg(long)]
        duration: Option<u64>,
        /// No attack scenarios (SYN flood, scan, heavy hitter), only ordinary flows.
        #[arg(long)]
        no_scenarios: bool,
        /// A random-source SYN flood of N sources instead (see `weir gen-pcap --syn-flood`).
        #[arg(long, value_name = "N")]
        syn_flood: Option<u64>,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match cli.cmd {
        Cmd::Ci { tests_only } => ci(tests_only),
        Cmd::Setup => setup(),
        Cmd::Fuzz {
            seed_only: true, ..
        } => fuzz::seed_corpora(&root.join("fuzz")),
        Cmd::Fuzz {
            seconds,
            target,
            jobs,
            ..
        } => fuzz::run(&root, seconds, &target, jobs),
        Cmd::Bench { args } => {
            let mut c = Command::new("cargo");
            c.args(["bench", "-p", "weir-benches"]);
            if !args.is_empty() {
                c.arg("--").args(args);
            }
            run(&mut c)
        }
        Cmd::StreamCheck { gb, out, keep } => stream::check(gb, &out, keep),
        Cmd::LuaStubs { check } => lua_stubs(&root, check),
        Cmd::GenPcap {
            flows,
            seed,
            out,
            small64,
            duration,
            no_scenarios,
            syn_flood: Some(n),
        } => {
            let _ = (flows, small64, no_scenarios);
            let cfg = weir_gen::SynFloodConfig {
                sources: n,
                seed,
                duration_secs: duration.unwrap_or(30),
                ..Default::default()
            };
            let file = std::fs::File::create(&out)
                .with_context(|| format!("creating {}", out.display()))?;
            let summary = weir_gen::write_syn_flood(&cfg, std::io::BufWriter::new(file))
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{}: {} frames, {} bytes, {} flows",
                out.display(),
                summary.frames,
                summary.bytes,
                summary.flows
            );
            Ok(())
        }
        Cmd::GenPcap {
            flows,
            seed,
            out,
            small64,
            duration,
            no_scenarios,
            syn_flood: None,
        } => {
            let mut cfg = weir_gen::GenConfig {
                flows,
                seed,
                ..Default::default()
            };
            if small64 {
                cfg.mode = weir_gen::Mode::Small64;
            }
            if let Some(d) = duration {
                cfg.duration_secs = d;
            }
            if no_scenarios || small64 {
                cfg.scenarios = weir_gen::Scenarios::none();
            }
            let file = std::fs::File::create(&out)
                .with_context(|| format!("creating {}", out.display()))?;
            let summary = weir_gen::write_pcap(&cfg, std::io::BufWriter::new(file))
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{}: {} frames, {} bytes, {} flows",
                out.display(),
                summary.frames,
                summary.bytes,
                summary.flows
            );
            for (kind, n) in &summary.by_kind {
                println!("  {kind:<14} {n}");
            }
            Ok(())
        }
    }
}

/// Writes (or with `check`, compares) every file generated from the Lua API
/// reference; stubs of modules that are gone are removed.
fn lua_stubs(root: &Path, check: bool) -> Result<()> {
    let files = weir_script::reference::generated_files().map_err(anyhow::Error::msg)?;
    let mut stale = Vec::new();
    for (rel, text) in &files {
        let path = root.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        stale.push(rel.clone());
        if !check {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    let stubs = root.join("docs/lua");
    if let Ok(rd) = std::fs::read_dir(&stubs) {
        for e in rd.flatten() {
            let rel = format!("docs/lua/{}", e.file_name().to_string_lossy());
            if !files.iter().any(|(f, _)| *f == rel) {
                stale.push(format!("{rel} (removed)"));
                if !check {
                    std::fs::remove_file(e.path())?;
                }
            }
        }
    }
    match (check, stale.is_empty()) {
        (_, true) => println!("{} generated files up to date", files.len()),
        (true, false) => bail!("stale: {}; run `cargo xtask lua-stubs`", stale.join(", ")),
        (false, false) => println!("wrote {}", stale.join(", ")),
    }
    Ok(())
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command, echoing it, failing on a non-zero exit.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", show(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("starting {}", show(cmd)))?;
    if !status.success() {
        bail!("{} failed ({status})", show(cmd));
    }
    Ok(())
}

fn show(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Debian packages the test suite uses: influxd (timeseries sink tests), clickhouse-server
/// (flow history tests), tcpreplay and
/// iproute2 (live capture in a network namespace; procps's `sysctl` turns IPv6 off in it),
/// util-linux (`logger`, syslog tests).
/// tshark is used only by hand, never by tests.
const APT_PACKAGES: &[&str] = &[
    "influxdb",
    "tcpreplay",
    "iproute2",
    "procps",
    "util-linux",
    "chromium",
    "chromium-driver",
    // SMTP sink of the alert endpoint tests (`python3 -m aiosmtpd`).
    "python3-aiosmtpd",
    // Flow history sink tests (weir-history, `weir run --clickhouse`): 18.16 on Debian.
    "clickhouse-server",
];

/// The environment variable naming the GeoLite2 City database for the tests.
const GEOLITE2_ENV: &str = "WEIR_GEOLITE2_CITY";

/// Downloads (once) the GeoLite2 City database PyPI's `maxminddb-geolite2` package
/// ships, into `target/test-data/geolite2/`, and returns its path. Tests that need a
/// real GeoIP database read it from `WEIR_GEOLITE2_CITY` (set by `cargo xtask ci`).
fn geolite2() -> Result<PathBuf> {
    let dir = project_root().join("target/test-data/geolite2");
    let db = dir.join("GeoLite2-City.mmdb");
    if db.is_file() {
        return Ok(db);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    run(Command::new("pip")
        .args(["download", "--no-deps", "--no-binary", ":all:", "-d"])
        .arg(&dir)
        .arg("maxminddb-geolite2==2018.703"))?;
    let archive = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .context("pip downloaded no .tar.gz of maxminddb-geolite2")?;
    run(Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&dir)
        .args([
            "--strip-components=2",
            "--wildcards",
            "*/GeoLite2-City.mmdb",
        ]))?;
    if !db.is_file() {
        bail!("{}: no GeoLite2-City.mmdb inside", archive.display());
    }
    Ok(db)
}

/// The ntopng Python client the compatibility tests run (`crates/weir/tests/it/ntopng_client.rs`).
const NTOPNG_CLIENT: &str = "ntopng==6.1.240321";

/// Installs (once) ntop's Python client, unchanged, with the two packages its modules
/// import (requests, pandas), into `target/test-data/ntopng-py/`, where the tests look.
fn ntopng_client() -> Result<PathBuf> {
    let dir = project_root().join("target/test-data/ntopng-py");
    if dir.join("ntopng/ntopng.py").is_file() && dir.join("pandas").is_dir() {
        return Ok(dir);
    }
    let tmp = project_root().join("target/test-data/ntopng-py.tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    for args in [
        &["--no-deps", NTOPNG_CLIENT][..],
        &["requests", "pandas"][..],
    ] {
        run(Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&tmp)
            .args(args))?;
    }
    std::fs::rename(&tmp, &dir).with_context(|| format!("moving {} into place", tmp.display()))?;
    Ok(dir)
}

fn setup() -> Result<()> {
    match ntopng_client() {
        Ok(d) => eprintln!("ntopng Python client: {}", d.display()),
        Err(e) => {
            eprintln!("warning: ntopng Python client not installed, its tests will skip: {e:#}")
        }
    }
    match geolite2() {
        Ok(db) => eprintln!(
            "GeoLite2 City database: {} (export {GEOLITE2_ENV}={0})",
            db.display()
        ),
        Err(e) => {
            eprintln!("warning: GeoLite2 database not available, GeoIP tests will skip: {e:#}")
        }
    }
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg")
                .args(["-s", p])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn ci(tests_only: bool) -> Result<()> {
    setup()?;
    if !tests_only {
        run(Command::new("cargo").args(["fmt", "--all", "--check"]))?;
        run(Command::new("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        // The fuzz project lives outside the workspace: make sure its targets still build.
        run(Command::new("cargo").args([
            "check",
            "--quiet",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--bins",
        ]))?;
    }
    let mut test = Command::new("cargo");
    test.args(["test", "--workspace", "--all-targets"]);
    if let Ok(db) = geolite2() {
        test.env(GEOLITE2_ENV, db);
    }
    run(&mut test)?;
    run(Command::new("cargo").args(["test", "--workspace", "--doc"]))
}
