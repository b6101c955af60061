-- The custom page of the exes_download plugin: the executable downloads the
-- EXEs Download user script flags, from the active flows and the alert store.
local page_utils = require("page_utils")
local plugins_utils = require("plugins_utils")
local alert_consts = require("alert_consts")
local json = require("dkjson")

sendHTTPContentTypeHeader("text/html")
page_utils.set_active_menu_entry(page_utils.menu_entries.exes_download)

local function t(key, params)
   return i18n("exes_download." .. key, params) or key
end
local esc = page_utils.escape

local view = _GET.page or "overview"
if view ~= "flows" and view ~= "alerts" then view = "overview" end
local url = plugins_utils.getUrl("exes_download.lua")

page_utils.print_navbar(t("title"), url, {
   { active = (view == "overview"), page_name = "overview", label = t("nav_overview") },
   { active = (view == "flows"), page_name = "flows", label = t("nav_flows") },
   { active = (view == "alerts"), page_name = "alerts", label = t("nav_alerts") },
})

-- A flow's score: a number, or {flow_score = n, ...} in flow.getInfo() tables.
local function score(v)
   if type(v) == "table" then return v.flow_score or 0 end
   return v or 0
end

-- Active flows whose last HTTP URL names an .exe (what the user script checks).
local exe_flows, clients, servers = {}, {}, {}
local info = interface.getFlowsInfo() or { flows = {} }
for _, f in ipairs(info.flows) do
   local u = f["protos.http.last_url"]
   if type(u) == "string" and u:match("%.exe") then
      exe_flows[#exe_flows + 1] = f
      clients[f["cli.ip"]] = true
      servers[f["srv.ip"]] = true
   end
end
table.sort(exe_flows, function(a, b) return (a.bytes or 0) > (b.bytes or 0) end)

-- Stored flow alerts of this plugin's alert type.
local exe_type = alert_consts.alert_types.alert_exe_download
local alerts = interface.getAlerts("flow", { alert_type = exe_type and exe_type.alert_key, limit = 200 }) or {}
for _, a in ipairs(alerts) do
   clients[a.cli_addr] = true
   servers[a.srv_addr] = true
end

local function card(id, label, value)
   print('<div class="card" id="', id, '"><div class="label">', esc(label), '</div><div class="value">', esc(value), '</div></div>')
end

local function flows_table(limit)
   print('<section class="panel"><h2>', esc(t("flows_heading")), ' <small>',
      esc(t("showing", { shown = math.min(limit, #exe_flows), total = #exe_flows })), '</small></h2>')
   print('<table class="data" id="exe-flows"><thead><tr><th>', esc(t("col_client")), '</th><th>', esc(t("col_server")),
      '</th><th>', esc(t("col_site")), '</th><th>', esc(t("col_url")), '</th><th class="num">', esc(t("col_bytes")),
      '</th><th class="num">', esc(t("col_score")), '</th></tr></thead><tbody>')
   if #exe_flows == 0 then
      print('<tr><td colspan="6" class="empty">', esc(t("no_flows")), '</td></tr>')
   end
   for i = 1, math.min(limit, #exe_flows) do
      local f = exe_flows[i]
      print('<tr><td><a href="/hosts/', esc(f["cli.ip"]), '">', esc(f["cli.ip"]), '</a>:', f["cli.port"] or "",
         '</td><td>', esc(f["srv.ip"]), ':', f["srv.port"] or "",
         '</td><td>', esc(f["protos.http.server_name"] or ""),
         '</td><td><code>', esc(f["protos.http.last_url"]), '</code>',
         '</td><td class="num">', bytesToSize(f.bytes or 0),
         '</td><td class="num">', score(f.score), '</td></tr>')
   end
   print('</tbody></table></section>')
end

local function alerts_table(limit)
   print('<section class="panel"><h2>', esc(t("alerts_heading")), ' <small>',
      esc(t("showing", { shown = math.min(limit, #alerts), total = #alerts })), '</small></h2>')
   print('<table class="data" id="exe-alerts"><thead><tr><th>', esc(t("col_time")), '</th><th>', esc(t("col_severity")),
      '</th><th>', esc(t("col_client")), '</th><th>', esc(t("col_server")), '</th><th>', esc(t("col_url")),
      '</th><th class="num">', esc(t("col_score")), '</th></tr></thead><tbody>')
   if #alerts == 0 then
      print('<tr><td colspan="6" class="empty">', esc(t("no_alerts")), '</td></tr>')
   end
   for i = 1, math.min(limit, #alerts) do
      local a = alerts[i]
      local params = (type(a.alert_json) == "string" and json.decode(a.alert_json)) or {}
      local sev = a.alert_severity_name or ""
      print('<tr><td>', formatEpoch(a.alert_tstamp or 0),
         '</td><td><span class="sev sev-', esc(sev), '">', esc(sev), '</span>',
         '</td><td>', esc(a.cli_addr or ""), ':', a.cli_port or "",
         '</td><td>', esc(a.srv_addr or ""), ':', a.srv_port or "",
         '</td><td><code>', esc(params["protos.http.last_url"] or a.info or ""), '</code>',
         '</td><td class="num">', score(a.score), '</td></tr>')
   end
   print('</tbody></table></section>')
end

local function count(set)
   local n = 0
   for _ in pairs(set) do n = n + 1 end
   return n
end

if view == "overview" then
   local st = interface.getStats() or {}
   print('<p class="muted" id="exe-intro">', t("intro"), '</p>')
   print('<section class="cards" id="exe-cards">')
   card("exe-alerts-count", t("stored_alerts"), formatValue(#alerts))
   card("exe-clients", t("clients"), formatValue(count(clients)))
   card("exe-servers", t("servers"), formatValue(count(servers)))
   card("exe-active", t("active_downloads"), formatValue(#exe_flows))
   print('</section>')
   flows_table(10)
   alerts_table(10)
   print('<p class="muted" id="exe-iface">', esc(t("interface_line", {
      name = st.name or interface.getName(),
      packets = formatValue(st.packets or 0),
      bytes = bytesToSize(st.bytes or 0),
   })), '</p>')
elseif view == "flows" then
   flows_table(500)
else
   alerts_table(200)
end
