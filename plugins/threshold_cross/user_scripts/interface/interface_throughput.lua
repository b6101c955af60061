-- Average throughput of the interface, Mbit/s: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("interface", "throughput", {
   default_enabled = false,
   thresholds = { 800, 800, 500, 300 },
})
