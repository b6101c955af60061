-- Score of a local network (sum of its hosts'): alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("network", "score", {
   default_enabled = false,
   thresholds = { 2000, 2000, 2000, 2000 },
})
