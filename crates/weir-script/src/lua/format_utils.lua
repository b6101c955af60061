-- format_utils: ntopng 4.2's formatting helpers (dates, numbers, sizes).
local W = ...
local lu = W.modules.lua_utils
local M = {}

--- `HH:MM:SS` for a time of today, `dd/mm/YYYY HH:MM:SS` otherwise (local time).
function M.formatPastEpochShort(epoch)
  local now = os.time()
  epoch = math.floor(tonumber(epoch) or now)
  if os.date("%Y%m%d", epoch) == os.date("%Y%m%d", now) then return os.date("%H:%M:%S", epoch) end
  return os.date("%d/%m/%Y %H:%M:%S", epoch)
end

M.formatEpoch = lu.formatEpoch
M.formatValue = lu.formatValue
M.bytesToSize = lu.bytesToSize
M.secondsToTime = lu.secondsToTime
M.round = lu.round

--- A packet count with thousands separators and ` Pkts`.
function M.formatPackets(n) return lu.formatValue(n) .. " Pkts" end

--- A rate in bits per second: `"1.50 Mbit/s"` style.
function M.bitsToSize(bits)
  local units = { "bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s" }
  local i, n = 1, tonumber(bits) or 0
  while n >= 1000 and i < #units do n = n / 1000; i = i + 1 end
  return string.format(i == 1 and "%d %s" or "%.2f %s", math.floor(n), units[i])
end

return M
