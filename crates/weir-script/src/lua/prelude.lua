-- Run once in every VM before any plugin file: keeps budget errors from being
-- swallowed by pcall/xpcall (a script cannot loop forever around a pcall).
local W = ...
local raw_pcall, raw_xpcall, raw_error = pcall, xpcall, error
local function check(ok, ...)
  if not ok and W.over_budget() then raw_error((...), 0) end
  return ok, ...
end
pcall = function(f, ...) return check(raw_pcall(f, ...)) end
xpcall = function(f, h, ...) return check(raw_xpcall(f, h, ...)) end
