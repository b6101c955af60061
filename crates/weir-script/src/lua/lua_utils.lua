-- lua_utils: helpers ntopng plugins use as globals (spec lua-api.md §12).
-- Loaded once per VM by weir; every function is also set as a global.
local W = ...
local M = {}

M.TRACE_ERROR, M.TRACE_WARNING, M.TRACE_NORMAL, M.TRACE_INFO, M.TRACE_DEBUG = 0, 1, 2, 3, 4
M.TRACE_CONSOLE, M.TRACE_WEB = 0, 1

-- Locales: weir fills W.locales[lang][plugin_key] from locales/<lang>.lua.
local function lookup(tbl, key)
  local node = tbl
  for part in string.gmatch(key, "[^%.]+") do
    if type(node) ~= "table" then return nil end
    node = node[part]
  end
  return node
end

function M.i18n(key, params)
  if type(key) ~= "string" then return nil end
  local s = lookup(W.locales[W.language] or {}, key)
  if type(s) ~= "string" then s = lookup(W.locales.en or {}, key) end
  if type(s) ~= "string" then return nil end
  if type(params) == "table" then
    s = s:gsub("%%{([%w_%.]+)}", function(k) return tostring(params[k]) end)
  end
  return (s:gsub("%%%%", "%%"))
end

local function tprint_rec(v, path, seen)
  if type(v) == "table" then
    if seen[v] then W.write(path .. " table <cycle>\n"); return end
    seen[v] = true
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    if #keys == 0 then W.write(path .. " table {}\n") end
    for _, k in ipairs(keys) do
      tprint_rec(v[k], (path == "" and "" or path .. ".") .. tostring(k), seen)
    end
  else
    W.write((path == "" and "value" or path) .. " " .. type(v) .. " " .. tostring(v) .. "\n")
  end
end

function M.tprint(v) tprint_rec(v, "", {}) end

function M.traceError(level, mode, msg)
  W.log(tonumber(level) or 2, tostring(msg))
end

function M.shortFlowLabel(info)
  if type(info) ~= "table" then return "" end
  local s = string.format("[%s] %s %s:%s -> %s:%s", tostring(info["proto.ndpi"]),
    tostring(info["proto.l4"]), tostring(info["cli.ip"]), tostring(info["cli.port"]),
    tostring(info["srv.ip"]), tostring(info["srv.port"]))
  if type(info.info) == "string" and info.info ~= "" then s = s .. " [" .. info.info .. "]" end
  return s
end

function M.isEmptyString(s) return s == nil or s == "" end
function M.ternary(c, a, b) if c then return a else return b end end

function table.len(t)
  if type(t) ~= "table" then return 0 end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end
function table.empty(t) return t == nil or next(t) == nil end
function table.clone(t)
  if type(t) ~= "table" then return t end
  local r = {}
  for k, v in pairs(t) do r[k] = table.clone(v) end
  return r
end
function table.merge(a, b)
  local r = {}
  for k, v in pairs(a or {}) do r[k] = v end
  for k, v in pairs(b or {}) do r[k] = v end
  return r
end

function string.split(s, pattern)
  if s == nil or pattern == nil then return nil end
  local r, start = {}, 1
  while true do
    local i, j = string.find(s, pattern, start)
    if not i then break end
    r[#r + 1] = string.sub(s, start, i - 1)
    start = j + 1
  end
  if start == 1 then return nil end
  r[#r + 1] = string.sub(s, start)
  return r
end
function M.split(s, delim)
  local r = {}
  for part in string.gmatch(s or "", "([^" .. delim .. "]+)") do r[#r + 1] = part end
  return r
end
function string.starts(s, pre) return string.sub(s, 1, #pre) == pre end
function string.ends(s, suf) return suf == "" or string.sub(s, -#suf) == suf end
M.ends = string.ends

function M.asc(a, b) return a < b end
function M.rev(a, b) return a > b end
function M.pairsByKeys(t, f)
  local a = {}
  for n in pairs(t) do a[#a + 1] = n end
  table.sort(a, f)
  local i = 0
  return function() i = i + 1; if a[i] == nil then return nil end; return a[i], t[a[i]] end
end
function M.pairsByValues(t, f)
  local a = {}
  for n in pairs(t) do a[#a + 1] = n end
  table.sort(a, function(x, y) return f(t[x], t[y]) end)
  local i = 0
  return function() i = i + 1; if a[i] == nil then return nil end; return a[i], t[a[i]] end
end

function M.round(n, digits)
  local m = 10 ^ (digits or 0)
  return math.floor(n * m + 0.5) / m
end
function M.bytesToSize(n)
  local units = { "B", "KB", "MB", "GB", "TB" }
  local i = 1
  n = tonumber(n) or 0
  while n >= 1024 and i < #units do n = n / 1024; i = i + 1 end
  return string.format(i == 1 and "%d %s" or "%.2f %s", n, units[i])
end
function M.secondsToTime(s)
  s = math.floor(tonumber(s) or 0)
  local d, h, m = s // 86400, (s % 86400) // 3600, (s % 3600) // 60
  local r = {}
  if d > 0 then r[#r + 1] = d .. " days" end
  if h > 0 then r[#r + 1] = h .. " h" end
  if m > 0 then r[#r + 1] = m .. " min" end
  if s % 60 > 0 or #r == 0 then r[#r + 1] = (s % 60) .. " sec" end
  return table.concat(r, ", ")
end
function M.formatEpoch(t) return os.date("!%d/%m/%Y %H:%M:%S", math.floor(tonumber(t) or 0)) end
function M.formatValue(n)
  local s = tostring(math.floor(tonumber(n) or 0))
  local r = s:reverse():gsub("(%d%d%d)", "%1,"):reverse()
  return (r:gsub("^,", ""))
end
function M.firstToUpper(s) return (tostring(s):gsub("^%l", string.upper)) end
function M.noHtml(s) return (tostring(s or ""):gsub("<[^>]*>", "")) end
function M.isIPv4(s)
  if type(s) ~= "string" then return false end
  local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if not a then return false end
  for _, x in ipairs({ a, b, c, d }) do if tonumber(x) > 255 then return false end end
  return true
end
function M.isIPv6(s) return type(s) == "string" and s:find(":") ~= nil and s:match("^[%x:%.]+$") ~= nil end
function M.hostinfo2hostkey(info, _type, force_vlan)
  local k = tostring(info.host or info.ip or "")
  local vlan = tonumber(info.vlan) or 0
  if vlan ~= 0 or force_vlan then k = k .. "@" .. vlan end
  return k
end
function M.hostkey2hostinfo(key)
  local host, vlan = tostring(key):match("^(.-)@(%d+)$")
  if not host then return { host = key, vlan = 0 } end
  return { host = host, vlan = tonumber(vlan) }
end
function M.getSystemInterfaceId() return "-1" end
function M.getSystemInterfaceName() return "__system__" end
function M.getInterfaceName(id)
  id = tostring(id)
  if id == "-1" then return "__system__" end
  if id == tostring(W.ifid) then return W.ifname end
  local names = interface and interface.getIfNames and interface.getIfNames() or {}
  return names[id] or ""
end
function M.getInterfaceId(name) return name == "__system__" and -1 or W.ifid end
-- As in ntopng 4.2: alerts are on unless the pref disables them.
function M.areAlertsEnabled() return ntop.getPref("ntopng.prefs.disable_alerts_generation") ~= "1" end

local L4 = { ip = 0, icmp = 1, igmp = 2, tcp = 6, udp = 17, ipv6 = 41, rsvp = 46, gre = 47,
  esp = 50, ipv6icmp = 58, icmpv6 = 58, ospf = 89, pim = 103, vrrp = 112, hip = 139 }
function M.l4_proto_to_id(name) return L4[string.lower(tostring(name))] end
function M.l4_proto_to_string(id)
  id = tonumber(id)
  for k, v in pairs(L4) do if v == id and k ~= "icmpv6" then return k end end
  return tostring(id)
end
function M.swapKeysValues(t)
  local r = {}
  for k, v in pairs(t or {}) do r[v] = k end
  return r
end
-- DNS query types by name (ntopng 4.2's flow_utils.get_dns_type: name -> id, 0 unknown).
local DNS_TYPES = { A = 1, NS = 2, MD = 3, MF = 4, CNAME = 5, SOA = 6, MB = 7, MG = 8, MR = 9, NULL = 10,
  WKS = 11, PTR = 12, HINFO = 13, MINFO = 14, MX = 15, TXT = 16, AAAA = 28, LOC = 29, SRV = 33,
  NAPTR = 35, DS = 43, RRSIG = 46, NSEC = 47, DNSKEY = 48, HTTPS = 65, SPF = 99, AXFR = 252,
  MAILB = 253, MAILA = 254, ANY = 255 }
function M.get_dns_type(name)
  if type(name) ~= "string" then return 0 end
  return DNS_TYPES[string.upper(name)] or 0
end

-- ntopng 4.2's Redis key of the devices seen on an interface.
function M.getFirstSeenDevicesHashKey(ifid) return "ntopng.seen_devices.ifid_" .. tostring(ifid) end

-- A host's label: its name when known, else its address; "@vlan" for a non-zero VLAN.
function M.hostinfo2label(info)
  if type(info) ~= "table" then return "" end
  local label = info.label or info.name
  if type(label) ~= "string" or label == "" then label = tostring(info.host or info.ip or "") end
  local vlan = tonumber(info.vlan) or 0
  if vlan ~= 0 then label = label .. "@" .. math.tointeger(vlan) end
  return label
end

-- The device protocol policies page (ntopng's admin page; weir is never an nEdge build).
function M.getDeviceProtocolPoliciesUrl(params)
  local url = ntop.getHttpPrefix() .. "/lua/admin/edit_device_protocols.lua"
  if type(params) == "string" and params ~= "" then
    url = url .. (url:find("?", 1, true) and "&" or "?") .. params
  end
  return url
end

-- A device's name: the one set in the cache (`ntopng.cache.devnames.<mac>`), else the MAC.
function M.getDeviceName(mac)
  local name = ntop.getCache("ntopng.cache.devnames." .. tostring(mac))
  if name == nil or name == "" then return tostring(mac) end
  return name
end

for k, v in pairs(M) do _G[k] = v end
return M
