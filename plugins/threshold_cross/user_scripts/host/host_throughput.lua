-- Average throughput of a host, Mbit/s: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("host", "throughput", {
   default_enabled = false,
   thresholds = { 50, 50, 20, 10 },
   local_only = true,
})
