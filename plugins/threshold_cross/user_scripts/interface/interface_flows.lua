-- Active flows on the interface: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("interface", "flows", {
   default_enabled = false,
   thresholds = { 50000, 50000, 50000, 50000 },
})
