-- DNS problems that point at malware or misuse:
--
--  * malformed: the query name holds characters host names never have, or a flow on
--    the DNS port carries no readable query at all (another protocol hiding there);
--  * tunnelling: a name longer than `max_name_length` or with a label longer than
--    `max_label_length` (tunnels such as iodine or dnscat2 pack data into long
--    base32/hex labels; ordinary names stay far below 100 characters);
--  * random-looking names (domain generation algorithms): the label left of the
--    top-level domain, if it has at least `dga_min_length` letters, is compared with
--    English text: the share of letter pairs that are rare in English words, and the
--    mean log-frequency of its letters. Random strings of 11+ letters score high, words
--    and the usual abbreviations low. Reverse lookups and service names (`_ldap._tcp`)
--    are skipped.
--
-- NXDOMAIN bursts are the host script's (user_scripts/host/dns_nxdomain_burst.lua), on
-- the engine's per-host DNS counters.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")


-- nDPI's risk id of a suspicious (DGA-like) domain name (flow_risk_utils.risks).
local NDPI_RISK_SUSPICIOUS_DGA_DOMAIN = 16
local script = {
   l7_proto = "DNS",
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      max_name_length = 100,
      max_label_length = 50,
      dga_min_length = 11,
   },
   hooks = {},
   gui = {
      i18n_title = "dns_issues.title",
      i18n_description = "dns_issues.description",
   },
}

-- ################################################################# random names

-- Letter frequencies of English text (per cent).
local FREQ = {
   e = 12.7, t = 9.1, a = 8.2, o = 7.5, i = 7.0, n = 6.7, s = 6.3, h = 6.1, r = 6.0,
   d = 4.3, l = 4.0, c = 2.8, u = 2.8, m = 2.4, w = 2.4, f = 2.2, g = 2.0, y = 2.0,
   p = 1.9, b = 1.5, v = 1.0, k = 0.8, j = 0.15, x = 0.15, q = 0.1, z = 0.07,
}
local LOG2_FREQ = {}
for c, f in pairs(FREQ) do
   LOG2_FREQ[c] = math.log(f / 100, 2)
end

-- The letter pairs most frequent in English words; a pair outside this set is rare.
local COMMON_PAIRS = {}
for p in ([[th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se
   ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta
   la ns di fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh
   ee wi em ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci
   vi pl ig tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo
   sp rd do uc bu ei ov by rm ep tt oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff ba
   ey ls va um pp ua up lu go ht ru ug ds lt pi rc rr eg au ck ew mu br bi pt ak pu ui
   rg ib tl ny ki rk ys ob mm fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu
   af hu nn eo vo rv nf xp gn sm fl iz ok nl my gl aw ju oa eq sy sl ps jo lf nv je nk
   kn gs dy hy ze ks xt bs ik dd cy rp sk xi oe oy ws lv dl rf eu dg wr xa yi nm eb rb
   tm xc eh tc gy ja hn yp za gg ym sw bj lm cs ii ix xe oh lk dv lp ax ox uf dm iu sf
   bt ka yt ek pm ya gt wl rh yl hs ah yc yn rw hm lw hl ae zi az lr xu iw hd kl]]):gmatch("%a%a") do
   COMMON_PAIRS[p] = true
end

-- Rare-pair share and mean log2 letter frequency of `label`, or nil when it has fewer
-- than `min_letters` letters.
local function randomness(label, min_letters)
   local letters, logsum = 0, 0
   for c in label:gmatch("%a") do
      letters = letters + 1
      logsum = logsum + (LOG2_FREQ[c] or -10)
   end
   if letters < min_letters then
      return nil
   end
   local pairs_n, rare = 0, 0
   for i = 1, #label - 1 do
      local p = label:sub(i, i + 1)
      if p:match("^%a%a$") then
         pairs_n = pairs_n + 1
         if not COMMON_PAIRS[p] then
            rare = rare + 1
         end
      end
   end
   if pairs_n == 0 then
      return nil
   end
   return rare / pairs_n, logsum / letters
end

local function looks_random(name, min_letters)
   if name:find("_", 1, true) or name:match("%.arpa$") then
      return nil
   end
   local labels = {}
   for l in name:gmatch("[^%.]+") do
      labels[#labels + 1] = l
   end
   if #labels < 2 then
      return nil
   end
   local label = labels[#labels - 1]
   local rare, mean_log = randomness(label, min_letters)
   if rare == nil then
      return nil
   end
   if rare >= 0.4 or (rare >= 0.25 and mean_log < -4.6) then
      return label, rare
   end
   return nil
end

-- ################################################################# the hook

function script.hooks.protocolDetected(now, conf)
   local info = flow.getInfo()
   local dns = flow.getDNSInfo()
   local q = dns["protos.dns.last_query"]
   local types = flow_consts.status_types
   -- The core creators (alert_flow_misbehaviour, alert_suspicious_activity,
   -- alert_flow_risk) take their own arguments (`args`); the plugin's details go
   -- beside what they build.
   local function status(s, score, problem, extra, args)
      local c = s.create(s.alert_severity, table.unpack(args or {}))
      c.alert_type_params = c.alert_type_params or {}
      local t = { cli_ip = info["cli.ip"], srv_ip = info["srv.ip"], query = q, problem = problem }
      for k, v in pairs(extra or {}) do t[k] = v end
      for k, v in pairs(t) do c.alert_type_params[k] = v end
      flow.triggerStatus(c, score, score, 10)
   end

   if q == nil then
      -- Payload but no query: another protocol on the DNS port. (A bare TCP probe,
      -- as in a port scan, carries no payload and is not DNS at all.)
      if info["srv.port"] == 53 and flow.getGoodputBytes() > 0 then
         status(types.status_dns_invalid_query, 30, "no readable DNS query on the DNS port")
      end
      return
   end
   if dns["protos.dns.invalid_chars_in_query"] then
      status(types.status_dns_invalid_query, 30, "invalid characters in the query name")
   end

   local longest = 0
   for l in q:gmatch("[^%.]+") do
      longest = math.max(longest, #l)
   end
   local max_name = tonumber(conf.max_name_length) or 100
   local max_label = tonumber(conf.max_label_length) or 50
   if #q > max_name or longest > max_label then
      status(types.status_dns_data_exfiltration, 80,
         string.format("query name of %d characters, longest label %d (tunnelling?)", #q, longest),
         { length = #q, longest_label = longest, qtype = dns["protos.dns.last_query_type"] })
   else
      local label, rare = looks_random(q:lower(), tonumber(conf.dga_min_length) or 11)
      if label then
         -- ntopng 4.2 has no status of its own for this: it is nDPI's risk
         -- "suspicious DGA domain" (risk id 16) under status_flow_risk.
         status(types.status_flow_risk, 50,
            string.format("random-looking name %s (%d%% rare letter pairs)", q, math.floor(rare * 100 + 0.5)),
            { label = label }, { NDPI_RISK_SUSPICIOUS_DGA_DOMAIN })
      end
   end

end

return script
