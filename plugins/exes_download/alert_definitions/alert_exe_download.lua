local alert_keys = require "alert_keys"

-- #######################################################

-- @brief Prepare an alert table used to generate the alert
-- @param alert_severity A severity as defined in `alert_consts.alert_severities`
-- @param tls_info A Lua table with HTTP info generated calling `flow.getHTTPInfo()`
-- @return A table with the alert built
local function createExeDownload(alert_severity, http_info)
   local built = {
      alert_severity = alert_severity,
      alert_type_params = http_info -- This info will go into the alert JSON
   }

   return built
end

-- #######################################################

-- @brief The alert's message (stored as `msg`, shown by `weir alerts` and the UI)
-- @param ifid The interface id
-- @param alert The alert (alert_subtype, alert_entity_val, ...)
-- @param http_info The params built by createExeDownload
-- @return A sentence naming the downloaded file
local function formatExeDownload(ifid, alert, http_info)
   http_info = http_info or {}
   local host = http_info["protos.http.server_name"]
   local url = http_info["protos.http.last_url"]
   if url == nil then return "Executable file downloaded" end
   if host ~= nil and host ~= "" and not tostring(url):find(host, 1, true) then
      url = tostring(host) .. tostring(url)
   end
   return "Executable file downloaded: " .. tostring(url)
end

-- #######################################################

return {
   alert_key = alert_keys.user.alert_user_01,
   -- equivalent
   -- alert_key = {0, alert_keys.user.alert_user_01},
   -- custom pens
   -- alert_key = {312 -- PEN -- , 513 --alert id --]]},
   i18n_title = "EXE download",
   icon = "fas fa-exclamation",
   creator = createExeDownload,
   i18n_description = formatExeDownload,
}
