-- Flow status 28: the server certificate is self-signed (issuer = subject).
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_tls_certificate_selfsigned,
   alert_severity = alert_consts.alert_severities.warning,
   alert_type = alert_consts.alert_types.alert_tls_certificate,
   i18n_title = "tls_certificate.selfsigned_title",
   i18n_description = "tls_certificate.selfsigned_description",
}
