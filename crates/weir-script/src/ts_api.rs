//! The runtime's timeseries calls: the writer and query side, the end of a tick
//! round, the schemas loaded.

use weir_ts::{SchemaRegistry, TsWriter};

use crate::config::Timeseries;
use crate::runtime::Runtime;
use crate::timeseries::{TsRef, configure};

impl Runtime {
    /// Sets (or removes) the timeseries writer and query side, as
    /// [`crate::ScriptConfig::timeseries`] does at load; kept across reloads.
    pub fn set_timeseries(&mut self, ts: Option<Timeseries>) {
        configure(&self.vm.lua, ts.as_ref());
        self.cfg.timeseries = ts;
    }

    /// Hands the points plugins appended since the last call to the sink as one batch
    /// (the daemon calls it at the end of each tick round; [`Runtime::finish`] too).
    pub fn end_timeseries_step(&mut self) {
        let Some(ts) = self.vm.lua.app_data_ref::<TsRef>().map(|t| t.clone()) else {
            return;
        };
        let Ok(mut st) = ts.try_borrow_mut() else {
            return;
        };
        // Schemas declared by hooks (not by `ts_schemas/` files): their problems
        // are logged here.
        st.flush_pending();
        for (loc, msg, _) in std::mem::take(&mut st.problems) {
            tracing::warn!(target: "weir_script", "{loc}: {msg}");
        }
        if let Some(w) = &mut st.writer
            && let Err(e) = w.end_step()
        {
            tracing::warn!(target: "weir_script", "timeseries: {e}");
        }
    }

    /// The timeseries schemas this VM knows: the built-ins and those of the plugins'
    /// `ts_schemas/` files (and any created by scripts since).
    pub fn ts_schemas(&self) -> SchemaRegistry {
        let Some(ts) = self.vm.lua.app_data_ref::<TsRef>().map(|t| t.clone()) else {
            return SchemaRegistry::with_builtins();
        };
        match ts.try_borrow_mut() {
            Ok(mut st) => {
                st.flush_pending();
                st.registry.clone()
            }
            Err(_) => SchemaRegistry::with_builtins(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use weir_flow::{Consumer, Tick};
    use weir_ts::{EmbeddedStore, Query, SinkConfig, TsQuery, TsSink};

    use super::Timeseries;
    use crate::{Level, Output, Runtime, ScriptConfig};

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (f, text) in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    /// An embedded store in `dir`, its sink, and the handle scripts get (writer through
    /// the sink, queries on a second connection to the store).
    fn embedded(dir: &Path) -> (EmbeddedStore, TsSink, Timeseries) {
        let store = EmbeddedStore::open_dir(dir).unwrap();
        let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
        let ts = Timeseries {
            writer: sink.writer(),
            query: Some(std::sync::Arc::new(EmbeddedStore::open_dir(dir).unwrap())),
            driver: "rrd",
        };
        (store, sink, ts)
    }

    fn config(root: &Path, ts: Option<Timeseries>) -> ScriptConfig {
        ScriptConfig {
            roots: vec![root.to_path_buf()],
            output: Output::Buffer,
            timeseries: ts,
            ..ScriptConfig::default()
        }
    }

    const SYN_SCHEMA: &str = r#"local ts_utils = require("ts_utils_core")
local schema = ts_utils.newSchema("host:syn_received", {step = 60, metrics_type = ts_utils.metrics.counter})
schema:addTag("ifid")
schema:addTag("host")
schema:addMetric("syn")
"#;

    #[test]
    fn schema_files_are_loaded_with_every_problem_located() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("a/ts_schemas/min.lua", SYN_SCHEMA),
                (
                    "a/ts_schemas/5mins.lua",
                    r#"local ts_utils = require("ts_utils")
local s = ts_utils.newSchema("a:gauge", {step = 300, metrics_type = ts_utils.metrics.gauge,
  aggregation_function = ts_utils.aggregation.max, is_critical_ts = true})
s:addTag("ifid")
s:addTag("ifid") -- duplicates are ignored
s:addMetric("value")
local b = ts_utils.newSchema("iface:flows", {step = 60})
b:addTag("ifid")
local n = ts_utils.newSchema("a:no_ifid", {step = 300})
n:addTag("host")
n:addMetric("x")
"#,
                ),
                (
                    "a/ts_schemas/hour.lua",
                    "local ts_utils = require('ts_utils')\nlocal s = ts_utils.newSchema('a:m', {step = 3600})\ns:addTag('ifid')\ns:addTag('measurement')\n",
                ),
                (
                    "a/ts_schemas/day.lua",
                    "local ts_utils = require('ts_utils')\nts_utils.newSchema('a:nostep', {})\n",
                ),
                // The same name in another plugin: the first definition is kept.
                (
                    "b/ts_schemas/min.lua",
                    SYN_SCHEMA.replace("\"syn\"", "\"other\"").as_str(),
                ),
            ],
        );
        let (rt, report) = Runtime::load(config(dir.path(), None)).unwrap();
        let text: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        let has = |level: Level, file: &str, line: u32, needle: &str| {
            report.problems.iter().any(|p| {
                p.level == level
                    && p.file == file
                    && p.line == Some(line)
                    && p.message.contains(needle)
            })
        };
        assert!(
            has(
                Level::Warning,
                "ts_schemas/5mins.lua",
                7,
                "already defined by builtin"
            ),
            "{text:#?}"
        );
        assert!(
            has(
                Level::Error,
                "ts_schemas/5mins.lua",
                9,
                "`ifid` is mandatory"
            ),
            "{text:#?}"
        );
        assert!(
            has(
                Level::Error,
                "ts_schemas/hour.lua",
                4,
                "`measurement` is not a valid tag"
            ),
            "{text:#?}"
        );
        assert!(
            has(Level::Error, "ts_schemas/day.lua", 2, "`step` is required"),
            "{text:#?}"
        );
        assert!(
            report.problems.iter().any(|p| p.plugin == "b"
                && p.level == Level::Warning
                && p.line == Some(2)
                && p.message.contains("/a/ts_schemas/min.lua")),
            "{text:#?}"
        );
        assert_eq!(report.problems.len(), 5, "{text:#?}");
        let reg = rt.ts_schemas();
        let syn = reg.get("host:syn_received").unwrap();
        assert_eq!(syn.tags, ["ifid", "host"]);
        assert_eq!(syn.metrics[0].name, "syn");
        assert!(
            syn.origin.ends_with("/a/ts_schemas/min.lua"),
            "{}",
            syn.origin
        );
        let g = reg.get("a:gauge").unwrap();
        assert_eq!(g.metrics[0].kind, weir_ts::MetricKind::Gauge);
        assert_eq!(g.aggregation, weir_ts::Agg::Max);
        assert!(g.is_critical);
        assert_eq!(g.tags, ["ifid"]);
        assert!(reg.get("a:no_ifid").is_none());
        assert!(reg.get("iface:flows").unwrap().origin == "builtin");
    }

    /// A plugin appending from interface and host `min` hooks, and reading back.
    fn plugin(dir: &Path) {
        write(
            dir,
            &[
                ("p/ts_schemas/min.lua", SYN_SCHEMA),
                (
                    "p/user_scripts/host/syn.lua",
                    r#"local ts_utils = require("ts_utils")
local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.min(params)
  io.write("ts_enabled ", tostring(params.ts_enabled), "\n")
  if params.ts_enabled then
    local info = host.getInfo()
    ts_utils.append("host:syn_received", {ifid = params.ifid, host = info.ip, syn = info.num_syn_rcvd}, params.when)
  end
end
return script
"#,
                ),
                (
                    "p/user_scripts/interface/bad.lua",
                    r#"local ts_utils = require("ts_utils")
local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.min(params)
  local ok = ts_utils.append("host:syn_received", {ifid = 0, host = "x", syn = 1, bogus = 2})
  io.write("bad append ", tostring(ok), "\n")
end
return script
"#,
                ),
                (
                    "p/user_scripts/system/reader.lua",
                    r#"local ts_utils = require("ts_utils")
local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.min(params)
  local r, err = ts_utils.query("host:syn_received", {host = "10.0.0.1"}, 1000, 1300)
  if not r then io.write("query nil ", tostring(err), "\n") return end
  io.write("query ", r.start, " ", r.step, " ", r.count, " ", #r.series, " ", r.series[1].label, "\n")
  for i, v in ipairs(r.series[1].data) do io.write(i, "=", v == v and v or "nan", "\n") end
  local t = ts_utils.queryTotal("host:syn_received", 1000, 1300, {host = "10.0.0.1"})
  io.write("total ", t.syn, "\n")
  local top = ts_utils.queryTopk("host:syn_received", {ifid = "0"}, 1000, 1300, {top = 1})
  io.write("top ", top.topk[1].tags.host, " ", top.topk[1].value, "\n")
  io.write("series ", #ts_utils.listSeries("host:syn_received", {}, 0), " exists ",
    tostring(ts_utils.exists("host:syn_received", {host = "10.0.0.9"})), "\n")
  io.write("driver ", ts_utils.getDriverName(), "\n")
  local d = ts_utils.getQueryDriver()
  io.write("exported ", d:get_exported_points(), " dropped ", d:get_dropped_points(), " exports ",
    d:get_exports(), " health ", d:get_health(), " version ", tostring(d:getInfluxdbVersion()), "\n")
  io.write("deleted ", tostring(ts_utils.delete("host:", {host = "10.0.0.2"})), "\n")
  io.write("series ", #ts_utils.listSeries("host:syn_received", {}, 0), "\n")
end
return script
"#,
                ),
            ],
        );
    }

    #[test]
    fn appends_reach_the_store_and_errors_are_script_errors() {
        let dir = tempfile::tempdir().unwrap();
        plugin(dir.path());
        let (store, sink, ts) = embedded(dir.path());
        let (mut rt, report) = Runtime::load(config(dir.path(), Some(ts))).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let pcap = weir_gen::generate_to_vec(&weir_gen::GenConfig {
            flows: 300,
            seed: 3,
            ..Default::default()
        })
        .0;
        let mut engine = weir_flow::Engine::new(weir_flow::EngineConfig::default());
        let mut r =
            weir_decode::capture::CaptureReader::new(std::io::Cursor::new(pcap), "gen").unwrap();
        while let Some(f) = r.next_frame() {
            let f = f.unwrap();
            let wire = f.orig_len.max(f.data.len() as u32);
            if let Ok(p) = weir_decode::decode(f.linktype, f.data) {
                engine.process(f.ts, wire, &p, &mut rt);
            }
            rt.end_timeseries_step();
        }
        engine.finish(&mut rt);
        rt.finish();
        sink.flush(Duration::from_secs(30)).unwrap();
        let out = String::from_utf8(rt.take_output()).unwrap();
        assert!(out.contains("ts_enabled true"), "{out}");
        assert!(out.contains("bad append false"), "{out}");
        let bad = rt.scripts().into_iter().find(|s| s.key == "bad").unwrap();
        assert!(bad.errors > 0);
        let last = bad.last_error.unwrap();
        assert!(
            last.contains("/p/user_scripts/interface/bad.lua:4")
                && last.contains("unknown tag or metric `bogus`"),
            "{last}"
        );
        let syn = rt.scripts().into_iter().find(|s| s.key == "syn").unwrap();
        assert_eq!(syn.errors, 0, "{syn:?}");
        let stats = sink.stats();
        assert!(stats.written > 100, "{stats:?}");
        let series = store.list_series("host:syn_received", &[]).unwrap();
        assert!(series.len() > 10, "{series:?}");
        let r = store.query(&Query::new("host:syn_received")).unwrap();
        assert!(
            r.series
                .iter()
                .any(|s| s.points.iter().any(|p| p.values[0].unwrap_or(0.0) > 0.0))
        );
        sink.shutdown(Duration::from_secs(10)).unwrap();
    }

    #[test]
    fn reads_from_lua() {
        let dir = tempfile::tempdir().unwrap();
        plugin(dir.path());
        let (_store, sink, ts) = embedded(dir.path());
        let (mut rt, _) = Runtime::load(config(dir.path(), Some(ts.clone()))).unwrap();
        let schema = rt.ts_schemas().get("host:syn_received").unwrap().clone();
        let mut w = ts.writer.clone();
        use weir_ts::TsWriter;
        for m in 0..6u64 {
            for (h, per_min) in [("10.0.0.1", 60u64), ("10.0.0.2", 600)] {
                w.append(
                    &schema,
                    vec!["0".into(), h.into()],
                    vec![(m * per_min) as f64],
                    1020 + 60 * m,
                )
                .unwrap();
            }
            w.end_step().unwrap();
        }
        w.flush(Duration::from_secs(10)).unwrap();
        rt.system_tick(Tick::Min, weir_decode::Timestamp::from_secs_nanos(1380, 0));
        let out = String::from_utf8(rt.take_output()).unwrap();
        // Buckets from 1020 (tstart rounded up) to 1260; the first point has no rate
        // (NaN), then 1 SYN/s.
        assert!(
            out.contains("query 1020 60 5 1 syn\n1=nan\n2=1\n3=1\n4=1\n5=1\n"),
            "{out}"
        );
        assert!(out.contains("total 240\n"), "{out}");
        assert!(out.contains("top 10.0.0.2 2400\n"), "{out}");
        assert!(out.contains("series 2 exists false"), "{out}");
        assert!(out.contains("driver rrd"), "{out}");
        // The query driver answers from the sink's counters: 12 points written.
        let st = sink.stats();
        assert_eq!(st.written, 12);
        assert!(
            out.contains(&format!(
                "exported 12 dropped 0 exports {} health green version nil\n",
                st.writes
            )),
            "{out}"
        );
        assert!(out.contains("deleted true\nseries 1\n"), "{out}");
        let reader = rt
            .scripts()
            .into_iter()
            .find(|s| s.key == "reader")
            .unwrap();
        assert_eq!(reader.errors, 0, "{reader:?}");

        // Without a query side, reads are nil with a message (not script errors).
        let (mut rt, _) = Runtime::load(config(dir.path(), None)).unwrap();
        rt.system_tick(Tick::Min, weir_decode::Timestamp::from_secs_nanos(1380, 0));
        let out = String::from_utf8(rt.take_output()).unwrap();
        assert!(
            out.contains("query nil timeseries queries are off"),
            "{out}"
        );
        sink.shutdown(Duration::from_secs(10)).unwrap();
    }

    #[test]
    fn bad_arguments_are_script_errors_never_panics() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("p/ts_schemas/min.lua", SYN_SCHEMA),
                (
                    "p/user_scripts/system/garbage.lua",
                    r#"local ts_utils = require("ts_utils")
local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.min(params)
  local r, n = {}, 0
  local function put(v) n = n + 1; r[n] = v end
  put(ts_utils.append(nil, nil))
  put(ts_utils.append("nope:x", {ifid = 0}))
  put(ts_utils.append("host:syn_received", "x"))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "h"}))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "h", syn = {}}))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "a\\b", syn = 1}))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "h", syn = "x"}))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "h", syn = 1}, -5))
  put(ts_utils.append("host:syn_received", {[1] = 2}))
  put(ts_utils.append(ts_utils.getSchema("host:syn_received"), {ifid = 0, host = "h", syn = 1}, 1e300))
  put(ts_utils.query(42))
  put(ts_utils.query("host:syn_received", "x"))
  put(ts_utils.queryTopk("host:syn_received", {}, 0, 10, {metric = "nope"}))
  put(ts_utils.listSeries("nope:x", {}))
  put(ts_utils.delete(nil, 5))
  for i = 1, 15 do io.write(tostring(r[i]), " ") end
  io.write("\n")
  local ok = pcall(ts_utils.newSchema, "x", {step = 60})
  local ok2 = pcall(ts_utils.newSchema, "a:b", {step = -1})
  local ok3 = pcall(function() ts_utils.newSchema("a:c", {step = 60}):addTag({}) end)
  io.write(tostring(ok), " ", tostring(ok2), " ", tostring(ok3), "\n")
end
return script
"#,
                ),
            ],
        );
        let (_store, sink, ts) = embedded(dir.path());
        let (mut rt, report) = Runtime::load(config(dir.path(), Some(ts))).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        rt.system_tick(Tick::Min, weir_decode::Timestamp::from_secs_nanos(1380, 0));
        rt.end_timeseries_step();
        let out = String::from_utf8(rt.take_output()).unwrap();
        assert_eq!(
            out,
            "false false false false false false false false false false nil nil nil nil false \n\
             false false false\n"
        );
        let g = rt
            .scripts()
            .into_iter()
            .find(|s| s.key == "garbage")
            .unwrap();
        assert_eq!(g.errors, 1, "one failed call: {g:?}");
        let e = g.last_error.unwrap();
        assert!(
            e.contains(
                "/p/user_scripts/system/garbage.lua:6: ts_utils.append: schema name expected"
            ) && e.contains("garbage.lua:13: ts_utils.append: timestamp must be >= 0"),
            "{e}"
        );
        // Nothing reached the store.
        sink.flush(Duration::from_secs(10)).unwrap();
        assert_eq!(sink.stats().received, 0);
    }

    #[test]
    fn reload_keeps_the_writer_and_the_buffered_points() {
        let dir = tempfile::tempdir().unwrap();
        plugin(dir.path());
        let store = EmbeddedStore::open_dir(dir.path()).unwrap();
        let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
        let (mut rt, _) = Runtime::load(config(dir.path(), None)).unwrap();
        rt.set_timeseries(Some(Timeseries {
            writer: sink.writer(),
            query: None,
            driver: "rrd",
        }));
        // The `bad` interface script appends nothing valid; append one point by hand
        // through a schema the VM knows, then reload before the step ends.
        let schema = rt.ts_schemas().get("host:syn_received").unwrap().clone();
        assert!(
            schema.origin.ends_with("/p/ts_schemas/min.lua"),
            "{}",
            schema.origin
        );
        std::fs::write(
            dir.path().join("p/ts_schemas/5mins.lua"),
            "local s = require('ts_utils').newSchema('p:five', {step = 300})\ns:addTag('ifid')\ns:addMetric('v')\n",
        )
        .unwrap();
        let report = rt.reload();
        assert!(
            report
                .problems
                .iter()
                .all(|p| p.level != crate::Level::Error),
            "{:?}",
            report.problems
        );
        assert!(rt.ts_schemas().get("p:five").is_some());
        let mut w = sink.writer();
        weir_ts::TsWriter::append(&mut w, &schema, vec!["0".into(), "h".into()], vec![1.0], 60)
            .unwrap();
        weir_ts::TsWriter::end_step(&mut w).unwrap();
        rt.system_tick(Tick::Min, weir_decode::Timestamp::from_secs_nanos(120, 0));
        rt.end_timeseries_step();
        let out = String::from_utf8(rt.take_output()).unwrap();
        // Still writing after the reload: the reader script sees the driver.
        assert!(
            out.contains("query nil timeseries queries are off"),
            "{out}"
        );
        sink.flush(Duration::from_secs(10)).unwrap();
        assert_eq!(
            store.list_series("host:syn_received", &[]).unwrap().len(),
            1
        );
        sink.shutdown(Duration::from_secs(10)).unwrap();
    }
}
