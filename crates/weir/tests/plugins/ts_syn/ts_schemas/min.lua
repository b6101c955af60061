-- The seed's "Writing Timeseries" example: SYNs received per host, one point a minute.
local ts_utils = require("ts_utils_core")

local schema = ts_utils.newSchema("host:syn_received", {
  step = 60,
  metrics_type = ts_utils.metrics.counter,
})
schema:addTag("ifid")
schema:addTag("host")
schema:addMetric("syn")
