//! The Lua API reference: one machine-readable description of every function, module
//! and table weir gives plugin files (name, signature, parameters, returns,
//! description, since/notes), kept here next to the bindings in
//! `src/reference/*.toml`.
//!
//! A test walks the real VM (globals, built-in modules, the sandbox's tables) and
//! fails when a registered function has no description or a described one is not
//! registered, so the reference cannot drift from the code. From it are generated
//! `docs/plugins/lua-api.md` ([`markdown`]), the Lua language-server stubs in
//! `docs/lua/` ([`stubs`]) and the `.luarc.json` that points editors at them
//! ([`luarc`]); `cargo xtask lua-stubs` writes them ([`generated_files`]) and a test
//! fails when the committed files are stale.
//!
//! Signature syntax (`sig`): `(name: type, optional?: type, ...: type) -> type, name: type`
//! with LuaLS types (`string`, `integer`, `number`, `boolean`, `table`, `any`,
//! `table<string, integer>`, `fun(x: integer): boolean`, unions with `|`, `?` for
//! "or nil"). No `->` means the function returns nothing.
//!
//! ```
//! let api = weir_script::reference::api().unwrap();
//! let flow = api.modules.iter().find(|m| m.name == "flow").unwrap();
//! let f = flow.functions.iter().find(|f| f.name == "getInfo").unwrap();
//! assert_eq!(f.signature().unwrap().returns[0].ty, "table");
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

/// The description files, in the order of the generated reference.
const SOURCES: [(&str, &str); 7] = [
    (
        "environment.toml",
        include_str!("reference/environment.toml"),
    ),
    ("entities.toml", include_str!("reference/entities.toml")),
    ("alerts.toml", include_str!("reference/alerts.toml")),
    ("utilities.toml", include_str!("reference/utilities.toml")),
    ("timeseries.toml", include_str!("reference/timeseries.toml")),
    ("pages.toml", include_str!("reference/pages.toml")),
    ("endpoints.toml", include_str!("reference/endpoints.toml")),
];

/// Text before the modules in `lua-api.md`.
const INTRO: &str = include_str!("reference/intro.md");

/// Where a described table lives in the VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A global table (`flow`, `host`, `interface`, `ntop`, …).
    Global,
    /// A module obtained with `require "<name>"`.
    Module,
    /// Both a global and a module (the same table).
    GlobalModule,
    /// Functions and constants that are globals themselves (pre-4.2 globals).
    Globals,
    /// Additions to a standard Lua library table (`string.split`, `table.len`).
    Library,
    /// The sandbox: what weir keeps or replaces of the standard library (`print`,
    /// `io.write`, `os.time`, `require`, …); names may be dotted.
    Sandbox,
    /// A type of value that API functions return (a userdata such as
    /// `address_list`): `name` is its LuaLS class, its functions are methods
    /// (`value:method()`).
    Class,
}

/// Which VMs have a described module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VmKind {
    /// Every VM: engine (flow and entity scripts), syslog, endpoints and pages.
    #[default]
    All,
    /// Only the page VMs of custom pages (`web_gui/*.lua`), which add these to the rest.
    Page,
}

/// A described module, global table or group of globals.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// Global or module name.
    pub name: String,
    /// Where it lives.
    pub kind: Kind,
    /// Which VMs have it (a page module may add members to a table every VM has).
    #[serde(default)]
    pub vm: VmKind,
    /// Heading in the reference (default: the name).
    #[serde(default)]
    pub title: Option<String>,
    /// LuaLS class name of the table (default: the name).
    #[serde(default)]
    pub class: Option<String>,
    /// One paragraph.
    pub summary: String,
    /// More text (Markdown) shown after the member tables.
    #[serde(default)]
    pub notes: Option<String>,
    /// Other `require` names of the same table.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Every member is also a global (`lua_utils`: the tutorial calls
    /// `shortFlowLabel` without `require`).
    #[serde(default)]
    pub members_are_globals: bool,
    /// Functions.
    #[serde(default)]
    pub functions: Vec<Function>,
    /// Tables and constants.
    #[serde(default)]
    pub fields: Vec<Field>,
}

/// A described function.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Name inside its module (dotted in the sandbox: `io.write`).
    pub name: String,
    /// Signature, see the module documentation.
    pub sig: String,
    /// What it does.
    pub doc: String,
    /// Descriptions of some parameters, by name.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Other accepted signatures.
    #[serde(default)]
    pub overloads: Vec<String>,
    /// ntopng version that introduced it, when it matters (`4.2`, `3.x`).
    #[serde(default)]
    pub since: Option<String>,
    /// Remarks: weir's differences from ntopng, limits.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A described table or constant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Name inside its module.
    pub name: String,
    /// LuaLS type.
    #[serde(rename = "type")]
    pub ty: String,
    /// What it holds.
    pub doc: String,
}

/// A parameter or return value of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Name (`...` for varargs; may be empty for returns).
    pub name: String,
    /// LuaLS type.
    pub ty: String,
    /// May be omitted (parameters) or nil (returns).
    pub optional: bool,
}

/// A parsed signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Parameters.
    pub params: Vec<Slot>,
    /// Return values.
    pub returns: Vec<Slot>,
}

/// The whole reference.
#[derive(Debug, Clone)]
pub struct Api {
    /// Modules in reference order.
    pub modules: Vec<Module>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    module: Vec<Module>,
}

/// Splits on commas outside brackets.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' | '<' | '{' | '[' => depth += 1,
            ')' | '>' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = s[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// Index of the `->` separating parameters and returns (outside brackets).
fn arrow(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    let b = s.as_bytes();
    for (i, c) in s.char_indices() {
        match c {
            '-' if depth == 0 && b.get(i + 1) == Some(&b'>') => return Some(i),
            '(' | '<' | '{' | '[' => depth += 1,
            ')' | '>' | '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// What is wrong with the API reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// A signature or parameter that does not parse.
    #[error("{0}")]
    Signature(String),
    /// A reference file that is not valid TOML of the expected shape, or a rule it
    /// breaks (a parameter described twice, …).
    #[error("reference/{file}: {message}")]
    File {
        /// The file under `reference/`.
        file: String,
        /// What is wrong, naming the module and function.
        message: String,
    },
}

fn slot(part: &str, is_param: bool) -> Result<Slot, ReferenceError> {
    let (name, ty) = match part.split_once(':') {
        // `fun(a: x): y` has colons inside brackets: only a name before the first one.
        Some((n, t)) if !n.contains(['(', '<', '{', '|', ' ']) => (n.trim(), t.trim()),
        _ if is_param => {
            return Err(ReferenceError::Signature(format!(
                "parameter `{part}`: expected `name: type`"
            )));
        }
        _ => ("", part.trim()),
    };
    if ty.is_empty() {
        return Err(ReferenceError::Signature(format!("`{part}`: empty type")));
    }
    let (name, opt_name) = match name.strip_suffix('?') {
        Some(n) => (n, true),
        None => (name, false),
    };
    let (ty, opt_ty) = match ty.strip_suffix('?') {
        Some(t) if !is_param => (t, true),
        _ => (ty, false),
    };
    if is_param && name != "..." && !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(ReferenceError::Signature(format!(
            "parameter name `{name}` is not an identifier"
        )));
    }
    Ok(Slot {
        name: name.to_owned(),
        ty: ty.to_owned(),
        optional: opt_name || opt_ty,
    })
}

/// Parses a signature.
///
/// # Errors
/// A text saying what is malformed.
pub fn parse_signature(sig: &str) -> Result<Signature, ReferenceError> {
    let sig = sig.trim();
    let (params, rets) = match arrow(sig) {
        Some(i) => (sig[..i].trim(), Some(sig[i + 2..].trim())),
        None => (sig, None),
    };
    let inner = params
        .strip_prefix('(')
        .and_then(|p| p.strip_suffix(')'))
        .ok_or_else(|| {
            ReferenceError::Signature(format!(
                "signature `{sig}`: parameters must be in parentheses"
            ))
        })?;
    let params = split_top(inner)
        .into_iter()
        .map(|p| slot(p, true))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(pos) = params.iter().position(|p| p.name == "...")
        && pos + 1 != params.len()
    {
        return Err(ReferenceError::Signature(format!(
            "signature `{sig}`: `...` must come last"
        )));
    }
    let returns = match rets {
        None => Vec::new(),
        Some("") => {
            return Err(ReferenceError::Signature(format!(
                "signature `{sig}`: nothing after `->`"
            )));
        }
        Some(r) => split_top(r)
            .into_iter()
            .map(|p| slot(p, false))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(Signature { params, returns })
}

impl Function {
    /// The parsed signature.
    ///
    /// # Errors
    /// A malformed `sig`.
    pub fn signature(&self) -> Result<Signature, ReferenceError> {
        parse_signature(&self.sig)
            .map_err(|e| ReferenceError::Signature(format!("{}: {e}", self.name)))
    }
}

impl Module {
    /// The heading.
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.name)
    }

    /// The LuaLS class of the table.
    pub fn class(&self) -> &str {
        self.class.as_deref().unwrap_or(&self.name)
    }
}

/// Loads and checks the description files (valid TOML, parsable signatures, no name
/// described twice in a module, parameter descriptions naming real parameters).
///
/// # Errors
/// The first problem, naming the file and the function.
pub fn api() -> Result<Api, ReferenceError> {
    let mut modules: Vec<Module> = Vec::new();
    for (file, text) in SOURCES {
        let bad = |message: String| ReferenceError::File {
            file: (*file).to_owned(),
            message,
        };
        let f: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        for m in f.module {
            let mut names = std::collections::HashSet::new();
            for f in &m.functions {
                let s = f.signature().map_err(|e| bad(format!("{}.{e}", m.name)))?;
                for o in &f.overloads {
                    parse_signature(o).map_err(|e| bad(format!("{}.{}: {e}", m.name, f.name)))?;
                }
                for p in f.params.keys() {
                    if !s.params.iter().any(|x| &x.name == p) {
                        return Err(bad(format!(
                            "{}.{}: `params` describes `{p}`, not a parameter",
                            m.name, f.name
                        )));
                    }
                }
                if !names.insert(f.name.clone()) {
                    return Err(bad(format!("{}.{} described twice", m.name, f.name)));
                }
            }
            for f in &m.fields {
                if !names.insert(f.name.clone()) {
                    return Err(bad(format!("{}.{} described twice", m.name, f.name)));
                }
            }
            if let Some(x) = modules
                .iter_mut()
                .find(|x| x.name == m.name && x.kind == m.kind && x.vm == m.vm)
            {
                // A block with an empty summary adds members to a module described
                // in an earlier file.
                if !m.summary.is_empty() {
                    return Err(bad(format!("module {} described twice", m.name)));
                }
                for f in m.functions {
                    if x.functions.iter().any(|y| y.name == f.name) {
                        return Err(bad(format!("{}.{} described twice", m.name, f.name)));
                    }
                    x.functions.push(f);
                }
                x.fields.extend(m.fields);
                continue;
            }
            modules.push(m);
        }
    }
    Ok(Api { modules })
}

/// `name(a, [b], ...)` as the reference shows a call.
fn call_text(qualified: &str, s: &Signature) -> String {
    let mut t = format!("{qualified}(");
    for (i, p) in s.params.iter().enumerate() {
        if i > 0 {
            t.push_str(", ");
        }
        if p.optional {
            let _ = write!(t, "[{}]", p.name);
        } else {
            t.push_str(&p.name);
        }
    }
    t.push(')');
    if !s.returns.is_empty() {
        t.push_str(" → ");
        let r: Vec<String> = s
            .returns
            .iter()
            .map(|r| {
                let q = if r.optional { "?" } else { "" };
                if r.name.is_empty() {
                    format!("{}{q}", r.ty)
                } else {
                    format!("{}: {}{q}", r.name, r.ty)
                }
            })
            .collect();
        t.push_str(&r.join(", "));
    }
    t
}

/// The anchor GitHub gives a Markdown heading.
fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn qualified(m: &Module, name: &str) -> String {
    match m.kind {
        Kind::Globals | Kind::Sandbox => name.to_owned(),
        Kind::Class => format!("{}:{name}", m.name),
        _ => format!("{}.{name}", m.name),
    }
}

/// `docs/plugins/lua-api.md`: the reference as Markdown.
///
/// # Errors
/// The description files are invalid.
pub fn markdown() -> Result<String, ReferenceError> {
    let api = api()?;
    let mut o = String::new();
    o.push_str(
        "<!-- Generated by `cargo xtask lua-stubs` from crates/weir-script/src/reference/*.toml: edit those, not this file. -->\n\n",
    );
    o.push_str(INTRO.trim_end());
    o.push_str("\n\n");
    for m in &api.modules {
        let _ = writeln!(o, "- [{}](#{})", m.title(), anchor(m.title()));
    }
    o.push('\n');
    for m in &api.modules {
        let kind = match m.kind {
            Kind::Global => format!("global `{}`", m.name),
            Kind::Module => format!("`require(\"{}\")`", m.name),
            Kind::GlobalModule => format!("global `{0}`, also `require(\"{0}\")`", m.name),
            Kind::Globals => "globals".to_owned(),
            Kind::Library => format!("additions to the standard `{}` library", m.name),
            Kind::Sandbox => "the sandboxed standard library".to_owned(),
            Kind::Class => format!("values of class `{}`", m.name),
        };
        let _ = writeln!(o, "## {}\n", m.title());
        let mut head = match m.vm {
            VmKind::All => format!("*{kind}*"),
            VmKind::Page => format!("*{kind}, in custom pages only*"),
        };
        if !m.aliases.is_empty() {
            let a: Vec<String> = m
                .aliases
                .iter()
                .map(|a| format!("`require(\"{a}\")`"))
                .collect();
            let _ = write!(head, " (also {})", a.join(", "));
        }
        if m.members_are_globals {
            head.push_str(" — every member is also a global");
        }
        let _ = writeln!(o, "{head}. {}\n", m.summary.trim());
        if !m.functions.is_empty() {
            o.push_str("| function | description |\n| --- | --- |\n");
            for f in &m.functions {
                let s = f.signature()?;
                let mut d = f.doc.trim().to_owned();
                for (p, pd) in &f.params {
                    let _ = write!(d, " `{p}`: {}", pd.trim());
                }
                for ov in &f.overloads {
                    let so = parse_signature(ov)?;
                    let _ = write!(d, " Also `{}`.", call_text(&qualified(m, &f.name), &so));
                }
                if let Some(n) = &f.notes {
                    let _ = write!(d, " *{}*", n.trim());
                }
                if let Some(v) = &f.since {
                    let _ = write!(d, " (since {v})");
                }
                let _ = writeln!(
                    o,
                    "| `{}` | {} |",
                    cell(&call_text(&qualified(m, &f.name), &s)),
                    cell(&d)
                );
            }
            o.push('\n');
        }
        if !m.fields.is_empty() {
            o.push_str("| field | type | description |\n| --- | --- | --- |\n");
            for f in &m.fields {
                let _ = writeln!(
                    o,
                    "| `{}` | `{}` | {} |",
                    cell(&qualified(m, &f.name)),
                    cell(&f.ty),
                    cell(f.doc.trim())
                );
            }
            o.push('\n');
        }
        if let Some(n) = &m.notes {
            o.push_str(n.trim());
            o.push_str("\n\n");
        }
    }
    Ok(format!("{}\n", o.trim_end()))
}

fn doc_lines(o: &mut String, text: &str) {
    for l in text.trim().lines() {
        let _ = writeln!(o, "---{}", l.trim_end());
    }
}

fn lua_params(s: &Signature) -> String {
    s.params
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

fn fun_type(s: &Signature) -> String {
    let ps: Vec<String> = s
        .params
        .iter()
        .map(|p| {
            let q = if p.optional { "?" } else { "" };
            format!("{}{q}: {}", p.name, p.ty)
        })
        .collect();
    let mut t = format!("fun({})", ps.join(", "));
    if !s.returns.is_empty() {
        let rs: Vec<String> = s
            .returns
            .iter()
            .map(|r| {
                if r.optional {
                    format!("{}?", r.ty)
                } else {
                    r.ty.clone()
                }
            })
            .collect();
        let _ = write!(t, ": {}", rs.join(", "));
    }
    t
}

fn stub_function(o: &mut String, owner: &str, f: &Function) -> Result<(), ReferenceError> {
    let s = f.signature()?;
    let mut doc = f.doc.trim().to_owned();
    if let Some(n) = &f.notes {
        let _ = write!(doc, "\n\n{}", n.trim());
    }
    if let Some(v) = &f.since {
        let _ = write!(doc, "\n\nSince ntopng {v}.");
    }
    doc_lines(o, &doc);
    for p in &s.params {
        let q = if p.optional && p.name != "..." {
            "?"
        } else {
            ""
        };
        let d = f
            .params
            .get(&p.name)
            .map(|d| format!(" {}", d.trim().replace('\n', " ")))
            .unwrap_or_default();
        let _ = writeln!(o, "---@param {}{q} {}{d}", p.name, p.ty);
    }
    for r in &s.returns {
        let q = if r.optional { "?" } else { "" };
        let name = if r.name.is_empty() {
            String::new()
        } else {
            format!(" {}", r.name)
        };
        let _ = writeln!(o, "---@return {}{q}{name}", r.ty);
    }
    for ov in &f.overloads {
        let _ = writeln!(o, "---@overload {}", fun_type(&parse_signature(ov)?));
    }
    let target = if owner.is_empty() {
        f.name.clone()
    } else if owner.ends_with(':') {
        // Methods of a class.
        format!("{owner}{}", f.name)
    } else {
        format!("{owner}.{}", f.name)
    };
    let _ = writeln!(o, "function {target}({}) end\n", lua_params(&s));
    Ok(())
}

/// The Lua language-server stubs: `(file name in docs/lua/, text)`, one file per
/// module, each starting with `---@meta`.
///
/// # Errors
/// The description files are invalid.
pub fn stubs() -> Result<Vec<(String, String)>, ReferenceError> {
    let api = api()?;
    let mut files = Vec::new();
    for m in &api.modules {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "-- Generated by `cargo xtask lua-stubs` from crates/weir-script/src/reference/: do not edit."
        );
        match m.kind {
            Kind::Module | Kind::GlobalModule => {
                let _ = writeln!(o, "---@meta {}\n", m.name);
            }
            _ => o.push_str("---@meta\n\n"),
        }
        match m.kind {
            Kind::Global | Kind::Module | Kind::GlobalModule
                if m.vm == VmKind::Page
                    && api
                        .modules
                        .iter()
                        .any(|x| x.vm == VmKind::All && x.name == m.name) =>
            {
                // Additions to a table every VM has: only the new members.
                doc_lines(&mut o, &m.summary);
                o.push('\n');
                for f in &m.fields {
                    doc_lines(&mut o, &f.doc);
                    let _ = writeln!(o, "---@type {}\n{}.{} = nil\n", f.ty, m.name, f.name);
                }
                for f in &m.functions {
                    stub_function(&mut o, &m.name, f)?;
                }
            }
            Kind::Global | Kind::Module | Kind::GlobalModule => {
                doc_lines(&mut o, &m.summary);
                let _ = writeln!(o, "---@class {}", m.class());
                for f in &m.fields {
                    let _ = writeln!(
                        o,
                        "---@field {} {} {}",
                        f.name,
                        f.ty,
                        f.doc.trim().replace('\n', " ")
                    );
                }
                if m.kind == Kind::Module {
                    let _ = writeln!(o, "local {} = {{}}\n", m.name);
                } else {
                    let _ = writeln!(o, "{} = {{}}\n", m.name);
                }
                for f in &m.functions {
                    if m.members_are_globals {
                        stub_function(&mut o, "", f)?;
                    } else {
                        stub_function(&mut o, &m.name, f)?;
                    }
                }
                if m.members_are_globals {
                    for f in &m.fields {
                        doc_lines(&mut o, &f.doc);
                        let _ = writeln!(o, "---@type {}\n{} = nil\n", f.ty, f.name);
                    }
                    for f in &m.functions {
                        let _ = writeln!(o, "{0}.{1} = {1}", m.name, f.name);
                    }
                    o.push('\n');
                }
                if m.kind != Kind::Global {
                    let _ = writeln!(o, "return {}", m.name);
                }
            }
            Kind::Class => {
                doc_lines(&mut o, &m.summary);
                let _ = writeln!(o, "---@class {}", m.class());
                for f in &m.fields {
                    let _ = writeln!(
                        o,
                        "---@field {} {} {}",
                        f.name,
                        f.ty,
                        f.doc.trim().replace('\n', " ")
                    );
                }
                let _ = writeln!(o, "local {} = {{}}\n", m.name);
                for f in &m.functions {
                    stub_function(&mut o, &format!("{}:", m.name), f)?;
                }
            }
            Kind::Globals | Kind::Library | Kind::Sandbox => {
                if m.kind != Kind::Library {
                    doc_lines(&mut o, &m.summary);
                    o.push('\n');
                }
                if m.kind == Kind::Sandbox {
                    let mut tables: Vec<&str> = m
                        .functions
                        .iter()
                        .filter_map(|f| f.name.split_once('.').map(|(t, _)| t))
                        .collect();
                    tables.dedup();
                    for t in tables {
                        let _ = writeln!(o, "{t} = {{}}\n");
                    }
                }
                for f in &m.fields {
                    doc_lines(&mut o, &f.doc);
                    let owner = if m.kind == Kind::Library {
                        format!("{}.", m.name)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(o, "---@type {}\n{owner}{} = nil\n", f.ty, f.name);
                }
                let owner = if m.kind == Kind::Library {
                    m.name.as_str()
                } else {
                    ""
                };
                for f in &m.functions {
                    stub_function(&mut o, owner, f)?;
                }
            }
        }
        let extends = m.vm == VmKind::Page
            && api
                .modules
                .iter()
                .any(|x| x.vm == VmKind::All && x.name == m.name);
        let file = match (m.vm, m.kind) {
            (VmKind::Page, Kind::Globals) => "page_globals.lua".to_owned(),
            (VmKind::Page, _) if extends => format!("page_{}.lua", m.name),
            (_, Kind::Library) => format!("std_{}.lua", m.name),
            (_, Kind::Globals) => "globals.lua".to_owned(),
            (_, Kind::Sandbox) => "sandbox.lua".to_owned(),
            _ => format!("{}.lua", m.name),
        };
        files.push((file, format!("{}\n", o.trim_end())));
    }
    Ok(files)
}

/// The `.luarc.json` at the repository root: Lua 5.4, the stubs as a library, the
/// standard libraries the sandbox removes switched off (their allowed parts are in
/// `docs/lua/sandbox.lua`).
pub fn luarc() -> String {
    let v = serde_json::json!({
        "$schema": "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json",
        "runtime.version": "Lua 5.4",
        "runtime.builtin": {
            "coroutine": "disable",
            "debug": "disable",
            "ffi": "disable",
            "io": "disable",
            "jit": "disable",
            "os": "disable",
            "package": "disable",
        },
        "workspace.library": ["docs/lua"],
        "workspace.checkThirdParty": false,
        "diagnostics.disable": ["lowercase-global"],
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into())
    )
}

/// Every generated file, by path relative to the repository root.
///
/// # Errors
/// The description files are invalid.
pub fn generated_files() -> Result<Vec<(String, String)>, ReferenceError> {
    let mut out = vec![
        ("docs/plugins/lua-api.md".to_owned(), markdown()?),
        (".luarc.json".to_owned(), luarc()),
    ];
    for (f, text) in stubs()? {
        out.push((format!("docs/lua/{f}"), text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
