//! Loading the catalogue: which page files are served, the validated menu entries,
//! and the problems found.

use std::collections::BTreeMap;
use std::path::Path;

use crate::plugin::gather;

use super::page_vm::PageVm;
use super::request::{line_of, problem, safe_rel, servable_name};
use super::types::{Catalogue, MenuDef, PAGE_DIRS, PageConfig, PageFile};

/// `rel` (a `/`-separated path relative to `dir`) names a file inside `dir`: not
/// absolute, no `..`, and, with symlinks resolved, still under `dir`.
pub(super) fn confined(dir: &Path, rel: &str) -> bool {
    if !safe_rel(rel) {
        return false;
    }
    let (Ok(base), Ok(full)) = (dir.canonicalize(), dir.join(rel).canonicalize()) else {
        return false;
    };
    full.starts_with(&base) && full.is_file()
}

pub(super) fn load_catalogue(cfg: &PageConfig, generation: u64) -> Catalogue {
    let (found, _) = gather(&cfg.script.sources, &cfg.script.roots);
    let mut problems = Vec::new();
    let mut sources = Vec::new();
    for mut s in found {
        s.files
            .retain(|k, _| k == "manifest.lua" || PAGE_DIRS.iter().any(|d| k.starts_with(d)));
        let escaping: Vec<String> = s
            .files
            .keys()
            .filter(|k| !s.embedded && !confined(&s.dir, k))
            .cloned()
            .collect();
        for k in escaping {
            problems.push(problem(
                &s.key,
                &k,
                None,
                "file is outside the plugin directory (symbolic link?); not used by the pages",
            ));
            s.files.remove(&k);
        }
        sources.push(s);
    }
    let mut cat = Catalogue {
        generation,
        sources,
        ..Catalogue::default()
    };
    // A VM to run the menu files in (labels are localized with the plugins' locales).
    let vm = match PageVm::new(cfg, &cat, false) {
        Ok(v) => v,
        Err(e) => {
            problems.push(problem("*", "", None, format!("page VM: {e}")));
            cat.problems = problems;
            return cat;
        }
    };
    let loaded: Vec<String> = vm.plugins.clone();
    let mut pages: BTreeMap<String, PageFile> = BTreeMap::new();
    let mut menus: Vec<MenuDef> = Vec::new();
    for (idx, src) in cat.sources.iter().enumerate() {
        if !loaded.contains(&src.key) {
            continue;
        }
        let files: Vec<(&str, &str)> = src.files_in("web_gui").collect();
        if files.is_empty() {
            continue;
        }
        let menu = match src.files.get("web_gui/menu.lua") {
            Some(text) => match vm.menu_def(src, text) {
                Ok(e) => Some((e, text.as_str())),
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            },
            None => None,
        };
        for (file, _) in &files {
            let name = file.trim_start_matches("web_gui/");
            if name == "menu.lua" {
                continue;
            }
            if !servable_name(name) {
                problems.push(problem(
                    &src.key,
                    file,
                    None,
                    "page file names may only use A-Z a-z 0-9 _ - . ; not served",
                ));
                continue;
            }
            if let Some(prev) = pages.get(name) {
                let other = &cat.sources[prev.source];
                problems.push(problem(
                    &src.key,
                    file,
                    Some(1),
                    format!(
                        "duplicate page name {name}: {}/{} already serves /plugins/{name}; this one is not served",
                        other.base(), prev.file
                    ),
                ));
                continue;
            }
            pages.insert(
                name.to_owned(),
                PageFile {
                    source: idx,
                    file: (*file).to_owned(),
                },
            );
        }
        if let Some((entry, text)) = menu {
            if let Some(prev) = menus.iter().find(|m| m.entry.key == entry.key) {
                problems.push(problem(
                    &src.key,
                    "web_gui/menu.lua",
                    line_of(text, &entry.key).or(Some(1)),
                    format!(
                        "duplicate menu entry key {:?}: already used by plugin {}; entry not shown",
                        entry.key, prev.entry.plugin
                    ),
                ));
            } else if pages.get(&entry.script).is_some_and(|p| p.source == idx) {
                menus.push(MenuDef { entry, source: idx });
            } else {
                problems.push(problem(
                    &src.key,
                    "web_gui/menu.lua",
                    line_of(text, "script").or(Some(1)),
                    format!(
                        "script {:?} is served by another plugin; entry not shown",
                        entry.script
                    ),
                ));
            }
        }
    }
    menus.sort_by(|a, b| {
        b.entry
            .sort_order
            .cmp(&a.entry.sort_order)
            .then_with(|| a.entry.label.cmp(&b.entry.label))
    });
    cat.pages = pages;
    cat.menus = menus;
    crate::plugin::locate(&mut problems, &cat.sources);
    cat.problems = problems;
    cat
}
