-- Builds the threshold scripts of this plugin. Every script of user_scripts/host,
-- network and interface is one metric of one entity type; they differ only in how
-- the value is read, so the tables are made here.
--
-- A script uses the seed's threshold helper: hooks = alerts_api.threshold_check_function
-- for every granularity, and get_threshold_value(granularity, entity_info) returning
-- the value to compare with the hook's configured {operator, threshold}. The helper
-- raises (or releases) alert_threshold_cross, subtype "<granularity>_<script key>",
-- on the visited entity.
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local M = {}

local GRANULARITIES = { "min", "5mins", "hour", "day" }
local MB = 1024 * 1024

-- Counters of an entity. Host values come from the `host` global, network and
-- interface values from entity_info (network.getNetworkStats(), interface.getStats()).
local readers = {
   -- Host counters are read as their increase since the previous round of the
   -- granularity, which the engine keeps (host.getDeltas(), a weir extension): the
   -- host scripts keep no cached values, and their prefilter compares the same
   -- number before calling the hook.
   host = {
      bytes = function()
         return host.getDeltas().bytes
      end,
      packets = function()
         return host.getDeltas().packets
      end,
      flows = function()
         local i = host.getInfo()
         return i["active_flows.as_client"] + i["active_flows.as_server"]
      end,
      score = function()
         return host.getScore().score
      end,
   },
   network = {
      bytes = function(info)
         return info.ingress + info.egress + info.inner
      end,
      packets = function(info)
         return info.packets
      end,
      flows = function(info)
         return info.flows
      end,
      score = function(info)
         return info.score
      end,
   },
   interface = {
      bytes = function(info)
         return info.stats.bytes
      end,
      packets = function(info)
         return info.stats.packets
      end,
      flows = function(info)
         return info.stats.flows
      end,
   },
}

-- Counters read as totals (the host readers give deltas already).
local delta = {
   network = alerts_api.network_delta_val,
   interface = alerts_api.interface_delta_val,
}

-- Values weir can compare with the threshold in Rust before calling the hook (the
-- script's `prefilter`, a weir extension): the same number the hook compares.
local gates = {
   host = { score = "score", flows = "active_flows", bytes = "delta.bytes", packets = "delta.packets" },
   network = { score = "score" },
}

-- How each metric turns a reading into the value compared with the threshold.
-- bytes, packets: the increase over the granularity; throughput: that increase in
-- bytes as Mbit/s; flows: active flows now (networks: flows started in the period);
-- score: the score now.
local metrics = {
   bytes = { unit = user_scripts.field_units.bytes, counter = "bytes" },
   packets = { unit = user_scripts.field_units.packets, counter = "packets" },
   throughput = { unit = user_scripts.field_units.mbits, counter = "bytes", rate = true },
   flows = { unit = user_scripts.field_units.flows, gauge = "flows" },
   score = { gauge = "score" },
}

-- Defaults per granularity: {threshold for min, 5mins, hour, day}.
local function per_granularity(t)
   local out = {}
   for i, g in ipairs(GRANULARITIES) do
      out[g] = { operator = "gt", threshold = t[i] }
   end
   return out
end

-- The script table for `metric` of `entity` ("host", "network", "interface").
-- opts: default_enabled, thresholds = {min, 5mins, hour, day}.
function M.script(entity, metric, opts)
   local m = metrics[metric]
   if entity == "network" and metric == "flows" then
      -- A network counts the flows its hosts started: a running total.
      m = { unit = user_scripts.field_units.flows, counter = "flows" }
   end
   local read = readers[entity][m.counter or m.gauge]
   local key = entity .. "_" .. metric
   local script = {
      category = user_scripts.script_categories.network,
      default_enabled = opts.default_enabled or false,
      default_values = per_granularity(opts.thresholds),
      local_only = entity == "host" and opts.local_only or nil,
      hooks = {},
      prefilter = gates[entity] and gates[entity][metric] and { threshold = gates[entity][metric] } or nil,
      gui = {
         i18n_title = "threshold_cross." .. key .. "_title",
         i18n_description = "threshold_cross." .. key .. "_description",
         i18n_field_unit = m.unit,
         input_builder = "threshold_cross",
         field_min = 0,
      },
   }
   local to_delta = delta[entity]
   function script.get_threshold_value(granularity, info)
      local d = read(info)
      if m.gauge then
         return d
      elseif to_delta then
         local v = d
         d = to_delta(metric, granularity, v)
         if d < 0 then
            -- The counter restarted: everything it counts happened since.
            d = v
         end
      end
      if m.rate then
         local secs = alert_consts.granularity2sec(granularity)
         return d * 8 / secs / 1000000
      end
      return d
   end
   for _, g in ipairs(GRANULARITIES) do
      script.hooks[g] = alerts_api.threshold_check_function
   end
   return script
end

M.MB = MB

return M
