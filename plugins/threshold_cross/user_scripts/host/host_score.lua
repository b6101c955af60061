-- Score of a host (its flows' statuses): alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("host", "score", {
   default_enabled = true,
   thresholds = { 500, 500, 500, 500 },
})
