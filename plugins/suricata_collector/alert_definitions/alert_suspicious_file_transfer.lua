-- A file Suricata saw crossing the network that looks like an executable.
local alert_keys = require "alert_keys"

-- @param alert_severity a severity of alert_consts.alert_severities
-- @param params the file's fields (filename, magic, size, hosts)
local function createSuspiciousFile(alert_severity, params)
   return {
      alert_severity = alert_severity,
      alert_type_params = params,
   }
end

return {
   alert_key = alert_keys.ntopng.alert_suspicious_file_transfer,
   i18n_title = "suricata_collector.file_title",
   i18n_description = "suricata_collector.file_description",
   icon = "fas fa-file-download",
   creator = createSuspiciousFile,
}
