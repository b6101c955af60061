-- storage_utils: disk use of weir's data directory and of its volume, in the shape
-- of ntopng 4.2's storageInfo. weir's stores (alerts.db, timeseries.db) hold every
-- interface: they are counted once, under the lowest interface id.
local W = ...
local M = {}
local CACHE_KEY = "ntopng.cache.system_storage_info"

--- `{total, pcap_total, interfaces = {[ifid] = {total, rrd, flows}}, other,
--- volume_size, volume_free, volume_used, volume_dev}` in bytes. Without `refresh`,
--- the last result (cached at `ntopng.cache.system_storage_info`) when there is one;
--- `timeout` (seconds, default 10) bounds the walk of the data directory.
function M.storageInfo(refresh, timeout)
  local json = W.modules.dkjson
  if not refresh then
    local cached = ntop.getCache(CACHE_KEY)
    if cached ~= "" then
      local v = json.decode(cached)
      if type(v) == "table" then
        -- JSON object keys are strings: interface ids are numbers, as when measured.
        local ifaces = {}
        for id, t in pairs(type(v.interfaces) == "table" and v.interfaces or {}) do ifaces[tonumber(id) or id] = t end
        v.interfaces = ifaces
        return v
      end
    end
  end
  local s = W.storage_info(W.workingdir, tonumber(timeout))
  local ids = {}
  local names = interface and interface.getIfNames and interface.getIfNames() or {}
  for id in pairs(names) do
    id = tonumber(id)
    if id and id >= 0 then ids[#ids + 1] = id end
  end
  if #ids == 0 then ids[1] = (W.ifid >= 0) and W.ifid or 0 end
  table.sort(ids)
  local interfaces = {}
  for i, id in ipairs(ids) do
    if i == 1 then
      interfaces[id] = { total = s.rrd + s.flows, rrd = s.rrd, flows = s.flows }
    else
      interfaces[id] = { total = 0, rrd = 0, flows = 0 }
    end
  end
  local r = {
    total = s.total, pcap_total = s.pcap, interfaces = interfaces,
    other = math.max(s.total - s.rrd - s.flows - s.pcap, 0),
    volume_size = s.volume_size, volume_free = s.volume_free, volume_used = s.volume_used,
    volume_dev = s.volume_dev, complete = s.complete,
  }
  ntop.setCache(CACHE_KEY, json.encode(r))
  return r
end

return M
