-- lua_path_utils: package.path edits (ntopng 4.2). weir's `require` reads only the
-- plugin's modules/ and, from package.path, the plugins' data directories.
local W = ...
local M = {}

--- Puts `<path>/?.lua` first in `package.path` (once).
function M.package_path_prepend(path)
  if type(path) ~= "string" or path == "" then return end
  local entry = path .. "/?.lua;"
  if not string.find(package.path, entry, 1, true) then package.path = entry .. package.path end
end

return M
