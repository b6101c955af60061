-- Per-host request and reply counters, shared by this plugin's flow scripts (which
-- add to them when a flow ends) and its host script (which reads and clears them
-- once per check). They live in the ntop cache of the VM: flow and host hooks of
-- an interface run in the same VM.
local M = {}

local function hash(proto)
   return "request_reply_ratio." .. proto
end

-- Adds one flow's counts to the host with key "ip@vlan".
function M.add(proto, host_key, requests, replies)
   if requests == 0 and replies == 0 then
      return
   end
   local cur = ntop.getHashCache(hash(proto), host_key)
   local req, rep = 0, 0
   if cur ~= "" then
      req, rep = cur:match("^(%d+),(%d+)$")
      req, rep = tonumber(req) or 0, tonumber(rep) or 0
   end
   ntop.setHashCache(hash(proto), host_key, string.format("%d,%d", req + requests, rep + replies))
end

-- Returns and clears the counts of a host: requests, replies.
function M.take(proto, host_key)
   local cur = ntop.getHashCache(hash(proto), host_key)
   if cur == "" then
      return 0, 0
   end
   ntop.delHashCache(hash(proto), host_key)
   local req, rep = cur:match("^(%d+),(%d+)$")
   return tonumber(req) or 0, tonumber(rep) or 0
end

return M
