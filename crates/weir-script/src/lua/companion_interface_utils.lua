-- companion_interface_utils: the interfaces whose companion `ifid` is, from the pref
-- set `ntopng.prefs.companion_interface.ifid_<ifid>.companion_of` (ntopng 4.2).
local W = ...
local M = {}

local function key(ifid) return "ntopng.prefs.companion_interface.ifid_" .. tostring(ifid) .. ".companion_of" end

--- The ids (strings) of the interfaces `ifid` is the companion of.
function M.getCurrentCompanionOf(ifid)
  return ntop.getMembersCache(key(ifid)) or {}
end

return M
