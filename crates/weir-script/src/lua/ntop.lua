-- ntop: key/value cache and environment helpers (spec lua-api.md §11), in memory.
local W = ...
local M = {}
local cache, prefs, hashes, sets, lists = {}, {}, {}, {}, {}

function M.getDirs()
  return { installdir = W.installdir, workingdir = W.workingdir, scriptdir = W.installdir .. "/scripts",
    httpdocsdir = W.installdir .. "/httpdocs", callbacksdir = W.installdir .. "/scripts/callbacks", pcapdir = W.workingdir .. "/pcap" }
end
function M.getInfo()
  return { product = "weir", version = W.version, revision = "", platform = "", OS = "", uptime = 0, ["version.ndpi"] = "weir" }
end
function M.getHttpPrefix() return "" end
for _, f in ipairs({ "isPro", "isEnterprise", "isEnterpriseM", "isEnterpriseL", "isnEdge", "isWindows", "isShutdown" }) do
  M[f] = function() return false end
end
function M.isAdministrator() return true end
function M.gettimemsec() return W.clock() end
function M.getticks() return math.floor(W.clock() * 1000000) end
function M.gettickspersec() return 1000000 end
function M.getDeadline() return 0 end
function M.isDeadlineApproaching() return false end
function M.traceEvent(level, msg) W.log(tonumber(level) or 2, tostring(msg)) end
function M.verboseTrace() return false end

function M.getCache(k) return cache[k] or "" end
function M.setCache(k, v) cache[k] = tostring(v) end
function M.delCache(k) cache[k] = nil end
function M.setnxCache(k, v) if cache[k] == nil then cache[k] = tostring(v); return true end; return false end
function M.incrCache(k, n)
  local v = (tonumber(cache[k]) or 0) + (tonumber(n) or 1)
  cache[k] = tostring(v)
  return v
end
function M.getKeysCache(pattern)
  local r = {}
  local p = "^" .. tostring(pattern or "*"):gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$"
  for k in pairs(cache) do if k:match(p) then r[k] = "" end end
  return r
end
function M.getPref(k) return prefs[k] or "" end
function M.setPref(k, v) prefs[k] = tostring(v) end
function M.getPrefs() return prefs end
function M.getHashCache(h, f) return (hashes[h] or {})[f] or "" end
function M.setHashCache(h, f, v) hashes[h] = hashes[h] or {}; hashes[h][f] = tostring(v) end
function M.delHashCache(h, f) if hashes[h] then hashes[h][f] = nil end end
function M.getHashAllCache(h) return hashes[h] end
function M.getHashKeysCache(h)
  if not hashes[h] then return nil end
  local r = {}
  for k in pairs(hashes[h]) do r[k] = "" end
  return r
end
function M.setMembersCache(s, v) sets[s] = sets[s] or {}; sets[s][v] = true end
function M.delMembersCache(s, v) if sets[s] then sets[s][v] = nil end end
function M.getMembersCache(s)
  local r = {}
  for v in pairs(sets[s] or {}) do r[#r + 1] = v end
  table.sort(r)
  return r
end
function M.lpushCache(q, v) lists[q] = lists[q] or {}; table.insert(lists[q], 1, v) end
function M.rpushCache(q, v) lists[q] = lists[q] or {}; table.insert(lists[q], v) end
function M.lpopCache(q) local l = lists[q]; if l and #l > 0 then return table.remove(l, 1) end; return nil end
function M.rpopCache(q) local l = lists[q]; if l and #l > 0 then return table.remove(l) end; return nil end
function M.llenCache(q) return #(lists[q] or {}) end
function M.lrangeCache(q, a, b)
  local l = lists[q]
  if not l then return nil end
  a, b = tonumber(a) or 0, tonumber(b) or -1
  if b < 0 then b = #l + b end
  local r = {}
  for i = a + 1, math.min(b + 1, #l) do r[#r + 1] = l[i] end
  return r
end
function M.ltrimCache(q, a, b) local r = M.lrangeCache(q, a, b); if r then lists[q] = r end end
function M.lremCache(q, v)
  local l = lists[q] or {}
  for i = #l, 1, -1 do if l[i] == v then table.remove(l, i) end end
end

function M.bitmapIsSet(b, i) return (math.tointeger(b) >> i) & 1 == 1 end
function M.bitmapSet(b, i) return math.tointeger(b) | (1 << i) end
function M.bitmapClear(b, i) return math.tointeger(b) & ~(1 << i) end
function M.isIPv6(s) return isIPv6(s) end
function M.exists(path) return false end
function M.isdir(path) return false end
function M.reloadPlugins() W.request_reload() end
function M.reloadPeriodicScripts() W.request_reload() end

function M.getCurrentPluginsDir() return W.installdir .. "/plugins" end

return M
