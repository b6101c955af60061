-- Appends the running total of SYNs each local host received; the store turns it
-- into SYNs per second over each minute.
local ts_utils = require("ts_utils")

local script = {
  local_only = true,
  hooks = {},
  gui = {
    i18n_title = "SYNs received",
    i18n_description = "Writes host:syn_received every minute",
  },
}

function script.hooks.min(params)
  if not params.ts_enabled then
    return
  end
  local info = host.getInfo()
  local key = info.ip
  if info.vlan ~= 0 then
    key = key .. "@" .. info.vlan
  end
  ts_utils.append("host:syn_received", {
    ifid = params.ifid,
    host = key,
    syn = info.num_syn_rcvd,
  }, params.when)
end

return script
