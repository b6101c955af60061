//! One module per subcommand.

pub mod alerts;
pub mod config;
pub mod decode;
pub mod demo;
pub mod flows;
pub mod gen_pcap;
pub mod history;
pub mod hosts;
pub mod plugins;
pub mod scripts;
pub mod serve;
pub mod ts;
