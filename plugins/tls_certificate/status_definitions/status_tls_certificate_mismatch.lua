-- Flow status 23: no name of the certificate matches the server name the client asked for.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_tls_certificate_mismatch,
   alert_severity = alert_consts.alert_severities.error,
   alert_type = alert_consts.alert_types.alert_tls_certificate,
   i18n_title = "tls_certificate.mismatch_title",
   i18n_description = "tls_certificate.mismatch_description",
}
