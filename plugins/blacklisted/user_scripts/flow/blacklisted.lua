-- Flags flows the engine's block lists mark (as ntopng 4.2's blacklisted script):
-- the client's or the server's address is on a list, or the server name (TLS SNI,
-- HTTP Host, DNS query) is on a domain list, or the flow's category is Malware.
--
-- The lists are not this script's: weir keeps them in the engine (`[lists]` in
-- weir.toml, `weir run --blocklist FILE`, and blocklist.txt of the data directory when
-- it exists), reloads them when a file changes and marks each flow once; this script
-- reads the marks. See docs/configuration.md for the list formats.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   -- Only flows the engine found on a block list reach the hook.
   prefilter = { blacklisted = true },
   hooks = {},
   gui = {
      i18n_title = "blacklisted.title",
      i18n_description = "blacklisted.description",
   },
}

function script.hooks.protocolDetected(now, conf)
   if not flow.isBlacklisted() then
      return
   end
   local info = flow.getBlacklistedInfo()
   local cli = info["blacklisted.cli"] == true
   local srv = info["blacklisted.srv"] == true
   local name = info["blacklisted.cat"] == true
   local who = {}
   if cli then who[#who + 1] = "client" end
   if srv then who[#who + 1] = "server" end
   if name then who[#who + 1] = "server name" end
   local status = flow_consts.status_types.status_blacklisted
   -- The listed side takes the full score; the other side a little.
   -- 4.2 passes getBlacklistedInfo() as the status parameters.
   info.cli_blacklisted = cli
   info.srv_blacklisted = srv
   info.which = table.concat(who, " and ")
   flow.triggerStatus(status.create(status.alert_severity, info),
      100, cli and 100 or 10, (srv or name) and 100 or 10)
end

return script
