-- Average throughput of a local network, Mbit/s: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("network", "throughput", {
   default_enabled = false,
   thresholds = { 200, 200, 100, 50 },
})
