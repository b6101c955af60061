-- Flags flows whose client or server address is listed in a blocklist file.
--
-- The files are the script's configuration (`items`). The sandbox has no file access;
-- `ntop.readListFile` and `ntop.fileLastChange` read a file only when the running
-- script's configuration names it, so this script can read exactly the lists the
-- administrator configured. Every 10 s of capture time the modification times are
-- compared and a changed file is parsed again.
--
-- Format: one entry per line, an IPv4 or IPv6 address or CIDR network
-- (192.0.2.7, 198.51.100.0/24, 2001:db8::/32); the rest of a line after # or ; and
-- anything after the first blank are comments; bad lines are counted and reported.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

-- Seconds of capture time between two looks at the files' modification times.
local CHECK_EVERY = 10

-- The list read when nothing else is configured (in the data directory).
local DEFAULT_LIST = "blocklist.txt"

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   -- A relative name is looked up in the data directory, then in this plugin's
   -- directory. A missing file is reported once and matches nothing.
   default_value = { items = { DEFAULT_LIST } },
   hooks = {},
   gui = {
      i18n_title = "blacklisted.title",
      i18n_description = "blacklisted.description",
      input_builder = "items_list",
      input_title = "blacklisted.input_title",
      input_description = "blacklisted.input_description",
   },
}

-- [path] = { mtime, v4 = { [plen] = { [network] = entry } }, v4_plens, v6 = { [key] = entry }, v6_plens }
local lists = {}
-- The configured paths in configuration order (matches are looked up in this order).
local order = {}
local last_check = nil
local last_items = nil
local reported = {}

-- ################################################################# parsing

local function v4_int(a, b, c, d)
   a, b, c, d = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
   if a > 255 or b > 255 or c > 255 or d > 255 then
      return nil
   end
   return (a << 24) | (b << 16) | (c << 8) | d
end

local function v4_mask(plen)
   return (0xffffffff << (32 - plen)) & 0xffffffff
end

-- Eight 16-bit groups of an IPv6 address in text form, or nil.
local function v6_groups(s)
   if s:find("%.") then
      return nil -- embedded IPv4 forms are not supported in lists
   end
   local head, tail = s, nil
   local dc = s:find("::", 1, true)
   if dc then
      head, tail = s:sub(1, dc - 1), s:sub(dc + 2)
      if tail:find("::", 1, true) then
         return nil
      end
   end
   local function split(part)
      local out = {}
      if part == "" then
         return out
      end
      for g in (part .. ":"):gmatch("([^:]*):") do
         if not g:match("^%x%x?%x?%x?$") then
            return nil
         end
         out[#out + 1] = tonumber(g, 16)
      end
      return out
   end
   local h, t = split(head), split(tail or "")
   if h == nil or t == nil then
      return nil
   end
   local groups = {}
   if tail == nil then
      if #h ~= 8 then
         return nil
      end
      groups = h
   else
      local zeros = 8 - #h - #t
      if zeros < 1 then
         return nil
      end
      for _, g in ipairs(h) do groups[#groups + 1] = g end
      for _ = 1, zeros do groups[#groups + 1] = 0 end
      for _, g in ipairs(t) do groups[#groups + 1] = g end
   end
   return groups
end

local function v6_key(groups, plen)
   local parts = {}
   for i = 1, 8 do
      local bits = math.max(0, math.min(16, plen - 16 * (i - 1)))
      local mask = bits == 0 and 0 or ((0xffff << (16 - bits)) & 0xffff)
      parts[i] = string.format("%x", groups[i] & mask)
   end
   return table.concat(parts, ":") .. "/" .. plen
end

local function add_plen(l, field, plen)
   for _, p in ipairs(l[field]) do
      if p == plen then return end
   end
   table.insert(l[field], plen)
   table.sort(l[field], function(a, b) return a > b end) -- most specific first
end

-- Adds one entry; false if it is not an address or network.
local function add_entry(l, text)
   local addr, plen = text:match("^([^/]+)/(%d+)$")
   addr = addr or text
   plen = tonumber(plen)
   local a, b, c, d = addr:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
   if a then
      local ip = v4_int(a, b, c, d)
      plen = plen or 32
      if ip == nil or plen > 32 then
         return false
      end
      local net = ip & v4_mask(plen)
      l.v4[plen] = l.v4[plen] or {}
      l.v4[plen][net] = text
      add_plen(l, "v4_plens", plen)
      return true
   end
   local groups = v6_groups(addr)
   plen = plen or 128
   if groups == nil or plen > 128 then
      return false
   end
   l.v6[v6_key(groups, plen)] = text
   add_plen(l, "v6_plens", plen)
   return true
end

local function load_list(path, mtime)
   local lines, err = ntop.readListFile(path)
   if lines == nil then
      traceError(TRACE_WARNING, TRACE_CONSOLE, "blacklisted: " .. tostring(err))
      return nil
   end
   local l = { mtime = mtime, v4 = {}, v4_plens = {}, v6 = {}, v6_plens = {}, entries = 0 }
   local bad = 0
   for _, line in ipairs(lines) do
      local entry = line:gsub("[#;].*$", ""):match("^%s*(%S+)")
      if entry then
         if add_entry(l, entry) then
            l.entries = l.entries + 1
         else
            bad = bad + 1
         end
      end
   end
   if bad > 0 then
      traceError(TRACE_WARNING, TRACE_CONSOLE,
         string.format("blacklisted: %s: %d line(s) are not addresses or networks", path, bad))
   end
   return l
end

-- Re-reads the files whose modification time changed.
local function refresh(conf, now)
   local items = conf.items or {}
   local key = table.concat(items, "\n")
   if last_check ~= nil and now - last_check < CHECK_EVERY and key == last_items then
      return
   end
   last_check, last_items = now, key
   order = items
   local keep = {}
   for _, path in ipairs(items) do
      keep[path] = true
      local mtime = ntop.fileLastChange(path)
      if mtime == -1 then
         if not reported[path] then
            reported[path] = true
            -- The default list is optional: its absence is worth an info line only.
            local level = path == DEFAULT_LIST and TRACE_NORMAL or TRACE_WARNING
            traceError(level, TRACE_CONSOLE, "blacklisted: " .. path .. ": no such list file")
         end
         lists[path] = nil
      elseif lists[path] == nil or lists[path].mtime ~= mtime then
         reported[path] = nil
         lists[path] = load_list(path, mtime)
      end
   end
   for path in pairs(lists) do
      if not keep[path] then lists[path] = nil end
   end
end

-- ################################################################# matching

-- The list and entry an address matches, or nil.
local function find(ip)
   local a, b, c, d = ip:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
   local v4 = a and v4_int(a, b, c, d)
   local groups = (not a) and v6_groups(ip) or nil
   for _, path in ipairs(order) do
      local l = lists[path]
      if l and v4 then
         for _, plen in ipairs(l.v4_plens) do
            local e = l.v4[plen][v4 & v4_mask(plen)]
            if e then return path, e end
         end
      elseif l and groups then
         for _, plen in ipairs(l.v6_plens) do
            local e = l.v6[v6_key(groups, plen)]
            if e then return path, e end
         end
      end
   end
   return nil
end

local function host_ip(key)
   return key:match("^(.*)@%d+$") or key
end

function script.hooks.protocolDetected(now, conf)
   refresh(conf, now)
   if next(lists) == nil then
      return
   end
   local cli, srv = host_ip(flow.getClientKey()), host_ip(flow.getServerKey())
   local cli_list, cli_entry = find(cli)
   local srv_list, srv_entry = find(srv)
   if not cli_list and not srv_list then
      return
   end
   local which
   if cli_list and srv_list then
      which = "client and server"
   elseif cli_list then
      which = "client"
   else
      which = "server"
   end
   local status = flow_consts.status_types.status_blacklisted
   flow.triggerStatus(status.create(status.alert_severity, {
      cli_ip = cli,
      srv_ip = srv,
      cli_blacklisted = cli_list ~= nil,
      srv_blacklisted = srv_list ~= nil,
      which = which,
      list = cli_list or srv_list,
      entry = cli_entry or srv_entry,
   }), 100, cli_list and 100 or 10, srv_list and 100 or 10)
end

return script
