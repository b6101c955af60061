-- Cryptocurrency mining, as ntopng 4.2 flags it: a flow whose nDPI category is
-- "Mining". The engine sets that category when
--  * the DPI recognises a Stratum session (JSON-RPC `mining.subscribe`,
--    `mining.authorize` or `login` over TCP: protocol "Mining"), or
--  * the flow's server name (DNS query, TLS SNI, HTTP Host) is, or is below, a known
--    pool or browser-mining domain of the engine's category catalogue (built-in list,
--    `[categories]` files), or
--  * it is one of the extra domains configured here (`items`), which this script
--    registers into the same catalogue with ntop.loadCustomCategoryHost.
-- The per-flow work is one category comparison: no name matching in Lua.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local MINING = "Mining"

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   -- Extra pool domains (the known ones are built into weir's catalogue).
   default_value = { items = {} },
   -- weir: only Mining flows are called, and the first flow after the configuration
   -- changed (which registers the configured domains).
   prefilter = { categories = { "Mining" }, on_config = true },
   hooks = {},
   gui = {
      i18n_title = "web_mining.title",
      i18n_description = "web_mining.description",
      input_builder = "items_list",
      input_title = "web_mining.input_title",
      input_description = "web_mining.input_description",
   },
}

-- The `items` table last registered (a configuration change gives a new table).
local registered = nil

-- Registers the configured domains into the engine's catalogue; they apply to flows
-- whose detection ends after the current hook batch.
local function register(items)
   registered = items
   local id = interface.getnDPICategoryId(MINING)
   for _, d in ipairs(items or {}) do
      ntop.loadCustomCategoryHost(tostring(d), id, "web_mining")
   end
end

function script.hooks.protocolDetected(now, conf)
   if conf.items ~= registered then
      register(conf.items)
   end
   if flow.getnDPICategoryName() ~= MINING then
      return
   end
   -- Only mining flows get this far: the name lookups below are rare.
   local info = flow.getInfo()
   local name = flow.getDnsQuery()
   if name == "" then
      name = flow.getTLSInfo()["protos.tls.client_requested_server_name"]
         or flow.getHTTPInfo()["protos.http.server_name"]
   end
   local reason
   if info["proto.ndpi"] == "Mining" then
      reason = "Stratum mining session"
   elseif name ~= nil and name ~= "" then
      reason = "connection to mining pool " .. name
   else
      reason = "server in a mining network"
   end
   local status = flow_consts.status_types.status_web_mining_detected
   -- The core creator takes no params (or others): the plugin's own go in after.
   local created = status.create(status.alert_severity)
   created.alert_type_params = {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      reason = reason,
   }
   flow.triggerStatus(created, 100, 100, 10)
end

return script
