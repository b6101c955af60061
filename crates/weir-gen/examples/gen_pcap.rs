//! Writes a synthetic capture: `cargo run -p weir-gen --example gen_pcap -- OUT.pcap [FLOWS] [SEED] [small]`.
//! With `-` as OUT, generates in memory with `generate_to_vec` and only reports the speed.

use std::fs::File;
use std::time::Instant;

use weir_gen::{GenConfig, Mode, generate_to_vec, write_pcap};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).map_or("weir-sample.pcap", String::as_str);
    let flows = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mode = if args.get(4).is_some_and(|s| s == "small") {
        Mode::Small64
    } else {
        Mode::Mixed
    };
    let cfg = GenConfig {
        flows,
        seed,
        mode,
        ..GenConfig::default()
    };
    let t = Instant::now();
    let s = if out == "-" {
        let (v, s) = generate_to_vec(&cfg);
        println!("{} bytes in memory", v.len());
        s
    } else {
        write_pcap(&cfg, File::create(out)?)?
    };
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{out}: {} frames, {} bytes, {} flows in {secs:.2} s ({:.0} frames/s)",
        s.frames,
        s.bytes,
        s.flows,
        s.frames as f64 / secs
    );
    println!("by kind: {:?}", s.by_kind);
    Ok(())
}
