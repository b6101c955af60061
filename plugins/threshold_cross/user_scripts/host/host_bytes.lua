-- Bytes a host sent and received: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")
local MB = tm.MB

return tm.script("host", "bytes", {
   default_enabled = true,
   thresholds = { 64 * MB, 256 * MB, 2048 * MB, 16384 * MB },
   local_only = true,
})
