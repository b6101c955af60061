-- snmp_utils: weir has no SNMP poller, so no device is known: the topology of any
-- device is empty (as ntopng 4.2 returns it for a device it has not polled).
local W = ...
local M = {}

--- `{nodes = {}, arcs = {}}`: no neighbour of `ip` is known.
function M.snmp_load_devices_topology(ip) return { nodes = {}, arcs = {} } end

return M
