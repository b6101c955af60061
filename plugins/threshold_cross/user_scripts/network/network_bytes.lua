-- Bytes in, out of and inside a local network: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")
local MB = tm.MB

return tm.script("network", "bytes", {
   default_enabled = false,
   thresholds = { 256 * MB, 1024 * MB, 8192 * MB, 65536 * MB },
})
