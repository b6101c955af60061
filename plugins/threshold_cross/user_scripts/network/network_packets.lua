-- Packets of a local network: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("network", "packets", {
   default_enabled = false,
   thresholds = { 500000, 2000000, 16000000, 160000000 },
})
