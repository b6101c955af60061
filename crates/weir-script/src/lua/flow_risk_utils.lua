-- flow_risk_utils: the flow risks of nDPI as ntopng 4.2 numbers them (nDPI's risk
-- enumeration, ids 0-24), by their nDPI names with the `ndpi_` prefix.
local W = ...
local M = {}

local NAMES = { [0] = "no_risk", "url_possible_xss", "url_possible_sql_injection",
  "url_possible_rce_injection", "binary_application_transfer", "known_protocol_on_non_standard_port",
  "tls_selfsigned_certificate", "tls_obsolete_version", "tls_weak_cipher", "tls_certificate_expired",
  "tls_certificate_mismatch", "http_suspicious_user_agent", "http_numeric_ip_host",
  "http_suspicious_url", "http_suspicious_header", "tls_not_carrying_https", "suspicious_dga_domain",
  "malformed_packet", "ssh_obsolete_client_version_or_cipher", "ssh_obsolete_server_version_or_cipher",
  "smb_insecure_version", "tls_suspicious_esni_usage", "unsafe_protocol", "dns_suspicious_traffic",
  "tls_missing_sni" }

--- name (`ndpi_tls_missing_sni`) -> id (24).
M.risks = {}
for id = 0, #NAMES do M.risks["ndpi_" .. NAMES[id]] = id end

--- The localized title of a risk id (`flow_risk.<name>` of the locales), else its
--- name in words (`TLS Missing SNI`); nil for an unknown id.
function M.risk_id_2_i18n(id)
  local name = NAMES[tonumber(id)]
  if not name then return nil end
  local t = i18n("flow_risk.ndpi_" .. name)
  if t then return t end
  local words = {}
  for w in name:gmatch("[^_]+") do
    local up = ({ url = "URL", tls = "TLS", http = "HTTP", ssh = "SSH", smb = "SMB", dns = "DNS",
      ip = "IP", sql = "SQL", rce = "RCE", xss = "XSS", dga = "DGA", esni = "ESNI", sni = "SNI",
      https = "HTTPS" })[w]
    words[#words + 1] = up or (w:sub(1, 1):upper() .. w:sub(2))
  end
  return table.concat(words, " ")
end

return M
