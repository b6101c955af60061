//! Syslog scripts (`user_scripts/syslog/<producer>.lua`, spec plugins.md §17).

use mlua::Table;
use weir_decode::Timestamp;

use crate::runtime::{Runtime, error_text};

impl Runtime {
    /// Delivers one syslog message to the syslog script whose key is `producer`
    /// (spec plugins.md §17): `handleEvent(message)` when the handler declares one
    /// parameter (doc / 4.0 form), else `handleEvent(syslog_conf, message, host,
    /// priority)`. Returns false when no script handles that producer.
    pub fn syslog_event(
        &mut self,
        now: Timestamp,
        producer: &str,
        message: &str,
        host: &str,
        priority: u8,
    ) -> bool {
        let secs = now.as_secs();
        self.boundary(secs);
        let Some((idx, f, one_arg)) = self.vm.syslog.get(producer).cloned() else {
            return false;
        };
        let sc = &mut self.vm.scripts[idx];
        if sc.info.disabled || sc.off {
            return false;
        }
        self.shared.borrow_mut().script = Some(sc.ctx.clone());
        self.vm.budget.reset();
        let r = if one_arg {
            f.call::<()>(message)
        } else {
            let conf = (|| -> mlua::Result<Table> {
                let lua = &self.vm.lua;
                let all = lua.create_table()?;
                all.raw_set("enabled", true)?;
                all.raw_set("script_conf", &sc.conf)?;
                let entry = lua.create_table()?;
                entry.raw_set("all", all)?;
                let c = lua.create_table()?;
                c.raw_set(sc.info.key.as_str(), entry)?;
                Ok(c)
            })();
            match conf {
                Ok(c) => f.call::<()>((c, message, host, priority)),
                Err(e) => Err(e),
            }
        };
        sc.info.calls += 1;
        let api = {
            let mut s = self.shared.borrow_mut();
            s.script = None;
            (!s.api_errors.is_empty()).then(|| std::mem::take(&mut s.api_errors).join("; "))
        };
        match (r, api) {
            (Ok(()), None) => sc.info.consecutive_failures = 0,
            (Ok(()), Some(a)) => self.faults.push((idx, a)),
            (Err(err), _) => {
                let text = error_text(&err, &sc.info.plugin, &sc.info.file);
                self.faults.push((idx, text));
            }
        }
        if !self.faults.is_empty() {
            self.handle_faults();
        }
        true
    }
}
