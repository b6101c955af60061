-- An alert raised by an external IDS (Suricata): the signature that matched, or a
-- protocol anomaly it decoded. Stored on the source host; as a flow alert (through
-- status_external_alert) when weir tracks the flow.
local alert_keys = require "alert_keys"

-- @param alert_severity a severity of alert_consts.alert_severities
-- @param subtype "alert" (a signature matched) or "anomaly"
-- @param params the event's fields kept in the alert JSON
local function createExternalAlert(alert_severity, subtype, params)
   return {
      alert_severity = alert_severity,
      alert_subtype = subtype,
      alert_type_params = params,
   }
end

return {
   alert_key = alert_keys.ntopng.alert_external,
   i18n_title = "suricata_collector.alert_external_title",
   i18n_description = function(ifid, alert, info)
      info = info or {}
      if info.anomaly_event then
         return i18n("suricata_collector.anomaly_description", info)
      end
      return i18n("suricata_collector.alert_external_description", info)
   end,
   icon = "fas fa-shield-alt",
   creator = createExternalAlert,
}
