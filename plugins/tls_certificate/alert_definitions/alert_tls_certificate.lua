-- The alert raised by the three certificate statuses. ntopng reports these as nDPI
-- flow risks (self-signed certificate, expired certificate, certificate mismatch), so
-- the alert takes the flow-risk key (62).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info the status info built by the flow script (peers, SNI, certificate facts)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_flow_risk,
   i18n_title = "tls_certificate.alert_title",
   i18n_description = "tls_certificate.alert_description",
   icon = "fas fa-certificate",
   creator = create,
}
