-- flow_consts: the flow status types weir loaded (spec lua-api.md §7).
local M = {}

-- Filled by weir: name -> status definition (status_key is an integer).
M.status_types = {}
M.max_score = 1024

-- The file key of a status key (`getStatusType(33)` = "status_unexpected_dns").
function M.getStatusType(key)
  if type(key) == "string" and M.status_types[key] then return key end
  key = tonumber(key)
  if key == nil then return nil end
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
-- The description of a status (key or file key) for these alert params: the
-- definition's formatter, else its translated description, else its title.
function M.getStatusDescription(key, status_info)
  local def = M.getStatusInfo(key)
  if not def then return "" end
  local d = def.i18n_description
  if type(d) == "function" then
    local ok, s = pcall(d, status_info)
    if ok and s ~= nil then return tostring(s) end
  elseif type(d) == "string" then
    return i18n(d, type(status_info) == "table" and status_info or {}) or d
  end
  return i18n(def.i18n_title) or def.i18n_title
end

return M
