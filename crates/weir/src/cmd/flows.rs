//! `weir flows FILE... [--local-net CIDR]... [--json]`: the flows of capture files, one
//! per line, with the `flow.getInfo()` keys of spec/flow-info.md (NDJSON with `--json`).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::{Map, Value};
use weir_decode::capture::{CaptureReader, Record};
use weir_decode::{Timestamp, decode};
use weir_flow::info::{self, InfoSource, Level};
use weir_flow::{Consumer, EndReason, Engine, EngineConfig, Flow, IpNet, Networks, SourceKind};

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

/// What reading the files produced besides the events.
#[derive(Debug, Default)]
pub struct ReplayReport {
    /// Frames read.
    pub frames: u64,
    /// Damage in the files (not in packets).
    pub capture_errors: Vec<String>,
}

/// Replays capture files through an engine, calling `c` for every event, and ends with
/// the final visit.
///
/// # Errors
/// If a file cannot be opened or is not a capture file.
pub fn replay<C: Consumer>(
    files: &[PathBuf],
    engine: &mut Engine,
    c: &mut C,
) -> Result<ReplayReport> {
    let mut report = ReplayReport::default();
    for path in files {
        replay_file(path, engine, c, &mut report)?;
    }
    engine.finish(c);
    Ok(report)
}

fn replay_file<C: Consumer>(
    path: &Path,
    engine: &mut Engine,
    c: &mut C,
    report: &mut ReplayReport,
) -> Result<()> {
    let mut reader = CaptureReader::open(path)?;
    while let Some(next) = reader.next_record() {
        match next {
            // Drops a pcapng statistics block reports, at its time.
            Ok(Record::Stats(s)) if s.new_drops > 0 => engine.capture_drops(s.ts, s.new_drops, c),
            Ok(Record::Stats(_)) => {}
            Ok(Record::Frame(frame)) => {
                report.frames += 1;
                let wire = frame.orig_len.max(frame.data.len() as u32);
                match decode(frame.linktype, frame.data) {
                    Ok(pkt) => engine.process(frame.ts, wire, &pkt, c),
                    Err(_) => engine.undecodable(frame.ts, wire, c),
                }
            }
            Err(e) => report.capture_errors.push(e.to_string()),
        }
    }
    Ok(())
}

/// The flow as a JSON object with the `flow.getFullInfo()` keys (spec flow-info.md
/// §2-§4), from the emitter the Lua tables also use ([`weir_flow::info`]).
pub fn flow_json(f: &Flow, nets: &Networks) -> Map<String, Value> {
    info::to_json(&InfoSource::of(f), nets, Level::Full)
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
            let v = Value::Object(flow_json(f, &self.nets));
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
                if f.l7.guessed { "?" } else { " " },
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

/// Engine configuration for the CLI.
pub fn engine_config(local_net: &[IpNet], pcap_dump: bool) -> EngineConfig {
    EngineConfig {
        local_networks: local_net.to_vec(),
        events: if pcap_dump {
            SourceKind::PcapDump
        } else {
            SourceKind::File
        }
        .event_mode(),
        ..EngineConfig::default()
    }
}

/// Runs `weir flows`.
pub fn run(args: &Args) -> Result<ExitCode> {
    // Flows are printed at their end event (idle, evicted or end of input).
    let mut engine = Engine::new(engine_config(&args.local_net, false));
    let stdout = std::io::stdout();
    let mut printer = Printer {
        out: BufWriter::with_capacity(1 << 16, stdout.lock()),
        nets: Networks::new(&args.local_net),
        json: args.json,
        flows: 0,
        error: None,
    };
    let report = replay(&args.files, &mut engine, &mut printer)?;
    printer.out.flush().ok();
    if let Some(e) = printer.error
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e).context("writing flows");
    }
    let iface = engine.interface();
    eprintln!(
        "weir flows: {} frames, {} flows ({} evicted), {} hosts, {} non-IP",
        report.frames, iface.flows_created, iface.flows_evicted, iface.hosts_created, iface.non_ip
    );
    for e in &report.capture_errors {
        eprintln!("weir: warning: {e}");
    }
    Ok(if report.capture_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
