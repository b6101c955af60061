-- Packets seen on the interface: alert_threshold_cross when it crosses the threshold of a
-- granularity. Thresholds: min, 5mins, hour, day.
local tm = require("threshold_metrics")

return tm.script("interface", "packets", {
   default_enabled = false,
   thresholds = { 2000000, 8000000, 64000000, 640000000 },
})
