-- New flows of a local network: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("network", "flows", {
   default_enabled = false,
   thresholds = { 5000, 20000, 200000, 2000000 },
})
