-- Bytes seen on the interface: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")
local MB = tm.MB

return tm.script("interface", "bytes", {
   default_enabled = false,
   thresholds = { 1024 * MB, 4096 * MB, 32768 * MB, 262144 * MB },
})
