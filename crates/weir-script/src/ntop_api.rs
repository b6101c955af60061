//! The `ntop` functions of ntopng 4.2 that ask the operating system, and the
//! measurements behind `system_utils` and `storage_utils`.
//!
//! | function | what weir does |
//! | --- | --- |
//! | `getHostInformation()` | `{ip, instance_name}`: the IPv4 address of the interface holding the default route (`/proc/net/route`, `/proc/net/fib_trie`), the host name |
//! | `readdir(path)` | `{[name] = name}` of a directory inside weir's working or installation directory or a loaded plugin's directory (dot files left out); any other path is an API misuse and gives nil |
//! | `resolveHost(name, ipv4)` | the first address of that family the system resolver gives, waiting at most [`RESOLVE_TIMEOUT`] (and the call's remaining wall clock), with at most [`MAX_RESOLVERS`] lookups under way |
//! | `msleep(ms)` | sleeps at most [`MAX_SLEEP_MS`]; the sleep counts against the call's wall-clock budget, and a sleep past it ends the call with the budget error |
//! | `systemHostStat()` | load, memory (kB, `/proc/meminfo`, `/proc/self/status`), CPU states (`/proc/stat`), the VM's alert counters |
//! | `loadCustomCategoryHost(host, id)` / `loadCustomCategoryIp(ip, id)` | queue a category catalogue entry for the engine ([`CustomCategory`], taken by [`crate::Runtime::take_custom_categories`]) |
//!
//! Only Linux's `/proc` is read; elsewhere the values are missing or 0.

use std::cell::RefCell;
use std::net::{Ipv4Addr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::{Lua, Table, Value};

use crate::diag::{api_error, caller_location};
use crate::plugin_dirs;
use crate::state::{AlertRef, CallRef};
use crate::vm::Budget;

/// Longest `ntop.msleep`, as in ntopng.
pub const MAX_SLEEP_MS: u64 = 60_000;
/// Longest wait for the resolver in `ntop.resolveHost`.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(2);
/// Most lookups of `ntop.resolveHost` under way at once in the process (a lookup
/// that outlives its wait keeps its thread until the resolver answers).
pub const MAX_RESOLVERS: usize = 8;
/// Most entries `ntop.readdir` returns.
pub const MAX_DIR_ENTRIES: usize = 10_000;
/// Most files `storage_utils` looks at in the working directory.
const MAX_WALK_FILES: usize = 1_000_000;

/// Most catalogue entries scripts may queue between two hook batches (the rest are
/// refused with an API error).
pub const MAX_PENDING_CATEGORIES: usize = 100_000;

/// A category catalogue entry a script registered (`ntop.loadCustomCategoryHost/Ip`),
/// for the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomCategory {
    /// A host name, or an address or CIDR network when `ip`.
    pub key: String,
    /// nDPI category id.
    pub category: u8,
    /// `key` is an address or network.
    pub ip: bool,
}

/// The entries queued since the engine last took them (Lua app data).
#[derive(Debug, Default)]
pub(crate) struct PendingCategories(pub(crate) Vec<CustomCategory>);

fn load_custom_category(lua: &Lua, sh: &CallRef, ip: bool, key: &Value, id: &Value) -> bool {
    let func = if ip {
        "ntop.loadCustomCategoryIp"
    } else {
        "ntop.loadCustomCategoryHost"
    };
    let Value::String(k) = key else {
        misuse(lua, sh, func, "argument #1: string expected");
        return false;
    };
    let k = k.to_string_lossy();
    let k = k.trim();
    let category = match id {
        Value::Integer(i) => u8::try_from(*i).ok(),
        Value::Number(n) if n.fract() == 0.0 && (0.0..=255.0).contains(n) => Some(*n as u8),
        Value::String(s) => weir_flow::catalog::parse_category(&s.to_string_lossy()).map(|c| c.0),
        _ => None,
    };
    let Some(category) = category else {
        misuse(lua, sh, func, "argument #2: an nDPI category id expected");
        return false;
    };
    let valid = if ip {
        weir_flow::lists::parse_net(k).is_some()
    } else {
        let mut buf = [0u8; weir_flow::lists::MAX_NAME];
        weir_flow::lists::normalize(k, &mut buf)
            .map(|n| n.strip_prefix("*.").unwrap_or(n))
            .is_some_and(weir_flow::lists::is_domain)
    };
    if !valid {
        let what = if ip {
            "an address or CIDR network"
        } else {
            "a host name"
        };
        misuse(
            lua,
            sh,
            func,
            &format!("argument #1: {what} expected, got {k:?}"),
        );
        return false;
    }
    let Some(mut p) = lua.app_data_mut::<PendingCategories>() else {
        return false;
    };
    if p.0.len() >= MAX_PENDING_CATEGORIES {
        drop(p);
        misuse(lua, sh, func, "too many entries queued at once");
        return false;
    }
    p.0.push(CustomCategory {
        key: k.to_string(),
        category,
        ip,
    });
    true
}

fn misuse(lua: &Lua, sh: &CallRef, func: &str, msg: &str) {
    if let Ok(mut s) = sh.try_borrow_mut() {
        api_error(lua, &mut s, func, msg);
    }
}

/// Adds the functions of this module to `ntop` and the measurements `system_utils`
/// and `storage_utils` use to `w`.
pub(crate) fn install(
    lua: &Lua,
    ntop: &Table,
    w: &Table,
    sh: &CallRef,
    alerts: &AlertRef,
    budget: &Rc<Budget>,
) -> mlua::Result<()> {
    ntop.raw_set(
        "getHostInformation",
        lua.create_function(|lua, ()| {
            let t = lua.create_table()?;
            t.raw_set(
                "ip",
                management_ipv4().unwrap_or(Ipv4Addr::LOCALHOST).to_string(),
            )?;
            t.raw_set("instance_name", hostname())?;
            Ok(t)
        })?,
    )?;

    let sh1 = sh.clone();
    ntop.raw_set(
        "readdir",
        lua.create_function(move |lua, path: Value| {
            let Value::String(path) = path else {
                misuse(lua, &sh1, "ntop.readdir", "argument #1: string expected");
                return Ok(Value::Nil);
            };
            let path = path.to_string_lossy();
            let roots = plugin_dirs::roots(lua);
            match readdir(&roots, &path) {
                Err(m) => {
                    misuse(lua, &sh1, "ntop.readdir", &m);
                    Ok(Value::Nil)
                }
                Ok(names) => {
                    let t = lua.create_table()?;
                    for n in names {
                        t.raw_set(n.as_str(), n.as_str())?;
                    }
                    Ok(Value::Table(t))
                }
            }
        })?,
    )?;

    let b1 = budget.clone();
    ntop.raw_set(
        "resolveHost",
        lua.create_function(move |_, (name, ipv4): (Value, Option<bool>)| {
            let Value::String(name) = name else {
                return Ok(None);
            };
            let wait = b1
                .wall_left()
                .unwrap_or(RESOLVE_TIMEOUT)
                .min(RESOLVE_TIMEOUT);
            Ok(resolve(&name.to_string_lossy(), ipv4.unwrap_or(true), wait))
        })?,
    )?;

    let (b2, sh2) = (budget.clone(), sh.clone());
    ntop.raw_set(
        "msleep",
        lua.create_function(move |lua, ms: Value| {
            let ms = match ms {
                Value::Integer(i) => u64::try_from(i).unwrap_or(0),
                Value::Number(n) if n.is_finite() => n.max(0.0) as u64,
                other => {
                    misuse(
                        lua,
                        &sh2,
                        "ntop.msleep",
                        &format!("argument #1: number expected, got {}", other.type_name()),
                    );
                    return Ok(());
                }
            };
            let want = Duration::from_millis(ms.min(MAX_SLEEP_MS));
            b2.sleep(want).map_err(|msg| {
                mlua::Error::RuntimeError(format!("{}: {msg}", caller_location(lua)))
            })
        })?,
    )?;

    lua.set_app_data(PendingCategories::default());
    for ip in [false, true] {
        let shc = sh.clone();
        ntop.raw_set(
            if ip {
                "loadCustomCategoryIp"
            } else {
                "loadCustomCategoryHost"
            },
            lua.create_function(move |lua, (key, id): (Value, Value)| {
                Ok(load_custom_category(lua, &shc, ip, &key, &id))
            })?,
        )?;
    }

    let a1 = alerts.clone();
    let cpu_prev: Rc<RefCell<Option<[u64; 10]>>> = Rc::new(RefCell::new(None));
    ntop.raw_set(
        "systemHostStat",
        lua.create_function(move |lua, ()| system_host_stat(lua, &a1, &cpu_prev))?,
    )?;

    w.raw_set(
        "storage_info",
        lua.create_function(|lua, (working, timeout): (String, Option<f64>)| {
            let secs = timeout
                .filter(|t| t.is_finite() && *t > 0.0)
                .unwrap_or(10.0);
            storage_info(
                lua,
                Path::new(&working),
                Duration::from_secs_f64(secs.min(600.0)),
            )
        })?,
    )?;
    w.raw_set(
        "process_rss",
        lua.create_function(|_, ()| {
            Ok(read_kv_kb("/proc/self/status", "VmRSS:").map_or(0, |kb| kb * 1024))
        })?,
    )?;
    Ok(())
}

/// The entries of `path` if it is inside one of `roots`; the misuse otherwise. A
/// missing directory has no entries.
pub(crate) fn readdir(roots: &[PathBuf], path: &str) -> Result<Vec<String>, String> {
    let p = Path::new(path);
    let abs = match roots.first() {
        Some(w) if p.is_relative() => w.join(p),
        _ => p.to_path_buf(),
    };
    if !roots.iter().any(|r| plugin_dirs::inside(&abs, r)) {
        return Err(format!(
            "{path:?} is outside weir's working and installation directories and the plugin directories"
        ));
    }
    let Ok(rd) = std::fs::read_dir(&abs) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .take(MAX_DIR_ENTRIES)
        .collect();
    names.sort();
    Ok(names)
}

/// The first address of `name` of that family, or `None` (unknown name, resolver
/// slower than `wait`).
pub(crate) fn resolve(name: &str, ipv4: bool, wait: Duration) -> Option<String> {
    if name.is_empty() || name.len() > 253 || name.contains('\0') {
        return None;
    }
    if let Ok(ip) = name.parse::<std::net::IpAddr>() {
        return (ip.is_ipv4() == ipv4).then(|| ip.to_string());
    }
    if wait.is_zero() {
        return None;
    }
    static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    use std::sync::atomic::Ordering;
    if RUNNING.fetch_add(1, Ordering::SeqCst) >= MAX_RESOLVERS {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        return None;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = name.to_owned();
    // The resolver cannot be interrupted: a slow lookup finishes on its own thread.
    std::thread::Builder::new()
        .name("weir-resolve".into())
        .spawn(move || {
            let r = (owned.as_str(), 0)
                .to_socket_addrs()
                .ok()
                .and_then(|mut it| it.find(|a| a.is_ipv4() == ipv4))
                .map(|a| a.ip().to_string());
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            let _ = tx.send(r);
        })
        .inspect_err(|_| {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        })
        .ok()?;
    rx.recv_timeout(wait).ok().flatten()
}

/// The host name (`/proc/sys/kernel/hostname`).
pub(crate) fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "weir".to_owned())
}

/// The IPv4 address of the interface holding the default route: among the local
/// addresses of `/proc/net/fib_trie`, the first inside a network routed through that
/// interface; else the first that is not loopback.
pub(crate) fn management_ipv4() -> Option<Ipv4Addr> {
    let route = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    let trie = std::fs::read_to_string("/proc/net/fib_trie").unwrap_or_default();
    pick_management(&route, &trie)
}

fn hex_ip(s: &str) -> Option<u32> {
    let v = u32::from_str_radix(s, 16).ok()?;
    Some(u32::from_be_bytes(v.to_ne_bytes()))
}

/// [`management_ipv4`] from the texts of `/proc/net/route` and `/proc/net/fib_trie`.
pub(crate) fn pick_management(route: &str, trie: &str) -> Option<Ipv4Addr> {
    let rows: Vec<(String, u32, u32)> = route
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((
                f.first()?.to_string(),
                hex_ip(f.get(1)?)?,
                hex_ip(f.get(7)?)?,
            ))
        })
        .collect();
    let default_if = rows
        .iter()
        .find(|(_, d, m)| *d == 0 && *m == 0)
        .map(|r| &r.0);
    let nets: Vec<(u32, u32)> = rows
        .iter()
        .filter(|(i, _, m)| Some(i) == default_if && *m != 0)
        .map(|(_, d, m)| (*d, *m))
        .collect();
    let mut local = Vec::new();
    let mut last: Option<Ipv4Addr> = None;
    for l in trie.lines() {
        let t = l.trim_start_matches([' ', '|', '+', '-']).trim();
        if let Ok(ip) = t.parse::<Ipv4Addr>() {
            last = Some(ip);
        } else if t.starts_with("/32 host LOCAL")
            && let Some(ip) = last
            && !ip.is_loopback()
            && !local.contains(&ip)
        {
            local.push(ip);
        }
    }
    local
        .iter()
        .find(|ip| {
            let v = u32::from(**ip);
            nets.iter().any(|(d, m)| v & m == *d)
        })
        .or(local.first())
        .copied()
}

/// The number after `key` in a `key: value kB` file.
fn read_kv_kb(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    kv_kb(&text, key)
}

fn kv_kb(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

const CPU_STATES: [&str; 10] = [
    "user",
    "nice",
    "system",
    "idle",
    "iowait",
    "irq",
    "softirq",
    "steal",
    "guest",
    "guest_nice",
];

/// The ten counters of the `cpu` line of `/proc/stat`.
fn cpu_counters(stat: &str) -> Option<[u64; 10]> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let mut r = [0u64; 10];
    for (slot, v) in r.iter_mut().zip(line.split_whitespace().skip(1)) {
        *slot = v.parse().ok()?;
    }
    Some(r)
}

fn system_host_stat(
    lua: &Lua,
    alerts: &AlertRef,
    prev: &RefCell<Option<[u64; 10]>>,
) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    if let Some(load) = std::fs::read_to_string("/proc/loadavg").ok().and_then(|s| {
        s.split_whitespace()
            .next()
            .and_then(|x| x.parse::<f64>().ok())
    }) {
        t.raw_set("cpu_load", load)?;
    }
    let mem = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let g = |k: &str| kv_kb(&mem, k);
    let fields = [
        ("mem_total", "MemTotal:"),
        ("mem_free", "MemFree:"),
        ("mem_buffers", "Buffers:"),
        ("mem_cached", "Cached:"),
        ("mem_sreclaimable", "SReclaimable:"),
        ("mem_shmem", "Shmem:"),
    ];
    for (name, key) in fields {
        if let Some(v) = g(key) {
            t.raw_set(name, v)?;
        }
    }
    if let (Some(total), Some(free)) = (g("MemTotal:"), g("MemFree:")) {
        let used = (total + g("Shmem:").unwrap_or(0)).saturating_sub(
            free + g("Buffers:").unwrap_or(0)
                + g("Cached:").unwrap_or(0)
                + g("SReclaimable:").unwrap_or(0),
        );
        t.raw_set("mem_used", used)?;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(v) = kv_kb(&status, "VmRSS:") {
        t.raw_set("mem_ntopng_resident", v)?;
    }
    if let Some(v) = kv_kb(&status, "VmSize:") {
        t.raw_set("mem_ntopng_virtual", v)?;
    }
    if let Some(now) = std::fs::read_to_string("/proc/stat")
        .ok()
        .as_deref()
        .and_then(cpu_counters)
    {
        let before = prev.replace(Some(now)).unwrap_or([0; 10]);
        let delta: Vec<u64> = now
            .iter()
            .zip(before.iter())
            .map(|(a, b)| a.saturating_sub(*b))
            .collect();
        let sum: u64 = delta.iter().sum();
        let states = lua.create_table()?;
        for (name, d) in CPU_STATES.iter().zip(&delta) {
            let pct = if sum == 0 {
                0.0
            } else {
                *d as f64 * 100.0 / sum as f64
            };
            states.raw_set(*name, pct)?;
        }
        t.raw_set("cpu_states", states)?;
    }
    if let Ok(a) = alerts.try_borrow() {
        let s = a.alerts.stats();
        t.raw_set("dropped_alerts", s.store_dropped)?;
        t.raw_set("written_alerts", s.store_submitted)?;
        t.raw_set("alerts_queries", 0)?;
        t.raw_set("engaged_alerts", s.engaged_now)?;
    }
    Ok(t)
}

/// Sizes under the working directory and its volume.
fn storage_info(lua: &Lua, working: &Path, timeout: Duration) -> mlua::Result<Table> {
    let deadline = Instant::now() + timeout;
    let mut files = MAX_WALK_FILES;
    let total = dir_size(working, deadline, &mut files);
    let sum = |names: &[&str]| -> u64 {
        names
            .iter()
            .filter_map(|n| std::fs::metadata(working.join(n)).ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum()
    };
    let ts = sum(&["timeseries.db", "timeseries.db-wal", "timeseries.db-shm"]);
    let alerts = sum(&["alerts.db", "alerts.db-wal", "alerts.db-shm"]);
    let mut files = MAX_WALK_FILES;
    let pcap = dir_size(&working.join("pcap"), deadline, &mut files);
    let t = lua.create_table()?;
    t.raw_set("total", total)?;
    t.raw_set("rrd", ts)?;
    t.raw_set("flows", alerts)?;
    t.raw_set("pcap", pcap)?;
    t.raw_set("complete", Instant::now() < deadline && files > 0)?;
    if let Ok(v) = rustix::fs::statvfs(working) {
        let frsize = v.f_frsize.max(1);
        let size = v.f_blocks.saturating_mul(frsize);
        t.raw_set("volume_size", size)?;
        t.raw_set("volume_free", v.f_bavail.saturating_mul(frsize))?;
        t.raw_set(
            "volume_used",
            size.saturating_sub(v.f_bfree.saturating_mul(frsize)),
        )?;
    }
    if let Some(dev) = volume_dev(working) {
        t.raw_set("volume_dev", dev)?;
    }
    Ok(t)
}

/// Bytes of the regular files under `dir` (symbolic links not followed), until the
/// deadline or the file budget runs out.
fn dir_size(dir: &Path, deadline: Instant, files: &mut usize) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            if *files == 0 || Instant::now() > deadline {
                return total;
            }
            *files -= 1;
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                total += e.metadata().map_or(0, |m| m.len());
            }
        }
    }
    total
}

/// The mount source of the file system holding `path` (`/proc/self/mountinfo`).
fn volume_dev(path: &Path) -> Option<String> {
    let path = path.canonicalize().ok()?;
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    mount_source(&info, &path)
}

/// The source of the longest mount point holding `path` in a mountinfo text.
pub(crate) fn mount_source(info: &str, path: &Path) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for l in info.lines() {
        let Some((pre, post)) = l.split_once(" - ") else {
            continue;
        };
        let (Some(mount), Some(source)) = (
            pre.split_whitespace().nth(4),
            post.split_whitespace().nth(1),
        ) else {
            continue;
        };
        let (mount, source) = (mount.replace("\\040", " "), source.to_owned());
        if path.starts_with(&mount) && best.as_ref().is_none_or(|(n, _)| mount.len() >= *n) {
            best = Some((mount.len(), source));
        }
    }
    best.map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_management_address_is_on_the_default_route_interface() {
        let route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
            eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
            eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        let trie = "Local:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 10.9.0.7\n        /32 host LOCAL\n     |-- 127.0.0.1\n        /32 host LOCAL\n     |-- 172.17.0.2\n        /32 host LOCAL\n";
        if cfg!(target_endian = "little") {
            assert_eq!(
                pick_management(route, trie),
                Some(Ipv4Addr::new(172, 17, 0, 2))
            );
        }
        assert_eq!(pick_management("", trie), Some(Ipv4Addr::new(10, 9, 0, 7)));
        assert_eq!(pick_management("", ""), None);
    }

    #[test]
    fn cpu_and_memory_lines_are_read() {
        assert_eq!(
            cpu_counters("cpu  10 2 3 80 1 0 4 0 0 0\ncpu0 1 1 1 1 1 1 1 1 1 1\n"),
            Some([10, 2, 3, 80, 1, 0, 4, 0, 0, 0])
        );
        assert_eq!(
            kv_kb("MemTotal:       16318460 kB\n", "MemTotal:"),
            Some(16318460)
        );
        let info =
            "22 1 0:21 / / rw - overlay overlay rw\n30 22 8:1 / /data rw - ext4 /dev/sda1 rw\n";
        assert_eq!(
            mount_source(info, Path::new("/data/weir")).as_deref(),
            Some("/dev/sda1")
        );
        assert_eq!(
            mount_source(info, Path::new("/var")).as_deref(),
            Some("overlay")
        );
    }
}
