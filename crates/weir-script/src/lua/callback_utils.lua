-- callback_utils: ntopng 4.2's iteration over an interface's L2 devices. weir keeps
-- no MAC/L2 device table, so there is no device to visit.
local W = ...
local M = {}

--- Calls `cb(devicename, devicestats)` for each L2 device of `ifname`: weir has
--- none, so `cb` is never called; returns true (the walk completed).
function M.foreachDevice(ifname, cb) return true end

return M
