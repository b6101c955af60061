-- Flow status 22 (ntopng: certificate expired): the certificate is outside its validity
-- period at the time of the handshake, or valid for longer than the configured limit
-- (the flow script lowers the severity to notice for the latter).
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_tls_certificate_expired,
   alert_severity = alert_consts.alert_severities.error,
   alert_type = alert_consts.alert_types.alert_tls_certificate,
   i18n_title = "tls_certificate.validity_title",
   i18n_description = "tls_certificate.validity_description",
}
