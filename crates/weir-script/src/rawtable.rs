//! Tables filled in one protected call. Setting a field through mlua costs a
//! protected call for the key string and one for the `rawset` (each a `lua_pcall`
//! round trip, about 100 ns); the flow information tables have dozens of fields and
//! are built for every hook call that asks for them. A [`TableBuf`] records the
//! fields (copying the text into one buffer) and [`TableBuf::fill`] writes them all
//! with the raw C API inside a single protected call.

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

    /// Writes the recorded fields into `t` (tables left open are closed).
    #[allow(unsafe_code)]
    pub(crate) fn fill(&self, lua: &Lua, t: &Table) -> mlua::Result<()> {
        if self.max_depth > MAX_DEPTH {
            return Err(mlua::Error::runtime(format!(
                "table nesting deeper than {MAX_DEPTH}"
            )));
        }
        let text = self.text.as_bytes();
        let ops = self.ops.as_slice();
        // SAFETY: `exec_raw` runs the closure in protected mode with `t` at stack index
        // 1; the closure owns nothing that needs dropping (a Lua error unwinds through
        // it by longjmp), indexes only `text` spans it recorded itself, and keeps the
        // stack within what `lua_checkstack` granted (two slots per open table, three
        // for a field being set).
        unsafe {
            lua.exec_raw::<()>(t, |state| {
                if ffi::lua_checkstack(state, (2 * MAX_DEPTH + 4) as i32) == 0 {
                    return;
                }
                let push = |state: *mut ffi::lua_State, s: Span| {
                    let (a, n) = (s.0 as usize, s.1 as usize);
                    let bytes = text.get(a..a + n).unwrap_or(&[]);
                    ffi::lua_pushlstring(state, bytes.as_ptr().cast(), bytes.len());
                };
                // Absolute stack indices of the open tables; [0] is `t`.
                let mut open = [1i32; MAX_DEPTH + 1];
                let mut depth = 0usize;
                let mut item = 0i64;
                let mut list_at = 0i32;
                for op in ops {
                    match *op {
                        Op::Set(k, v) => {
                            if list_at != 0 {
                                // The list before this field is complete.
                                ffi::lua_rawset(state, open[depth]);
                                list_at = 0;
                            }
                            push(state, k);
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
                            push(state, k);
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
            })
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
