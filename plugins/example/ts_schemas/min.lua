-- Timeseries schemas written every minute. Names are "family:metric" and global;
-- every schema needs the `ifid` tag. Loaded with the plugin; scripts append to them
-- by name.
local ts_utils = require("ts_utils")

local schema = ts_utils.newSchema("example:traffic", {
   step = 60, -- seconds between points (matches the file name)
   metrics_type = ts_utils.metrics.counter, -- running totals, charted as rates
})
schema:addTag("ifid")
schema:addMetric("bytes")
schema:addMetric("packets")
