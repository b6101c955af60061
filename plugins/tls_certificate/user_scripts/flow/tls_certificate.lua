-- Checks the server certificate of TLS flows. Up to TLS 1.2 the certificate travels
-- in clear and `flow.getTLSInfo()` gives its facts: subject and issuer DNs, validity
-- (notBefore/notAfter, epoch seconds) and names (subjectAltName DNS names, else the
-- subject CN). TLS 1.3 encrypts it: those flows have no certificate to check.
--
--  * self-signed: issuer DN = subject DN;
--  * expired / not yet valid: the handshake time (`now`, the capture clock) is after
--    notAfter or before notBefore;
--  * too long: valid for more than `max_validity_days` (398 days, the CA/Browser
--    Forum limit for publicly trusted certificates since September 2020); self-signed
--    certificates are exempt (they are reported as such);
--  * mismatch: the client sent a server name (SNI) and no certificate name covers it
--    (exact match, or a `*.` wildcard standing for exactly one label).
-- Each problem sets its status; the worst one (highest score) raises the flow alert.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")
local alert_consts = require("alert_consts")

local DAY = 86400

local script = {
   l7_proto = "TLS",
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = { max_validity_days = 398 },
   hooks = {},
   gui = {
      i18n_title = "tls_certificate.title",
      i18n_description = "tls_certificate.description",
   },
}

-- True if certificate name `pattern` (maybe `*.example.com`) covers `host`.
local function covers(pattern, host)
   pattern = pattern:lower():gsub("^%s+", ""):gsub("%s+$", "")
   if pattern == host then
      return true
   end
   local suffix = pattern:match("^%*(%..+)$")
   if suffix and #host > #suffix and host:sub(-#suffix) == suffix then
      local first = host:sub(1, #host - #suffix)
      return not first:find(".", 1, true)
   end
   return false
end

local function matches_any(names, host)
   for name in (names .. ","):gmatch("([^,]*),") do
      if name ~= "" and covers(name, host) then
         return true
      end
   end
   return false
end

function script.hooks.protocolDetected(now, conf)
   local tls = flow.getTLSInfo()
   local not_before, not_after = tls["protos.tls.notBefore"], tls["protos.tls.notAfter"]
   if not_before == nil or not_after == nil then
      return -- no certificate seen (TLS 1.3, resumed session)
   end
   local sni = tls["protos.tls.client_requested_server_name"]
   local subject, issuer = tls["protos.tls.subjectDN"] or "", tls["protos.tls.issuerDN"] or ""
   local names = tls["protos.tls.server_names"] or ""
   -- The alert fields, built only when a problem is found.
   local base
   local function fields()
      if base == nil then
         local info = flow.getInfo()
         base = {
            cli_ip = info["cli.ip"],
            srv_ip = info["srv.ip"],
            sni = sni or "no SNI",
            subject = subject,
            issuer = issuer,
            names = names,
            not_before = not_before,
            not_after = not_after,
         }
      end
      return base
   end
   local function with(extra)
      local t = {}
      for k, v in pairs(fields()) do t[k] = v end
      for k, v in pairs(extra) do t[k] = v end
      return t
   end
   local types = flow_consts.status_types
   local sev = alert_consts.alert_severities
   -- 4.2's creator (alert_potentially_dangerous_protocol) builds `tls_crt` and
   -- `tls_version` from the TLS info; the plugin's own fields go beside them.
   local function created(s, severity, extra)
      local c = s.create(severity, tls["protos.tls.version"], tls)
      c.alert_type_params.tls_crt.now = now -- the capture clock, not the wall clock
      for k, v in pairs(with(extra)) do c.alert_type_params[k] = v end
      return c
   end

   local self_signed = subject ~= "" and subject == issuer
   if self_signed then
      local s = types.status_tls_certificate_selfsigned
      flow.triggerStatus(created(s, s.alert_severity, { problem = "self-signed certificate" }), 60, 40, 20)
   end

   local problem, severity, score
   if now > not_after then
      problem = string.format("certificate expired %d day(s) ago", (now - not_after) // DAY)
      severity, score = sev.error, 70
   elseif now < not_before then
      problem = string.format("certificate not valid before %d day(s) from now", (not_before - now + DAY - 1) // DAY)
      severity, score = sev.error, 70
   elseif not self_signed then
      local days = (not_after - not_before) // DAY
      local limit = tonumber(conf.max_validity_days) or 398
      if days > limit then
         problem = string.format("certificate valid for %d days (limit %d)", days, limit)
         severity, score = sev.notice, 20
      end
   end
   if problem then
      local s = types.status_tls_certificate_expired
      flow.triggerStatus(created(s, severity, { problem = problem }), score, 30, 10)
   end

   if sni and sni ~= "" and names ~= "" and not matches_any(names, sni:lower()) then
      local s = types.status_tls_certificate_mismatch
      flow.triggerStatus(created(s, s.alert_severity, {
         problem = "certificate for " .. names .. ", not " .. sni,
      }), 80, 50, 30)
   end
end

return script
