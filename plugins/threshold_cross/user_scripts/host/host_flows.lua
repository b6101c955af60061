-- Active flows of a host: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("host", "flows", {
   default_enabled = false,
   thresholds = { 500, 500, 500, 500 },
   local_only = true,
})
