//! `weir flows FILE... [--local-net CIDR]... [--json]`: the flows of capture files, one
//! per line, with the `flow.getInfo()` keys of spec/flow-info.md (NDJSON with `--json`).

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::Value;
use weir_decode::Timestamp;
use weir_flow::{Consumer, EndReason, Engine, EngineConfig, Flow, IpNet, Networks};
use weir_pipeline::engine::Driver;
use weir_pipeline::json::flow_json;
use weir_pipeline::source::SourceSpec;
use weir_pipeline::summary::Summary;

/// Arguments of `weir flows` and `weir hosts`.
#[derive(clap::Args)]
pub struct Args {
    /// Capture files (pcap or pcapng), replayed in order through one engine.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// A local network (repeatable), e.g. `192.168.1.0/24` or `fd00::/8`.
    #[arg(long = "local-net", value_name = "CIDR")]
    pub local_net: Vec<IpNet>,
    /// One JSON object per line (NDJSON) instead of a table.
    #[arg(long)]
    pub json: bool,
}

struct Printer<W: Write> {
    out: W,
    nets: Networks,
    json: bool,
    flows: u64,
    error: Option<std::io::Error>,
}

impl<W: Write> Printer<W> {
    fn line(&mut self, f: &Flow) {
        if self.error.is_some() {
            return;
        }
        self.flows += 1;
        let r = if self.json {
            let v = Value::Object(flow_json(f, &self.nets, true));
            writeln!(self.out, "{v}")
        } else {
            let mut label = [0u8; 64];
            let (cip, cport) = f.client();
            let (sip, sport) = f.server();
            let info = f.meta.as_deref().and_then(|m| m.summary()).unwrap_or("");
            writeln!(
                self.out,
                "{:<5} {:>39}:{:<5} -> {:>39}:{:<5} {:<22}{} {:>6} pkts {:>10} bytes  {}",
                f.l4_name(),
                cip,
                cport,
                sip,
                sport,
                f.l7.label(&mut label),
                if f.l7.confidence.is_guess() { "?" } else { " " },
                f.packets(),
                f.bytes(),
                info
            )
        };
        if let Err(e) = r {
            self.error = Some(e);
        }
    }
}

impl<W: Write> Consumer for Printer<W> {
    fn flow_end(&mut self, _now: Timestamp, flow: &mut Flow, _reason: EndReason) {
        self.line(flow);
    }
}

impl<W: Write> Driver for Printer<W> {
    /// A write error, frames that were not IP, hosts created.
    type Report = (Option<std::io::Error>, u64, u64);

    fn finish(mut self, engine: &Engine) -> Self::Report {
        if self.error.is_none()
            && let Err(e) = self.out.flush()
        {
            self.error = Some(e);
        }
        let iface = engine.interface();
        (self.error, iface.non_ip, iface.hosts_created)
    }
}

/// The engine configuration of `weir run`'s defaults with these local networks, so that
/// the commands that replay captures count what the monitor counts.
pub fn engine_config(local_net: &[IpNet]) -> EngineConfig {
    EngineConfig {
        local_networks: local_net.to_vec(),
        ..weir_pipeline::run::engine_config(
            &weir_pipeline::config::Config::default(),
            weir_flow::SourceKind::File,
        )
    }
}

/// Replays the files of `args` through one engine with `driver`.
///
/// # Errors
/// A file that cannot be opened or is not a capture.
pub fn replay<D: Driver>(args: &Args, driver: D) -> Result<(Summary, D::Report)> {
    let spec = SourceSpec::Files {
        paths: args.files.clone(),
        speed: 0.0,
    };
    weir_pipeline::replay(spec, engine_config(&args.local_net), driver)
}

/// Warns about damaged records; failure if there were any.
pub fn exit_code(summary: &Summary) -> ExitCode {
    for e in &summary.source_problems {
        eprintln!("weir: warning: {e}");
    }
    if summary.source_problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs `weir flows`.
pub fn run(args: &Args) -> Result<ExitCode> {
    // Flows are printed at their end event (idle, evicted or end of input).
    let stdout = std::io::stdout();
    let printer = Printer {
        out: BufWriter::with_capacity(1 << 16, stdout.lock()),
        nets: Networks::new(&args.local_net),
        json: args.json,
        flows: 0,
        error: None,
    };
    let (summary, (error, non_ip, _created)) = replay(args, printer)?;
    if let Some(e) = error
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e).context("writing flows");
    }
    eprintln!(
        "weir flows: {} frames, {} bytes, {} flows ({} evicted), {} hosts ({} evicted), {non_ip} non-IP",
        summary.packets,
        summary.bytes,
        summary.flows,
        summary.flows_evicted,
        summary.hosts,
        summary.hosts_evicted
    );
    Ok(exit_code(&summary))
}
