-- Packets a host sent and received: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("host", "packets", {
   default_enabled = false,
   thresholds = { 100000, 500000, 4000000, 40000000 },
   local_only = true,
})
