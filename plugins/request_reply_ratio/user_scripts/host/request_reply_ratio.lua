-- Every 5 minutes, for each local host, compares the DNS queries it sent with the
-- DNS replies it received, and the HTTP requests it sent with the HTTP responses it
-- received, since the previous check. The engine keeps these counters per host
-- (host.getDNSInfo(), host.getHTTPInfo(): one query and its reply per DNS flow, the
-- first request and response of an HTTP flow) and their increase since the previous
-- round (host.getDeltas()); this script keeps nothing per host. Too few replies: the
-- host asks a server that does not answer (a dead resolver, a blocked service). Too
-- many replies: answers to questions it never asked (reflection, spoofing). The
-- alert stays engaged while the imbalance lasts.
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   -- The engine keeps DNS and HTTP counters for local hosts only.
   local_only = true,
   -- Alert when one side is below (`operator` is always "lt") `threshold` percent
   -- of the other, once at least `min_requests` messages were seen on the larger side.
   default_value = { operator = "lt", threshold = 50, min_requests = 10 },
   hooks = {},
   -- weir: the hook only judges how the DNS and HTTP counters moved since its previous
   -- run, so weir calls it only for hosts whose counters moved (or with an engaged alert).
   prefilter = { changed = { "dns", "http" } },
   gui = {
      i18n_title = "request_reply_ratio.title",
      i18n_description = "request_reply_ratio.description",
      i18n_field_unit = user_scripts.field_units.percentage,
      field_min = 1,
      field_max = 100,
   },
}

local function judge(params, proto, requests, replies)
   local conf = params.user_script_config
   local threshold, min = conf.threshold or 50, conf.min_requests or 10
   local sides = {
      -- unanswered requests
      { subtype = proto .. "_requests", big = requests, small = replies, side = "replies per request" },
      -- unsolicited replies
      { subtype = proto .. "_replies", big = replies, small = requests, side = "requests per reply" },
   }
   -- With nothing engaged on the host, a side that does not cross needs no release:
   -- its alert is built only when it triggers or may have to be released.
   local engaged = params.cur_alerts == nil or params.cur_alerts[1] ~= nil
   for _, s in ipairs(sides) do
      local ratio = s.big > 0 and math.floor(100 * s.small / s.big) or 100
      local hit = s.big >= min and ratio < threshold
      if not hit and not engaged then
         goto continue
      end
      local def = alert_consts.alert_types.alert_request_reply_ratio
      -- 4.2's creator: (severity, granularity, subtype, requests, replies).
      local info = def.create(alert_consts.alert_severities.warning,
         alert_consts.alerts_granularities[params.granularity], s.subtype, requests, replies)
      local p = info.alert_type_params
      p.protocol, p.ratio, p.side, p.threshold = proto, ratio, s.side, threshold
      if hit then
         alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
      else
         alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
      end
      ::continue::
   end
end

-- Requests and replies since the previous check (the counters start at zero when
-- the host appears, so the first check sees everything since then).
-- The requests and replies of the last 5 minutes come from the engine, which keeps
-- each local host's counters at the previous round (host.getDeltas(), a weir
-- extension): the script keeps no per-host values of its own.
local function check(params)
   local d = host.getDeltas()
   if d == nil then
      return
   end
   local engaged = params.cur_alerts == nil or params.cur_alerts[1] ~= nil
   if engaged or d.dns_requests + d.dns_replies > 0 then
      judge(params, "dns", d.dns_requests, d.dns_replies)
   end
   if engaged or d.http_requests + d.http_replies > 0 then
      judge(params, "http", d.http_requests, d.http_replies)
   end
end

script.hooks["5mins"] = check

return script
