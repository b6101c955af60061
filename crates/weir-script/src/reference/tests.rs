//! The reference against the real VM, and the generated files against the disk.

use std::collections::BTreeSet;
use std::path::Path;

use mlua::{Table, Value};

use super::*;
use crate::{Output, Runtime, ScriptConfig};

/// Globals of the standard Lua base library (and library tables) weir keeps as they
/// are: not described here.
const STANDARD_GLOBALS: [&str; 24] = [
    "_G",
    "_VERSION",
    "assert",
    "error",
    "getmetatable",
    "ipairs",
    "next",
    "pairs",
    "pcall",
    "rawequal",
    "rawget",
    "rawlen",
    "rawset",
    "select",
    "setmetatable",
    "tonumber",
    "tostring",
    "type",
    "warn",
    "xpcall",
    "string",
    "table",
    "math",
    "utf8",
];

const STANDARD_STRING: [&str; 17] = [
    "byte", "char", "dump", "find", "format", "gmatch", "gsub", "len", "lower", "match", "pack",
    "packsize", "rep", "reverse", "sub", "unpack", "upper",
];

const STANDARD_TABLE: [&str; 7] = [
    "concat", "insert", "move", "pack", "remove", "sort", "unpack",
];

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Function(_) => "function",
        Value::Nil => "nothing",
        _ => "field",
    }
}

fn members(t: &Table) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = t
        .pairs::<Value, Value>()
        .filter_map(|p| p.ok())
        .filter_map(|(k, v)| match k {
            Value::String(s) => Some((s.to_string_lossy(), v)),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn described(m: &Module, name: &str) -> Option<&'static str> {
    if m.functions.iter().any(|f| f.name == name) {
        Some("function")
    } else if m.fields.iter().any(|f| f.name == name) {
        Some("field")
    } else {
        None
    }
}

/// Described members against the real table; with `all`, real members (but the
/// `standard` ones) against the description too.
fn compare(problems: &mut Vec<String>, m: &Module, t: &Table, all: bool, standard: &[&str]) {
    for f in &m.functions {
        let v: Value = t.raw_get(f.name.as_str()).unwrap_or(Value::Nil);
        if kind_of(&v) != "function" {
            problems.push(format!(
                "{}.{}: described as a function, but the VM has {}",
                m.name,
                f.name,
                kind_of(&v)
            ));
        }
    }
    for f in &m.fields {
        let v: Value = t.raw_get(f.name.as_str()).unwrap_or(Value::Nil);
        if kind_of(&v) != "field" {
            problems.push(format!(
                "{}.{}: described as a field, but the VM has {}",
                m.name,
                f.name,
                kind_of(&v)
            ));
        }
    }
    if !all {
        return;
    }
    for (k, v) in members(t) {
        if standard.contains(&k.as_str()) {
            continue;
        }
        match described(m, &k) {
            None => problems.push(format!(
                "{}.{k} ({}) is registered but not described in src/reference/*.toml",
                m.name,
                kind_of(&v)
            )),
            Some(d) if d != kind_of(&v) => problems.push(format!(
                "{}.{k}: described as a {d}, but the VM has a {}",
                m.name,
                kind_of(&v)
            )),
            Some(_) => {}
        }
    }
}

/// A Lua expression giving a value of each described class.
const CLASS_SAMPLES: [(&str, &str); 1] = [("address_list", "ntop.newAddressList({})")];

/// A class's methods (the table its metatable's `__index` is) against the description.
fn compare_class(problems: &mut Vec<String>, rt: &Runtime, m: &Module) {
    let Some((_, expr)) = CLASS_SAMPLES.iter().find(|(n, _)| *n == m.name) else {
        problems.push(format!(
            "class {}: no sample value in CLASS_SAMPLES (reference/tests.rs)",
            m.name
        ));
        return;
    };
    let methods = rt
        .vm
        .lua
        .load(format!("return {expr}"))
        .eval::<mlua::AnyUserData>()
        .and_then(|u| u.metatable())
        .and_then(|mt| mt.get::<Option<Table>>("__index"))
        .ok()
        .flatten();
    match methods {
        Some(t) => compare(problems, m, &t, true, &[]),
        None => problems.push(format!("class {}: `{expr}` has no method table", m.name)),
    }
}

/// Every problem: registered but not described, described but not registered (or
/// registered as something else).
fn walk(rt: &Runtime, api: &Api) -> Vec<String> {
    let lua = &rt.vm.lua;
    let g = lua.globals();
    let loaded: Table = g
        .raw_get::<Table>("package")
        .and_then(|p| p.raw_get("loaded"))
        .expect("package.loaded");
    let mut problems = Vec::new();
    let mut accounted: BTreeSet<String> = STANDARD_GLOBALS.iter().map(|s| s.to_string()).collect();
    for m in api.modules.iter().filter(|m| m.vm == VmKind::All) {
        match m.kind {
            Kind::Global | Kind::GlobalModule | Kind::Module => {
                let global = g.raw_get::<Value>(m.name.as_str()).unwrap_or(Value::Nil);
                let module = loaded
                    .raw_get::<Value>(m.name.as_str())
                    .unwrap_or(Value::Nil);
                let t = match (m.kind, &global, &module) {
                    (Kind::Global, Value::Table(t), _) => t.clone(),
                    (Kind::Module, Value::Nil, Value::Table(t)) => t.clone(),
                    (Kind::GlobalModule, Value::Table(a), Value::Table(b)) if a == b => a.clone(),
                    _ => {
                        problems.push(format!(
                            "{}: described as {:?}, but the VM has global {} and module {}",
                            m.name,
                            m.kind,
                            global.type_name(),
                            module.type_name()
                        ));
                        continue;
                    }
                };
                for a in &m.aliases {
                    let same = matches!(loaded.raw_get::<Value>(a.as_str()), Ok(Value::Table(x)) if x == t);
                    if !same {
                        problems.push(format!("{}: alias `{a}` is not the same module", m.name));
                    }
                }
                if m.kind != Kind::Module {
                    accounted.insert(m.name.clone());
                }
                compare(&mut problems, m, &t, true, &[]);
                if m.members_are_globals {
                    for (k, v) in members(&t) {
                        let gv = g.raw_get::<Value>(k.as_str()).unwrap_or(Value::Nil);
                        if gv != v {
                            problems
                                .push(format!("{}.{k}: not the same value as global {k}", m.name));
                        }
                        accounted.insert(k);
                    }
                }
            }
            Kind::Globals => {
                compare(&mut problems, m, &g, false, &[]);
                for f in &m.functions {
                    accounted.insert(f.name.clone());
                }
                for f in &m.fields {
                    accounted.insert(f.name.clone());
                }
            }
            Kind::Library => {
                let Ok(t) = g.raw_get::<Table>(m.name.as_str()) else {
                    problems.push(format!("{}: no such library", m.name));
                    continue;
                };
                let standard: &[&str] = match m.name.as_str() {
                    "string" => &STANDARD_STRING,
                    "table" => &STANDARD_TABLE,
                    _ => &[],
                };
                compare(&mut problems, m, &t, true, standard);
            }
            Kind::Sandbox => {
                // Dotted names: the tables they live in must hold only described names.
                let mut tables: BTreeSet<&str> = BTreeSet::new();
                for f in &m.functions {
                    match f.name.split_once('.') {
                        Some((tname, fname)) => {
                            tables.insert(tname);
                            let v = g
                                .raw_get::<Table>(tname)
                                .and_then(|t| t.raw_get::<Value>(fname))
                                .unwrap_or(Value::Nil);
                            if kind_of(&v) != "function" {
                                problems.push(format!("{}: described but not registered", f.name));
                            }
                        }
                        None if f.name == "require" => {
                            // Each plugin file gets its own `require`, in its environment.
                        }
                        None => {
                            let v = g.raw_get::<Value>(f.name.as_str()).unwrap_or(Value::Nil);
                            if kind_of(&v) != "function" {
                                problems.push(format!("{}: described but not registered", f.name));
                            }
                            accounted.insert(f.name.clone());
                        }
                    }
                }
                for t in &tables {
                    accounted.insert((*t).to_owned());
                    let Ok(tbl) = g.raw_get::<Table>(*t) else {
                        continue;
                    };
                    for (k, _) in members(&tbl) {
                        let full = format!("{t}.{k}");
                        if !m.functions.iter().any(|f| f.name == full) {
                            problems.push(format!("{full} is registered but not described"));
                        }
                    }
                }
                for f in &m.fields {
                    accounted.insert(f.name.clone());
                    if g.raw_get::<Value>(f.name.as_str())
                        .unwrap_or(Value::Nil)
                        .is_nil()
                    {
                        problems.push(format!("{}: described but not registered", f.name));
                    }
                }
            }
            Kind::Class => compare_class(&mut problems, rt, m),
        }
    }
    for (k, v) in members(&g) {
        if !accounted.contains(&k) {
            problems.push(format!(
                "global {k} ({}) is registered but not described in src/reference/*.toml",
                kind_of(&v)
            ));
        }
    }
    // Every built-in module name `require` resolves is described.
    for name in crate::vm::BUILTIN_MODULES {
        let known = api
            .modules
            .iter()
            .any(|m| m.name == name || m.aliases.iter().any(|a| a == name));
        if !known {
            problems.push(format!(
                "module `{name}` (BUILTIN_MODULES) is not described"
            ));
        }
    }
    problems
}

fn runtime() -> Runtime {
    let dir = std::env::temp_dir().join(format!("weir-reference-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let (rt, _) = Runtime::load(ScriptConfig {
        roots: vec![dir.clone()],
        output: Output::Discard,
        working_dir: dir,
        ..ScriptConfig::default()
    })
    .expect("VM");
    rt
}

#[test]
fn every_registered_function_is_described_and_every_described_one_is_registered() {
    let api = api().unwrap();
    let rt = runtime();
    let problems = walk(&rt, &api);
    assert!(
        problems.is_empty(),
        "the Lua API reference (crates/weir-script/src/reference/*.toml) and the VM differ:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_walk_notices_a_missing_and_an_extra_description() {
    let mut api = api().unwrap();
    let rt = runtime();
    // Drop one described function, invent another.
    let flow = api.modules.iter_mut().find(|m| m.name == "flow").unwrap();
    let gone = flow.functions.remove(0);
    let mut fake = gone.clone();
    fake.name = "getMoonPhase".into();
    flow.functions.push(fake);
    let problems = walk(&rt, &api);
    assert!(
        problems.iter().any(|p| p.contains(&format!(
            "flow.{} (function) is registered but not described",
            gone.name
        ))),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p
                .contains("flow.getMoonPhase: described as a function, but the VM has nothing")),
        "{problems:?}"
    );
    // A method of a class nobody described.
    let al = api
        .modules
        .iter_mut()
        .find(|m| m.name == "address_list")
        .unwrap();
    al.functions.retain(|f| f.name != "size");
    assert!(
        walk(&rt, &api)
            .iter()
            .any(|p| p.contains("address_list.size (function) is registered but not described")),
        "{problems:?}"
    );
    // A new global nobody described.
    rt.vm.lua.globals().raw_set("sneaky", 1).unwrap();
    assert!(walk(&rt, &api).iter().any(|p| p.contains("global sneaky")));
}

#[test]
fn signatures_parse() {
    let s = parse_signature("(a: string, b?: integer, ...: any) -> boolean, err: string?").unwrap();
    assert_eq!(s.params.len(), 3);
    assert!(s.params[1].optional && !s.params[0].optional);
    assert_eq!(s.params[2].name, "...");
    assert_eq!(s.returns[1].name, "err");
    assert!(s.returns[1].optional);
    let s =
        parse_signature("(f: fun(a: integer): boolean, t: table<string, {x: integer}>)").unwrap();
    assert_eq!(s.params[0].ty, "fun(a: integer): boolean");
    assert_eq!(s.params[1].ty, "table<string, {x: integer}>");
    assert!(s.returns.is_empty());
    assert!(parse_signature("a: string").is_err());
    assert!(parse_signature("(a) -> x").is_err());
    assert!(parse_signature("(...: any, a: string)").is_err());
    assert!(parse_signature("() ->").is_err());
    assert_eq!(
        call_text(
            "m.f",
            &parse_signature("(a: string, b?: integer) -> table?").unwrap()
        ),
        "m.f(a, [b]) → table?"
    );
}

#[test]
fn stubs_declare_classes_params_and_returns() {
    let files = stubs().unwrap();
    let get = |n: &str| &files.iter().find(|(f, _)| f == n).unwrap().1;
    let flow = get("flow.lua");
    assert!(flow.starts_with("-- Generated"), "{flow}");
    assert!(flow.contains("---@meta\n"), "{flow}");
    assert!(flow.contains("---@class flow_api\nflow = {}"), "{flow}");
    assert!(flow.contains("---@param status table|integer\n"), "{flow}");
    assert!(flow.contains("---@return boolean\nfunction flow.setStatus(status, flow_score, cli_score, srv_score) end"), "{flow}");
    assert!(
        flow.contains("---@overload fun(status_def: table, status_info?: table|string"),
        "{flow}"
    );
    let api = get("alerts_api.lua");
    assert!(api.contains("---@meta alerts_api\n"), "{api}");
    assert!(api.trim_end().ends_with("return alerts_api"), "{api}");
    let lu = get("lua_utils.lua");
    assert!(lu.contains("function i18n(key, params) end"), "{lu}");
    assert!(lu.contains("lua_utils.i18n = i18n"), "{lu}");
    let al = get("address_list.lua");
    assert!(
        al.contains("---@class address_list\nlocal address_list = {}")
            && al.contains("---@return string?\nfunction address_list:match(ip) end"),
        "{al}"
    );
    let sb = get("sandbox.lua");
    assert!(
        sb.contains("io = {}") && sb.contains("function io.write(...) end"),
        "{sb}"
    );
    assert!(luarc().contains("\"docs/lua\""));
    // Every stub is valid Lua 5.4.
    let lua = mlua::Lua::new();
    for (name, text) in &files {
        if let Err(e) = lua
            .load(text.as_str())
            .set_name(name.as_str())
            .into_function()
        {
            panic!("docs/lua/{name} does not compile: {e}");
        }
    }
}

/// `cargo xtask lua-stubs` writes these; a stale copy fails here.
#[test]
fn generated_files_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stale = Vec::new();
    let files = generated_files().unwrap();
    for (rel, text) in &files {
        match std::fs::read_to_string(root.join(rel)) {
            Ok(t) if &t == text => {}
            Ok(_) => stale.push(format!("{rel} differs")),
            Err(_) => stale.push(format!("{rel} is missing")),
        }
    }
    // No stub left behind by a module that is gone.
    if let Ok(rd) = std::fs::read_dir(root.join("docs/lua")) {
        for e in rd.flatten() {
            let rel = format!("docs/lua/{}", e.file_name().to_string_lossy());
            if !files.iter().any(|(f, _)| *f == rel) {
                stale.push(format!("{rel} is not generated any more"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated API files are stale: {}; run `cargo xtask lua-stubs`",
        stale.join(", ")
    );
}

/// Lists every global, and every member of the global tables and of the loaded
/// modules, as `name type` lines (run in the VM being inspected).
const DUMP: &str = r#"
local G = _G
local mt = getmetatable(G)
if mt and type(mt.__index) == "table" then G = mt.__index end
local out = {}
local function walk(prefix, t)
  for k, v in pairs(t) do
    if type(k) == "string" then out[#out + 1] = prefix .. k .. " " .. type(v) end
  end
end
walk("", G)
for k, v in pairs(G) do
  if type(k) == "string" and type(v) == "table" and k ~= "_G" and k ~= "package" then walk(k .. ".", v) end
end
for k, v in pairs(G.package.loaded) do
  if type(v) == "table" then walk(k .. ".", v) end
end
-- Names a page's own environment holds.
for _, n in ipairs({ "_GET", "_POST", "_SESSION", "dofile" }) do
  local v = _ENV[n]
  if v ~= nil then out[#out + 1] = n .. " " .. type(v) end
end
table.sort(out)
local r, last = {}, nil
for _, l in ipairs(out) do if l ~= last then r[#r + 1] = l end; last = l end
return table.concat(r, "\n")
"#;

fn names(text: &str) -> BTreeSet<String> {
    text.lines().map(str::to_owned).collect()
}

/// What a page VM has beyond the engine's: the page API.
fn page_additions() -> BTreeSet<String> {
    let engine = runtime();
    let base: String = engine.vm.lua.load(DUMP).eval().unwrap();
    let dir = std::env::temp_dir().join(format!("weir-reference-pages-{}", std::process::id()));
    let p = dir.join("dumper/web_gui");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("menu.lua"),
        "return { label = \"d\", script = \"dump.lua\" }",
    )
    .unwrap();
    std::fs::write(
        p.join("dump.lua"),
        format!("local function dump() {DUMP} end\nprint(dump())"),
    )
    .unwrap();
    let pages = crate::Pages::start(crate::PageConfig {
        script: ScriptConfig {
            roots: vec![dir.clone()],
            working_dir: dir.clone(),
            ..crate::PageConfig::default().script
        },
        ..crate::PageConfig::default()
    });
    let r = pages.render(crate::PageRequest {
        page: "dump.lua".into(),
        method: "GET".into(),
        query: Vec::new(),
        form: Vec::new(),
        user: crate::PageUser::default(),
        data: std::sync::Arc::new(crate::NoPageData),
    });
    let crate::PageOutcome::Rendered(r) = r else {
        panic!("page failed: {r:?}");
    };
    let page = names(&String::from_utf8_lossy(&r.body));
    let _ = std::fs::remove_dir_all(&dir);
    page.difference(&names(&base)).cloned().collect()
}

#[test]
fn the_page_api_is_described() {
    let api = api().unwrap();
    let added = page_additions();
    let mut problems = Vec::new();
    // Every name the page VM adds is described by a page module, as the right kind.
    for line in &added {
        let Some((path, ty)) = line.rsplit_once(' ') else {
            continue;
        };
        let (table, name) = match path.split_once('.') {
            Some((t, n)) => (Some(t), n),
            None => (None, path),
        };
        let kind = if ty == "function" {
            "function"
        } else {
            "field"
        };
        let found =
            api.modules
                .iter()
                .filter(|m| m.vm == VmKind::Page)
                .any(|m| {
                    let here = match (table, m.kind) {
                        (None, Kind::Globals) => true,
                        (None, Kind::Global | Kind::GlobalModule) => false,
                        (Some(t), Kind::Global | Kind::GlobalModule | Kind::Module) => {
                            t == m.name || m.aliases.iter().any(|a| a == t)
                        }
                        _ => false,
                    };
                    here && described(m, name) == Some(kind)
                })
                || (table.is_none()
                    && ty == "table"
                    && api.modules.iter().any(|m| {
                        m.vm == VmKind::Page && m.name == path && m.kind != Kind::Globals
                    }));
        if !found {
            problems.push(format!(
                "{path} ({ty}) is in page VMs but not described in reference/pages.toml"
            ));
        }
    }
    // Every described page member is in the page VM (new, or already everywhere).
    let engine = runtime();
    let base = names(&engine.vm.lua.load(DUMP).eval::<String>().unwrap());
    let all: BTreeSet<String> = base.union(&added).cloned().collect();
    for m in api.modules.iter().filter(|m| m.vm == VmKind::Page) {
        let prefix = match m.kind {
            Kind::Globals => String::new(),
            _ => format!("{}.", m.name),
        };
        for f in &m.functions {
            if !all.contains(&format!("{prefix}{} function", f.name)) {
                problems.push(format!(
                    "{prefix}{}: described for pages, not registered",
                    f.name
                ));
            }
        }
        for f in &m.fields {
            let present = ["table", "string", "number", "boolean", "userdata"]
                .iter()
                .any(|t| all.contains(&format!("{prefix}{} {t}", f.name)));
            if !present {
                problems.push(format!(
                    "{prefix}{}: described for pages, not registered",
                    f.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
