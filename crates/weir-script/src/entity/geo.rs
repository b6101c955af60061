//! What the engine's lookups know about the visited host: `host.isBlacklisted()`,
//! `host.getCountry()`, `host.getASN()`. The engine looked the address up once, when
//! the host was created ([`weir_flow::Lookups`]); these read the answer.

use mlua::{Lua, Table, Value};

use crate::diag::api_error;

use super::binding::HostRef;
use super::view::HostView;

fn add<F>(lua: &Lua, t: &Table, sh: &HostRef, name: &'static str, f: F) -> mlua::Result<()>
where
    F: Fn(&Lua, &HostView) -> mlua::Result<Value> + 'static,
{
    let sh = sh.clone();
    t.raw_set(
        name,
        lua.create_function(move |lua, (): ()| {
            let Ok(s) = sh.try_borrow() else {
                return Ok(Value::Nil);
            };
            match &s.host {
                Some(h) => f(lua, h),
                None => {
                    if let Ok(mut c) = s.call.try_borrow_mut() {
                        api_error(
                            lua,
                            &mut c,
                            &format!("host.{name}"),
                            "called outside a host hook",
                        );
                    }
                    Ok(Value::Nil)
                }
            }
        })?,
    )
}

/// Adds the lookup getters to the `host` table.
pub(crate) fn install(lua: &Lua, t: &Table, sh: &HostRef) -> mlua::Result<()> {
    add(lua, t, sh, "isBlacklisted", |_, h| {
        Ok(Value::Boolean(h.listed))
    })?;
    add(lua, t, sh, "getCountry", |lua, h| {
        match h.geo.country.as_str() {
            Some(c) => Ok(Value::String(lua.create_string(c)?)),
            None => Ok(Value::Nil),
        }
    })?;
    add(lua, t, sh, "getASN", |_, h| {
        Ok(if h.geo.asn == 0 {
            Value::Nil
        } else {
            Value::Integer(i64::from(h.geo.asn))
        })
    })?;
    Ok(())
}
