-- os_utils: ntopng 4.2's path helpers. Plugins have no file-system access beyond
-- ntop.readdir and their data directories, so only the path functions are here.
local W = ...
local M = {}

--- The path with `/` separators (ntopng turns them into `\` on Windows only).
function M.fixPath(path) return (tostring(path or "")) end

--- `/`: weir runs on Unix-like systems.
function M.getPathDivider() return "/" end

return M
