-- A few retransmissions are normal TCP life; a large share of them, of segments
-- arriving out of order or of segments lost before the capture point means a
-- congested or faulty path, and a large share of segments advertising a zero
-- receive window (cli2srv.zero_window: the client's buffer is full, srv2cli: the
-- server's) means a peer that cannot keep up with what it is sent. The engine marks every flow with any such problem
-- (status_tcp_connection_issues, key 19) without alerting; this script alerts when
-- the problems exceed configured percentages of a direction's packets, and uses
-- the severe status (key 21) past a second, higher percentage. Both statuses and
-- their alert (alert_connection_issues) are weir built-ins.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   l4_proto = "tcp",
   default_value = {
      retransmissions = 5, -- % of the direction's packets
      out_of_order = 5,
      lost = 5,
      zero_window = 5,
      severe = 15, -- any of them above this % uses the severe status
      min_packets = 50, -- directions with fewer packets are not judged (too noisy)
   },
   -- Only flows with a direction of `min_packets` packets reach the hooks.
   prefilter = { min_packets = "min_packets" },
   hooks = {},
   gui = {
      i18n_title = "tcp_connection_issues.title",
      i18n_description = "tcp_connection_issues.description",
      i18n_field_unit = user_scripts.field_units.percentage,
   },
}

local COUNTERS = { "retransmissions", "out_of_order", "lost", "zero_window" }

-- Returns the problems over their thresholds as { {dir, counter, count, pct}, ... }
-- and the largest percentage among them.
local function problems(conf)
   local stats = flow.getTCPStats()
   local packets = { cli2srv = flow.getPacketsSent(), srv2cli = flow.getPacketsRcvd() }
   local found, worst = {}, 0
   for dir, n in pairs(packets) do
      if n >= (conf.min_packets or 50) then
         for _, c in ipairs(COUNTERS) do
            local count = stats[dir .. "." .. c] or 0
            local pct = 100 * count / n
            local limit = conf[c]
            if limit and pct > limit then
               found[#found + 1] = { dir = dir, counter = c, count = count, pct = pct }
               if pct > worst then
                  worst = pct
               end
            end
         end
      end
   end
   return found, worst
end

local function check(now, conf)
   -- Directions below `min_packets` are not judged: a short flow needs no table.
   local min = conf.min_packets or 50
   if flow.getPacketsSent() < min and flow.getPacketsRcvd() < min then
      return
   end
   local found, worst = problems(conf)
   if #found == 0 then
      return
   end
   table.sort(found, function(a, b)
      return a.dir .. a.counter < b.dir .. b.counter
   end)
   local info = { packets_sent = flow.getPacketsSent(), packets_rcvd = flow.getPacketsRcvd() }
   local parts = {}
   for _, p in ipairs(found) do
      local key = p.dir .. "." .. p.counter
      info[key] = p.count
      info[key .. ".pct"] = math.floor(p.pct * 10 + 0.5) / 10
      parts[#parts + 1] = string.format("%s %s %.1f%%", p.dir, p.counter, p.pct)
   end
   info.summary = table.concat(parts, ", ")
   local severe = worst > (conf.severe or 15)
   local status = severe and flow_consts.status_types.status_tcp_severe_connection_issues
      or flow_consts.status_types.status_tcp_connection_issues
   -- The severe status scores higher, so it replaces an earlier, milder alert.
   local score = severe and 60 or 30
   flow.triggerStatus(status, info, score, score // 2, score // 2)
end

-- Long flows are judged every periodic update, every flow once more at its end.
script.hooks.periodicUpdate = check
script.hooks.flowEnd = check

return script
