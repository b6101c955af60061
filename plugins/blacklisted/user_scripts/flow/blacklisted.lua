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

-- [path] = { mtime = modification time, list = ntop.newAddressList of its entries }
local lists = {}
-- The configured paths in configuration order (matches are looked up in this order).
local order = {}
local last_check = nil
local last_items = nil
local reported = {}

local function load_list(path, mtime)
   local lines, err = ntop.readListFile(path)
   if lines == nil then
      traceError(TRACE_WARNING, TRACE_CONSOLE, "blacklisted: " .. tostring(err))
      return nil
   end
   -- One entry per line: the first word before any comment.
   local entries, line_of = {}, {}
   for i, line in ipairs(lines) do
      local entry = line:gsub("[#;].*$", ""):match("^%s*(%S+)")
      if entry then
         entries[#entries + 1] = entry
         line_of[#entries] = i
      end
   end
   local ok, list, bad = pcall(ntop.newAddressList, entries)
   if not ok then
      -- Too big for the limits: reported, and the file matches nothing until it changes.
      traceError(TRACE_WARNING, TRACE_CONSOLE, "blacklisted: " .. path .. ": " .. tostring(list))
      return { mtime = mtime }
   end
   if #bad > 0 then
      traceError(TRACE_WARNING, TRACE_CONSOLE,
         string.format("blacklisted: %s: %d line(s) are not addresses or networks (line %d: %s)",
            path, #bad, line_of[bad[1].index], bad[1].reason))
   end
   return { mtime = mtime, list = list }
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

-- The list (path) and entry an address matches, or nil.
local function find(ip)
   for _, path in ipairs(order) do
      local l = lists[path]
      local entry = l and l.list and l.list:match(ip)
      if entry then
         return path, entry
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
