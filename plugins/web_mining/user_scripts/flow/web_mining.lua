-- Cryptocurrency miners talk to pools: they look the pool up in the DNS, then speak
-- Stratum (JSON-RPC lines over TCP, often on ports 3333, 4444, 5555, 7777, 14444...)
-- or Stratum over TLS; browser miners load their script from a mining service.
-- This script flags:
--  * DNS queries, TLS server names (SNI) and HTTP hosts equal to, or below, a known
--    pool or browser-mining domain (the configurable `items` list);
--  * TCP flows with a completed handshake to a Stratum port (the `ports` list) whose
--    application protocol nothing recognised: a known protocol on those ports is not
--    mining, an unknown one very often is.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      items = {
         -- Pools (Monero, Ethereum Classic, Bitcoin, multi-coin)
         "supportxmr.com", "moneroocean.stream", "minexmr.com", "hashvault.pro",
         "c3pool.com", "xmrpool.eu", "herominers.com", "2miners.com", "nanopool.org",
         "f2pool.com", "ethermine.org", "nicehash.com", "miningpoolhub.com",
         "slushpool.com", "braiins.com", "antpool.com", "viabtc.com", "poolin.com",
         "unmineable.com", "zpool.ca", "prohashing.com", "mining-dutch.nl",
         -- Browser mining services
         "coinhive.com", "coin-hive.com", "authedmine.com", "crypto-loot.com",
         "cryptoloot.pro", "coinimp.com", "webminepool.com", "minero.cc",
      },
      ports = { 3333, 3357, 4444, 5555, 7777, 9999, 14433, 14444, 45560, 45700 },
   },
   hooks = {},
   gui = {
      i18n_title = "web_mining.title",
      i18n_description = "web_mining.description",
      input_builder = "items_list",
      input_title = "web_mining.input_title",
      input_description = "web_mining.input_description",
   },
}

-- The pool domain `name` is, or is below, or nil.
local function pool_of(name, domains)
   if name == nil or name == "" then
      return nil
   end
   name = name:lower():gsub("%.$", ""):gsub(":%d+$", "")
   for _, d in ipairs(domains) do
      d = d:lower()
      if name == d or (#name > #d and name:sub(-#d - 1) == "." .. d) then
         return d
      end
   end
   return nil
end

local function is_stratum_port(port, ports)
   for _, p in ipairs(ports) do
      if tonumber(p) == port then
         return true
      end
   end
   return false
end

function script.hooks.protocolDetected(now, conf)
   local info = flow.getInfo()
   local domains = conf.items or {}
   local reason, matched
   local q = flow.getDnsQuery()
   if q ~= "" then
      matched = pool_of(q, domains)
      reason = matched and ("DNS lookup of mining pool " .. q)
   else
      local tls = flow.getTLSInfo()
      local http = flow.getHTTPInfo()
      local name = tls["protos.tls.client_requested_server_name"] or http["protos.http.server_name"]
      matched = pool_of(name, domains)
      reason = matched and ("connection to mining pool " .. name)
   end
   if not matched and info["proto.l4"] == "TCP" and info["proto.ndpi"] == "Unknown"
      and flow.isTwhOK() and is_stratum_port(info["srv.port"], conf.ports or {}) then
      reason = "unidentified TCP to Stratum port " .. info["srv.port"]
   end
   if not reason then
      return
   end
   local status = flow_consts.status_types.status_web_mining_detected
   -- The core creator takes no params (or others): the plugin's own go in after.
   local created = status.create(status.alert_severity)
   created.alert_type_params = {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      reason = reason,
      pool = matched,
   }
   flow.triggerStatus(created, 100, 100, 10)
end

return script
