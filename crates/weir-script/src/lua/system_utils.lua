-- system_utils: the host's statistics (ntopng 4.2), from ntop.systemHostStat().
local W = ...
local M = {}

--- `ntop.systemHostStat()` (load, memory in kB, CPU states in %, alert counters).
function M.systemHostStats()
  return ntop.systemHostStat()
end

return M
