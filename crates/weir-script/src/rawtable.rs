//! Tables filled in one protected call. Setting a field through mlua costs a
//! protected call for the key string and one for the `rawset` (each a `lua_pcall`
//! round trip, about 100 ns); the flow information tables have dozens of fields and
//! are built for every hook call that asks for them. A [`TableBuf`] records the
//! fields (copying the text into one buffer) and [`TableBuf::fill`] writes them all
//! with the raw C API inside a single protected call.

use std::collections::HashMap;

use mlua::{Lua, Table, ffi};

/// Nesting depth a buffer accepts (the flow tables nest two levels).
const MAX_DEPTH: usize = 8;

/// A span of [`TableBuf::text`].
#[derive(Debug, Clone, Copy)]
struct Span(u32, u32);

#[derive(Debug, Clone, Copy)]
enum Val {
    Str(Span),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A sequence of the next `n` list items.
    List(u32),
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Set(Span, Val),
    /// One item of the list being set.
    Item(Span),
    /// Opens a nested table under the key; the fields that follow go into it.
    Begin(Span),
    /// Closes the innermost nested table.
    End,
}

/// Fields recorded for one table (and the tables nested in it).
#[derive(Debug, Default)]
pub(crate) struct TableBuf {
    text: String,
    ops: Vec<Op>,
    depth: usize,
    /// Deepest nesting recorded.
    max_depth: usize,
    /// Keys go through the VM's [`KeyCache`].
    intern: bool,
    /// The cache slot of each op's key (0: none), for the current fill.
    key_ids: Vec<i32>,
}

impl TableBuf {
    /// Forgets what was recorded (keeping the capacity).
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.ops.clear();
        self.depth = 0;
        self.max_depth = 0;
    }

    fn span(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        // Text past 4 GiB cannot come from one flow's fields; saturate rather than wrap.
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        Span(start, u32::try_from(s.len()).unwrap_or(0))
    }

    fn set(&mut self, key: &str, v: Val) {
        let k = self.span(key);
        self.ops.push(Op::Set(k, v));
    }

    /// `t[key] = v` (a string).
    pub(crate) fn str(&mut self, key: &str, v: &str) {
        let s = self.span(v);
        self.set(key, Val::Str(s));
    }

    /// `t[key] = v` (an integer).
    pub(crate) fn int(&mut self, key: &str, v: i64) {
        self.set(key, Val::Int(v));
    }

    /// `t[key] = v` (a float).
    pub(crate) fn float(&mut self, key: &str, v: f64) {
        self.set(key, Val::Float(v));
    }

    /// `t[key] = v` (a boolean).
    pub(crate) fn bool(&mut self, key: &str, v: bool) {
        self.set(key, Val::Bool(v));
    }

    /// `t[key] = { items... }`.
    pub(crate) fn list(&mut self, key: &str, items: &[String]) {
        self.set(key, Val::List(u32::try_from(items.len()).unwrap_or(0)));
        for i in items.iter().take(u32::MAX as usize) {
            let s = self.span(i);
            self.ops.push(Op::Item(s));
        }
    }

    /// `t[key] = {}`, the fields that follow going into it until [`TableBuf::end`].
    pub(crate) fn begin(&mut self, key: &str) {
        let k = self.span(key);
        self.ops.push(Op::Begin(k));
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
    }

    /// Closes the table opened last.
    pub(crate) fn end(&mut self) {
        if self.depth > 0 {
            self.depth -= 1;
            self.ops.push(Op::End);
        }
    }

    /// Pushes the keys through the VM's [`KeyCache`] (the flow tables, whose keys are a
    /// fixed set): each key is then an array read instead of a string interned again.
    pub(crate) fn intern_keys(&mut self, on: bool) {
        self.intern = on;
    }

    /// Fields directly in the outer table.
    fn outer_fields(&self) -> usize {
        let mut depth = 0usize;
        let mut n = 0;
        for op in &self.ops {
            match op {
                Op::Set(..) if depth == 0 => n += 1,
                Op::Begin(_) => {
                    if depth == 0 {
                        n += 1;
                    }
                    depth += 1;
                }
                Op::End => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        n
    }

    /// The cache slot of every key (0: pushed as text), when interning; the cache table.
    fn resolve_keys(&mut self, lua: &Lua) -> mlua::Result<Option<Table>> {
        self.key_ids.clear();
        if !self.intern {
            return Ok(None);
        }
        let Ok(mut cache) = lua.try_app_data_mut::<KeyCache>() else {
            // Borrowed further up this thread's stack (a finalizer building a flow
            // table): plain keys this time.
            return Ok(None);
        };
        let cache = match cache.as_mut() {
            Some(c) => c,
            None => {
                drop(cache);
                lua.set_app_data(KeyCache {
                    ids: HashMap::default(),
                    table: lua.create_table()?,
                });
                return self.resolve_keys(lua);
            }
        };
        let text = self.text.as_str();
        for op in &self.ops {
            let id = match *op {
                Op::Set(k, _) | Op::Begin(k) => {
                    let key = text.get(k.0 as usize..(k.0 + k.1) as usize).unwrap_or("");
                    match cache.ids.get(key) {
                        Some(&id) => id,
                        None if cache.ids.len() < MAX_KEYS => {
                            let id = i32::try_from(cache.ids.len() + 1).unwrap_or(0);
                            cache.ids.insert(key.into(), id);
                            id
                        }
                        None => 0,
                    }
                }
                _ => 0,
            };
            self.key_ids.push(id);
        }
        Ok(Some(cache.table.clone()))
    }

    /// Writes the recorded fields into `t` (tables left open are closed).
    pub(crate) fn fill(&mut self, lua: &Lua, t: &Table) -> mlua::Result<()> {
        self.check_depth()?;
        let cache = self.resolve_keys(lua)?;
        // SAFETY: see `write`; `t` is at stack index 1, the cache (if any) at 2.
        #[allow(unsafe_code)]
        unsafe {
            let (text, ops, ids) = self.recorded();
            match &cache {
                Some(c) => lua.exec_raw::<()>((t, c), |state| write(state, text, ops, ids, 2)),
                None => lua.exec_raw::<()>(t, |state| write(state, text, ops, &[], 0)),
            }
        }
    }

    /// A new table holding the recorded fields, sized for them.
    pub(crate) fn build(&mut self, lua: &Lua) -> mlua::Result<Table> {
        self.check_depth()?;
        let n = i32::try_from(self.outer_fields()).unwrap_or(0);
        let cache = self.resolve_keys(lua)?;
        // SAFETY: see `write`; the closure creates the table at stack index 1 (the cache,
        // if any, moved to 2 before) and leaves only it on the stack.
        #[allow(unsafe_code)]
        unsafe {
            let (text, ops, ids) = self.recorded();
            match &cache {
                Some(c) => lua.exec_raw::<Table>(c, |state| {
                    ffi::lua_createtable(state, 0, n);
                    ffi::lua_insert(state, 1);
                    write(state, text, ops, ids, 2);
                    ffi::lua_settop(state, 1);
                }),
                None => lua.exec_raw::<Table>((), |state| {
                    ffi::lua_createtable(state, 0, n);
                    write(state, text, ops, &[], 0);
                }),
            }
        }
    }

    /// What [`write`] replays: the keys' and strings' text, the operations and the
    /// key ids in the VM's key cache.
    fn recorded(&self) -> (&[u8], &[Op], &[i32]) {
        (
            self.text.as_bytes(),
            self.ops.as_slice(),
            self.key_ids.as_slice(),
        )
    }

    fn check_depth(&self) -> mlua::Result<()> {
        if self.max_depth > MAX_DEPTH {
            return Err(mlua::Error::runtime(format!(
                "table nesting deeper than {MAX_DEPTH}"
            )));
        }
        Ok(())
    }
}

/// Most keys a VM's [`KeyCache`] holds (the flow tables have about a hundred).
const MAX_KEYS: usize = 512;

/// The key strings of one VM's flow tables, made once: slot `i` of `table` holds the
/// key `ids` maps to `i` (filled at its first use).
pub(crate) struct KeyCache {
    ids: HashMap<Box<str>, i32, foldhash::fast::FixedState>,
    table: Table,
}

/// Writes `ops` into the table at stack index 1, closing what is left open; `ids`
/// (empty: none) are the keys' slots in the key cache at stack index `cache`.
///
/// # Safety
/// Runs inside `exec_raw` (protected mode) with the target table at index 1 and, when
/// `ids` is not empty, the cache table at index `cache`. It owns nothing that needs
/// dropping (a Lua error unwinds through it by longjmp), indexes only `text` spans
/// recorded by the buffer, and keeps the stack within what `lua_checkstack` granted
/// (two slots per open table, three for a field being set, one more for a cached key).
#[allow(unsafe_code)]
unsafe fn write(state: *mut ffi::lua_State, text: &[u8], ops: &[Op], ids: &[i32], cache: i32) {
    unsafe {
        if ffi::lua_checkstack(state, (2 * MAX_DEPTH + 5) as i32) == 0 {
            return;
        }
        let push = |state: *mut ffi::lua_State, s: Span| {
            let (a, n) = (s.0 as usize, s.1 as usize);
            let bytes = text.get(a..a + n).unwrap_or(&[]);
            ffi::lua_pushlstring(state, bytes.as_ptr().cast(), bytes.len());
        };
        // A key: from the cache slot when it holds it, else pushed (and kept there).
        let push_key = |state: *mut ffi::lua_State, s: Span, at: usize| match ids
            .get(at)
            .copied()
            .unwrap_or(0)
        {
            0 => push(state, s),
            id => {
                if ffi::lua_rawgeti(state, cache, ffi::lua_Integer::from(id)) != ffi::LUA_TSTRING {
                    ffi::lua_pop(state, 1);
                    push(state, s);
                    ffi::lua_pushvalue(state, -1);
                    ffi::lua_rawseti(state, cache, ffi::lua_Integer::from(id));
                }
            }
        };
        // Absolute stack indices of the open tables; [0] is the target.
        let mut open = [1i32; MAX_DEPTH + 1];
        let mut depth = 0usize;
        let mut item = 0i64;
        let mut list_at = 0i32;
        for (at, op) in ops.iter().enumerate() {
            match *op {
                Op::Set(k, v) => {
                    if list_at != 0 {
                        // The list before this field is complete.
                        ffi::lua_rawset(state, open[depth]);
                        list_at = 0;
                    }
                    push_key(state, k, at);
                    match v {
                        Val::Str(s) => push(state, s),
                        Val::Int(i) => ffi::lua_pushinteger(state, i),
                        Val::Float(f) => ffi::lua_pushnumber(state, f),
                        Val::Bool(b) => ffi::lua_pushboolean(state, i32::from(b)),
                        Val::List(n) => {
                            ffi::lua_createtable(state, n as i32, 0);
                            list_at = ffi::lua_gettop(state);
                            item = 0;
                            continue;
                        }
                    }
                    ffi::lua_rawset(state, open[depth]);
                }
                Op::Item(s) => {
                    if list_at != 0 {
                        push(state, s);
                        item += 1;
                        ffi::lua_rawseti(state, list_at, item);
                    }
                }
                Op::Begin(k) => {
                    if list_at != 0 {
                        ffi::lua_rawset(state, open[depth]);
                        list_at = 0;
                    }
                    push_key(state, k, at);
                    ffi::lua_createtable(state, 0, 0);
                    depth += 1;
                    open[depth] = ffi::lua_gettop(state);
                }
                Op::End => {
                    if list_at != 0 {
                        ffi::lua_rawset(state, open[depth]);
                        list_at = 0;
                    }
                    if depth > 0 {
                        depth -= 1;
                        ffi::lua_rawset(state, open[depth]);
                    }
                }
            }
        }
        if list_at != 0 {
            ffi::lua_rawset(state, open[depth]);
        }
        while depth > 0 {
            depth -= 1;
            ffi::lua_rawset(state, open[depth]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TableBuf;

    #[test]
    fn nested_tables_lists_and_scalars_land_where_recorded() {
        let lua = mlua::Lua::new();
        let mut b = TableBuf::default();
        b.str("a", "x");
        b.int("n", -3);
        b.list("l", &["p".into(), "q".into()]);
        b.begin("t");
        b.float("f", 1.5);
        b.list("empty", &[]);
        b.begin("u");
        b.bool("b", true);
        b.end();
        b.str("after", "y");
        b.end();
        b.list("last", &["z".into()]);
        let t = lua.create_table().unwrap();
        b.fill(&lua, &t).unwrap();
        lua.globals().set("t", t).unwrap();
        let got: String = lua
            .load(
                r#"return table.concat({ t.a, t.n, #t.l, t.l[1], t.l[2], t.t.f, #t.t.empty,
                   tostring(t.t.u.b), t.t.after, t.last[1] }, " ")"#,
            )
            .eval()
            .unwrap();
        assert_eq!(got, "x -3 2 p q 1.5 0 true y z");
    }

    /// Built tables with keys through the VM's key cache: the same fields every time,
    /// also after the cache lost its strings (a slot it assigned but never filled).
    #[test]
    fn interned_keys_build_the_same_tables_every_time() {
        let lua = mlua::Lua::new();
        for round in 0..4 {
            if round == 2 {
                let cache = lua.app_data_ref::<super::KeyCache>().unwrap();
                cache.table.clear().unwrap();
            }
            let mut b = TableBuf::default();
            b.intern_keys(true);
            b.str("cli.ip", "10.0.0.1");
            b.int("n", round);
            b.begin("t");
            b.bool("b", true);
            b.end();
            b.list("l", &["x".into()]);
            let t = b.build(&lua).unwrap();
            lua.globals().set("t", t).unwrap();
            let got: String = lua
                .load(
                    r#"local n = 0 for _ in pairs(t) do n = n + 1 end
                       return table.concat({ t["cli.ip"], t.n, tostring(t.t.b), t.l[1], n }, " ")"#,
                )
                .eval()
                .unwrap();
            assert_eq!(got, format!("10.0.0.1 {round} true x 4"));
        }
        let cache = lua.app_data_ref::<super::KeyCache>().unwrap();
        assert_eq!(
            cache.ids.len(),
            5,
            "one slot per distinct key (the nested one too)"
        );
    }

    #[test]
    fn too_deep_a_nesting_is_an_error_not_a_stack_overflow() {
        let lua = mlua::Lua::new();
        let mut b = TableBuf::default();
        for _ in 0..20 {
            b.begin("k");
        }
        let t = lua.create_table().unwrap();
        assert!(b.fill(&lua, &t).is_err());
    }
}
