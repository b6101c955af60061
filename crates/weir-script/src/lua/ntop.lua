-- ntop: key/value cache and environment helpers (spec lua-api.md §11), in memory.
local W = ...
local M = {}
local cache, prefs, hashes, sets, lists = {}, {}, {}, {}, {}

-- Command counters of the cache, under the names of ntopng 4.2's Redis statistics
-- (ntop.getCacheStats). Counters of what weir's cache never does (reconnections,
-- TTL queries, the address resolver's cache) stay 0.
local STAT_NAMES = { "num_get", "num_set", "num_ttl", "num_del", "num_hget", "num_hset", "num_hdel",
  "num_expire", "num_keys", "num_hkeys", "num_hgetall", "num_trim", "num_reconnections",
  "num_lpush_rpush", "num_lpop_rpop", "num_llen", "num_strlen", "num_other",
  "num_resolver_saved_lookups", "num_resolver_get_address", "num_resolver_set_address" }
local stats = {}
for _, n in ipairs(STAT_NAMES) do stats[n] = 0 end

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
function M.setCache(k, v, ttl)
  cache[k] = tostring(v)
  if tonumber(ttl) and tonumber(ttl) > 0 then stats.num_expire = stats.num_expire + 1 end
  return true
end
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
function M.setPref(k, v) prefs[k] = tostring(v); return true end
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
-- `trim` keeps the `trim` newest elements, as ntopng's queues do.
function M.lpushCache(q, v, trim)
  local l = lists[q] or {}
  lists[q] = l
  table.insert(l, 1, v)
  trim = tonumber(trim)
  if trim and trim > 0 then
    stats.num_trim = stats.num_trim + 1
    while #l > trim do table.remove(l) end
  end
end
function M.rpushCache(q, v, trim)
  local l = lists[q] or {}
  lists[q] = l
  table.insert(l, v)
  trim = tonumber(trim)
  if trim and trim > 0 then
    stats.num_trim = stats.num_trim + 1
    while #l > trim do table.remove(l, 1) end
  end
end
function M.lpopCache(q) local l = lists[q]; if l and #l > 0 then return table.remove(l, 1) end; return nil end
function M.rpopCache(q) local l = lists[q]; if l and #l > 0 then return table.remove(l) end; return nil end
function M.llenCache(q) return #(lists[q] or {}) end
local function lrange(q, a, b)
  local l = lists[q]
  if not l then return nil end
  a, b = tonumber(a) or 0, tonumber(b) or -1
  if b < 0 then b = #l + b end
  local r = {}
  for i = a + 1, math.min(b + 1, #l) do r[#r + 1] = l[i] end
  return r
end
M.lrangeCache = lrange
function M.ltrimCache(q, a, b) local r = lrange(q, a, b); if r then lists[q] = r end end
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
-- Every cache function counts its calls (ntop.getCacheStats).
local COUNTED = { getCache = "num_get", getPref = "num_get", setCache = "num_set", setPref = "num_set",
  setnxCache = "num_set", delCache = "num_del", getHashCache = "num_hget", setHashCache = "num_hset",
  delHashCache = "num_hdel", getKeysCache = "num_keys", getHashKeysCache = "num_hkeys",
  getHashAllCache = "num_hgetall", ltrimCache = "num_trim", lpushCache = "num_lpush_rpush",
  rpushCache = "num_lpush_rpush", lpopCache = "num_lpop_rpop", rpopCache = "num_lpop_rpop",
  llenCache = "num_llen", incrCache = "num_other", setMembersCache = "num_other",
  delMembersCache = "num_other", getMembersCache = "num_other", lrangeCache = "num_other",
  lremCache = "num_other", getPrefs = "num_other" }
for fname, stat in pairs(COUNTED) do
  local f = M[fname]
  M[fname] = function(...)
    stats[stat] = stats[stat] + 1
    return f(...)
  end
end

function M.getCacheStats()
  local r = {}
  for k, v in pairs(stats) do r[k] = v end
  return r
end

-- Keys and bytes of every kind of entry (one key space, as in Redis).
local function cache_size()
  local keys, bytes = 0, 0
  for _, store in ipairs({ cache, prefs }) do
    for k, v in pairs(store) do keys = keys + 1; bytes = bytes + #k + #v end
  end
  for _, store in ipairs({ hashes, sets }) do
    for k, h in pairs(store) do
      if next(h) ~= nil then
        keys = keys + 1
        bytes = bytes + #k
        for f, v in pairs(h) do bytes = bytes + #tostring(f) + (type(v) == "string" and #v or 1) end
      end
    end
  end
  for k, l in pairs(lists) do
    if #l > 0 then
      keys = keys + 1
      bytes = bytes + #k
      for _, v in ipairs(l) do bytes = bytes + #tostring(v) end
    end
  end
  return keys, bytes
end

-- The status of weir's cache in the shape of ntopng 4.2's (Redis INFO text): the
-- cache lives in this VM's memory, so there is no file to save or append to.
function M.getCacheStatus()
  local keys, bytes = cache_size()
  local calls = 0
  for _, v in pairs(stats) do calls = calls + v end
  local info = {
    "# Server", "redis_version:weir-" .. W.version, "redis_mode:embedded",
    "# Memory", "used_memory:" .. bytes, "used_memory_rss:" .. W.process_rss(),
    "# Persistence", "loading:0", "rdb_changes_since_last_save:0", "rdb_last_bgsave_status:ok",
    "aof_enabled:0", "aof_last_bgrewrite_status:ok", "aof_last_write_status:ok",
    "# Stats", "total_commands_processed:" .. calls,
    "# Keyspace", "db0:keys=" .. keys .. ",expires=0",
  }
  return { info = table.concat(info, "\r\n") .. "\r\n", dbsize = keys }
end

-- weir has no pinger and no speed test: nothing is measured.
function M.isPingAvailable() return false end
function M.pingHost(host, is_v6, continuous) end
function M.collectPingResults(is_v6, continuous) return nil end
function M.speedtest() return nil end


function M.getCurrentPluginsDir() return W.installdir .. "/plugins" end

return M
