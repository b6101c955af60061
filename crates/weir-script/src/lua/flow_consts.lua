-- flow_consts: the flow status types weir loaded (spec lua-api.md §7).
local M = {}

-- Filled by weir: name -> status definition (status_key is an integer).
M.status_types = {}
M.max_score = 1024

function M.getStatusType(key)
  key = tonumber(key)
  for name, def in pairs(M.status_types) do if def.status_key == key then return name end end
  return nil
end
function M.getStatusInfo(key)
  local name = M.getStatusType(key)
  return name and M.status_types[name]
end
function M.getStatusTitle(key)
  local def = M.getStatusInfo(key)
  if not def then return "" end
  return i18n(def.i18n_title) or def.i18n_title
end
function M.getStatusIcon(key, text) return "" end
function M.getStatusDescription(key, status_info)
  local def = M.getStatusInfo(key)
  if not def then return "" end
  local d = def.i18n_description
  if type(d) == "function" then return d(status_info) end
  if type(d) == "string" then return i18n(d, type(status_info) == "table" and status_info or {}) or d end
  return i18n(def.i18n_title) or def.i18n_title
end

return M
