-- The Lua half of the core alert and flow status definitions (ntopng 4.2's built-in
-- types, spec ntopng42-api.md §1.2, §2.2): creators, formatters and the
-- `alert_creators` module. Names, keys, titles and icons come from weir-alerts'
-- table (crates/weir-alerts/src/builtin.rs); weir joins the two when it builds
-- `alert_consts.alert_types` and `flow_consts.status_types`.
local W = ...

local function text(tmpl, p)
  p = type(p) == "table" and p or {}
  return (tmpl:gsub("%%{([%w_%.]+)}", function(k)
    local v = p[k]
    if v == nil then return "?" end
    return tostring(v)
  end))
end

-- Translated text of `key` with `vars`, else the English template filled in.
local function tr(key, vars, fallback)
  local s = type(i18n) == "function" and i18n(key, vars) or nil
  if type(s) == "string" and s ~= "" then return s end
  return text(fallback, vars)
end

-- alert_creators: the creators several definitions share.
local C = {}

--- Threshold crossing: metric, value, operator and threshold as params.
function C.createThresholdCross(alert_severity, alert_subtype, alert_granularity, metric, value, operator, threshold)
  return {
    alert_severity = alert_severity,
    alert_subtype = alert_subtype,
    alert_granularity = alert_granularity,
    alert_type_params = { metric = metric, value = value, operator = operator, threshold = threshold },
  }
end

--- A device (MAC) that appeared or left.
function C.createDeviceConnectionDisconnection(alert_severity, device)
  return { alert_severity = alert_severity, alert_type_params = { device = device } }
end

-- weir has no host pools: every host is in the default pool (id 0).
local function pool_name(id)
  if tonumber(id) == 0 then return "Not Assigned" end
  return tostring(id)
end

--- A host pool that connected or disconnected (params: the pool's name).
function C.createPoolConnectionDisconnection(alert_severity, host_pool)
  return { alert_severity = alert_severity, alert_type_params = { pool = pool_name(host_pool) } }
end

-- SNMP port creators: device, interface index and name, then the extra fields.
local function port_creator(...)
  local extra = { ... }
  return function(alert_severity, device_ip, if_index, interface_name, ...)
    local p = { device = device_ip, interface = if_index, interface_name = interface_name }
    local vals = { ... }
    for i, name in ipairs(extra) do p[name] = vals[i] end
    return { alert_severity = alert_severity, alert_type_params = p }
  end
end

-- Creators whose only argument (after the severity) is the params table itself.
local function params_as_is(alert_severity, info)
  return { alert_severity = alert_severity, alert_type_params = info }
end

local function no_params(alert_severity)
  return { alert_severity = alert_severity, alert_type_params = {} }
end

local function gran_only(field_map)
  -- (severity, granularity, a, b, ...) -> params named by field_map.
  return function(alert_severity, alert_granularity, ...)
    local vals, p = { ... }, {}
    for i, name in ipairs(field_map) do p[name] = vals[i] end
    return { alert_severity = alert_severity, alert_granularity = alert_granularity, alert_type_params = p }
  end
end

local function fmt_bytes(n)
  n = tonumber(n)
  if not n then return "?" end
  local units, i = { "B", "KB", "MB", "GB", "TB" }, 1
  while n >= 1024 and i < #units do n = n / 1024; i = i + 1 end
  return (i == 1 and string.format("%d %s", n, units[i])) or string.format("%.2f %s", n, units[i])
end

local function op_text(op)
  if op == "lt" then return "<" end
  if op == "gt" or op == nil then return ">" end
  return tostring(op)
end

local function threshold_text(ifid, alert, p)
  p = p or {}
  return string.format("%s crossed: %s %s %s", tostring(p.metric or "value"), tostring(p.value),
    op_text(p.operator), tostring(p.threshold))
end

local A = {}

A.alert_blacklisted_country = {
  creator = function(sev, cli_country, srv_country, cli_blacklisted, srv_blacklisted)
    return { alert_severity = sev, alert_type_params = { cli_country = cli_country, srv_country = srv_country,
      cli_blacklisted = cli_blacklisted, srv_blacklisted = srv_blacklisted } }
  end,
  i18n_description = function(ifid, alert, p)
    p = p or {}
    local who = {}
    if p.cli_blacklisted then who[#who + 1] = "client country " .. tostring(p.cli_country) end
    if p.srv_blacklisted then who[#who + 1] = "server country " .. tostring(p.srv_country) end
    if #who == 0 then return "Flow with a blacklisted country" end
    return "Flow with a blacklisted " .. table.concat(who, " and ")
  end,
}

A.alert_broadcast_domain_too_large = {
  creator = function(sev, src_mac, dst_mac, vlan, spa, tpa)
    return { alert_severity = sev, alert_subtype = string.format("%s_%s_%s_%s_%s", tostring(vlan), tostring(src_mac),
      tostring(spa), tostring(dst_mac), tostring(tpa)),
      alert_type_params = { src_mac = src_mac, dst_mac = dst_mac, spa = spa, tpa = tpa, vlan_id = vlan } }
  end,
  i18n_description = function(ifid, alert, p)
    return text("ARP request from %{src_mac} (%{spa}) for %{tpa} on VLAN %{vlan_id} crosses a broadcast domain that is too large", p)
  end,
}

A.alert_device_connection = {
  creator = C.createDeviceConnectionDisconnection,
  i18n_description = function(ifid, alert, p) return text("Device %{device} connected to the network", p) end,
}
A.alert_device_disconnection = {
  creator = C.createDeviceConnectionDisconnection,
  i18n_description = function(ifid, alert, p) return text("Device %{device} disconnected from the network", p) end,
}

A.alert_device_protocol_not_allowed = {
  creator = function(sev, cli_devtype, srv_devtype, devproto_forbidden_peer, devproto_forbidden_id)
    return { alert_severity = sev, alert_type_params = { ["cli.devtype"] = cli_devtype, ["srv.devtype"] = srv_devtype,
      devproto_forbidden_peer = devproto_forbidden_peer, devproto_forbidden_id = devproto_forbidden_id } }
  end,
}

A.alert_dropped_alerts = {
  creator = function(sev, alert_granularity, ifid, num_dropped)
    return { alert_severity = sev, alert_granularity = alert_granularity,
      alert_type_params = { ifid = ifid, num_dropped = num_dropped } }
  end,
  i18n_description = function(ifid, alert, p)
    p = p or {}
    if p.num_dropped ~= nil then return text("%{num_dropped} alerts were dropped on interface %{ifid}", p) end
    return text("%{dropped} alerts could not be %{stage} (%{sink}: %{reason})", p)
  end,
}

A.alert_external_alert = { creator = params_as_is }
A.alert_flow_blacklisted = { creator = params_as_is }
A.alert_flow_blocked = { creator = no_params }

A.alert_flow_misbehaviour = {
  creator = function(sev, l2r_threshold, r2l_threshold)
    return { alert_severity = sev, alert_type_params = { ["elephant.l2r_threshold"] = l2r_threshold,
      ["elephant.r2l_threshold"] = r2l_threshold } }
  end,
}

A.alert_flows_flood = { creator = C.createThresholdCross, i18n_description = threshold_text }

A.alert_ghost_network = {
  creator = function(sev, alert_granularity, network)
    return { alert_severity = sev, alert_granularity = alert_granularity, alert_subtype = network, alert_type_params = {} }
  end,
  i18n_description = function(ifid, alert, p)
    local net = type(alert) == "table" and alert.alert_subtype or nil
    return "Traffic seen for network " .. tostring(net or "?") .. ", which is not a local network of the interface"
  end,
}

A.alert_host_pool_connection = {
  creator = C.createPoolConnectionDisconnection,
  i18n_description = function(ifid, alert, p) return text("Host pool %{pool} connected", p) end,
}
A.alert_host_pool_disconnection = {
  creator = C.createPoolConnectionDisconnection,
  i18n_description = function(ifid, alert, p) return text("Host pool %{pool} disconnected", p) end,
}

A.alert_influxdb_error = {
  creator = gran_only({ "error_msg" }),
  i18n_description = function(ifid, alert, p) return text("InfluxDB error: %{error_msg}", p) end,
}
A.alert_influxdb_export_failure = {
  creator = gran_only({ "influxdb" }),
  i18n_description = function(ifid, alert, p) return text("Could not export data to InfluxDB %{influxdb}", p) end,
}

A.alert_internals = {
  creator = no_params,
  i18n_description = function(ifid, alert, p)
    p = p or {}
    if p.what ~= nil then return "Internal condition: " .. tostring(p.what) end
    local sub = type(alert) == "table" and alert.alert_subtype or nil
    return "Internal condition" .. (sub and sub ~= "" and (": " .. tostring(sub)) or "")
  end,
}

A.alert_ip_outsite_dhcp_range = {
  creator = function(sev, router_info, mac, client_mac, sender_mac)
    local key, label = router_info, router_info
    if type(router_info) == "table" then
      key = type(hostinfo2hostkey) == "function" and hostinfo2hostkey(router_info) or tostring(router_info.host)
      label = type(hostinfo2label) == "function" and hostinfo2label(router_info) or key
    end
    return { alert_severity = sev,
      alert_subtype = string.format("%s_%s_%s", tostring(key), tostring(client_mac), tostring(sender_mac)),
      alert_type_params = { router_info = key, mac = mac, client_mac = client_mac, sender_mac = sender_mac, router_host = label } }
  end,
  i18n_description = function(ifid, alert, p)
    return text("Client %{client_mac} got address %{mac} outside the DHCP range of router %{router_host}", p)
  end,
}

A.alert_list_download_failed = {
  creator = function(sev, list_name, last_error)
    return { alert_severity = sev, alert_type_params = { name = list_name, err = last_error,
      url = (type(ntop) == "table" and type(ntop.getHttpPrefix) == "function" and ntop.getHttpPrefix() or "")
        .. "/lua/admin/edit_category_lists.lua" } }
  end,
  i18n_description = function(ifid, alert, p) return text("Download of list %{name} failed: %{err}", p) end,
}

A.alert_login_failed = {
  creator = no_params,
  i18n_description = function(ifid, alert, p) return "Web login failed" end,
}

A.alert_mac_ip_association_change = {
  creator = function(sev, device, ip, old_mac, new_mac)
    return { alert_severity = sev, alert_subtype = string.format("%s_%s_%s", tostring(ip), tostring(old_mac), tostring(new_mac)),
      alert_type_params = { device = device, ip = ip, old_mac = old_mac, new_mac = new_mac } }
  end,
  i18n_description = function(ifid, alert, p) return text("IP %{ip} moved from MAC %{old_mac} to MAC %{new_mac}", p) end,
}

A.alert_malicious_signature = {}

A.alert_misconfigured_app = {
  creator = function(sev, alert_granularity, alert_subtype)
    return { alert_severity = sev, alert_granularity = alert_granularity, alert_subtype = alert_subtype, alert_type_params = {} }
  end,
  i18n_description = function(ifid, alert, p)
    local sub = type(alert) == "table" and alert.alert_subtype or nil
    return "Application misconfigured: " .. tostring(sub or "?")
  end,
}

A.alert_new_device = {
  creator = C.createDeviceConnectionDisconnection,
  i18n_description = function(ifid, alert, p) return text("New device %{device} seen on the network", p) end,
}

A.alert_nfq_flushed = {
  creator = function(sev, ifname, pct, tot, dropped)
    return { alert_severity = sev, alert_type_params = { ifname = ifname, pct = pct, tot = tot, dropped = dropped } }
  end,
  i18n_description = function(ifid, alert, p)
    return text("NFQ queue of %{ifname} flushed at %{pct}% fill: %{dropped} of %{tot} packets dropped", p)
  end,
}

A.alert_none = {}

A.alert_periodic_activity_not_executed = {
  creator = function(sev, alert_granularity, ps_name, last_queued_time)
    return { alert_severity = sev, alert_granularity = alert_granularity, alert_subtype = ps_name,
      alert_type_params = { ps_name = ps_name, last_queued_time = last_queued_time } }
  end,
  i18n_description = function(ifid, alert, p)
    p = p or {}
    return "Periodic activity " .. tostring(p.ps_name or p.activity or "?") .. " was not executed"
  end,
}

A.alert_am_threshold_cross = {
  creator = function(sev, alert_granularity, value, threshold, ip, host, operator, unit)
    return { alert_severity = sev, alert_granularity = alert_granularity, alert_type_params = { value = value,
      threshold = threshold, ip = ip, host = host, operator = operator, unit = unit } }
  end,
  i18n_description = function(ifid, alert, p)
    p = p or {}
    if type(p.alt_i18n) == "string" then
      local s = tr(p.alt_i18n, p, "")
      if s ~= "" then return s end
    end
    return text("Measurement of %{host} (%{ip}): %{value} %{unit}, threshold %{threshold} %{unit}", p)
  end,
}

A.alert_port_duplexstatus_change = {
  creator = port_creator("status"),
  i18n_description = function(ifid, alert, p) return text("Duplex status of port %{interface_name} (%{interface}) of %{device} changed to %{status}", p) end,
}
A.alert_port_errors = {
  creator = port_creator(),
  i18n_description = function(ifid, alert, p) return text("Errors on port %{interface_name} (%{interface}) of %{device}", p) end,
}
A.alert_port_load_threshold_exceeded = {
  creator = port_creator("in_load", "out_load", "load_threshold"),
  i18n_description = function(ifid, alert, p)
    return text("Load of port %{interface_name} (%{interface}) of %{device} over %{load_threshold}%: in %{in_load}%, out %{out_load}%", p)
  end,
}
A.alert_port_mac_changed = {
  creator = port_creator("mac", "prev_seen_device", "prev_seen_port"),
  i18n_description = function(ifid, alert, p)
    return text("MAC %{mac} moved to port %{interface_name} of %{device} (was on %{prev_seen_device} port %{prev_seen_port})", p)
  end,
}
A.alert_port_status_change = {
  creator = port_creator("status"),
  i18n_description = function(ifid, alert, p) return text("Port %{interface_name} (%{interface}) of %{device} changed status to %{status}", p) end,
}

A.alert_potentially_dangerous_protocol = {
  creator = function(sev, tls_version, tls_info)
    tls_info = type(tls_info) == "table" and tls_info or {}
    local g = function(k) return tls_info["protos.tls." .. k] end
    return { alert_severity = sev, alert_type_params = {
      tls_version = tls_version,
      tls_crt = { cli = g("client_requested_server_name"), srv = g("server_names"), notBefore = g("notBefore"),
        notAfter = g("notAfter"), issuerDN = g("issuerDN"), now = os.time() },
      cli_ja3_signature = g("ja3.client_hash"),
    } }
  end,
}

A.alert_process_notification = {
  creator = function(sev, event_type, msg_details)
    return { alert_severity = sev, alert_type_params = { msg_details = msg_details, event_type = event_type } }
  end,
  i18n_description = function(ifid, alert, p) return text("Process event %{event_type}: %{msg_details}", p) end,
}

A.alert_quota_exceeded = {
  creator = function(sev, alert_subtype, pool, proto, value, quota)
    return { alert_severity = sev, alert_subtype = alert_subtype, alert_type_params = { pool = pool_name(pool),
      proto = proto, value = value, quota = quota } }
  end,
  i18n_description = function(ifid, alert, p) return text("Pool %{pool} exceeded its %{proto} quota: %{value} of %{quota}", p) end,
}

A.alert_remote_to_remote = {
  i18n_description = function(ifid, alert, p)
    p = p or {}
    if p.host ~= nil then return text("Remote host %{host} (%{mac}) talked to another remote host", p) end
    return "Flow between two remote hosts"
  end,
}

A.alert_request_reply_ratio = {
  creator = function(sev, alert_granularity, alert_subtype, requests, replies)
    return { alert_severity = sev, alert_granularity = alert_granularity, alert_subtype = alert_subtype,
      alert_type_params = { requests = requests, replies = replies } }
  end,
  i18n_description = function(ifid, alert, p)
    local sub = type(alert) == "table" and alert.alert_subtype or "?"
    return text("Too few replies for " .. tostring(sub) .. ": %{replies} replies to %{requests} requests", p)
  end,
}

A.alert_slow_periodic_activity = {
  creator = function(sev, alert_granularity, ps_name, max_duration_ms)
    return { alert_severity = sev, alert_granularity = alert_granularity, alert_subtype = ps_name,
      alert_type_params = { ps_name = ps_name, max_duration_ms = max_duration_ms } }
  end,
  i18n_description = function(ifid, alert, p)
    p = p or {}
    return "Periodic activity " .. tostring(p.ps_name or p.activity or "?") .. " is slow (max "
      .. tostring(p.max_duration_ms or p.duration_ms or "?") .. " ms)"
  end,
}

A.alert_slow_purge = {
  creator = function(sev, alert_granularity, idle, idle_perc, threshold)
    return { alert_severity = sev, alert_granularity = alert_granularity,
      alert_type_params = { idle = idle, idle_perc = idle_perc, edge = threshold } }
  end,
  i18n_description = function(ifid, alert, p) return text("Slow purge: %{idle} idle entries (%{idle_perc}%, threshold %{edge}%)", p) end,
}

A.alert_snmp_device_reset = {
  creator = gran_only({ "device" }),
  i18n_description = function(ifid, alert, p) return text("SNMP device %{device} restarted", p) end,
}

A.alert_snmp_topology_changed = {
  creator = function(sev, alert_subtype, alert_granularity, node1, ip1, node2, ip2)
    return { alert_severity = sev, alert_subtype = alert_subtype, alert_granularity = alert_granularity,
      alert_type_params = { node1 = node1, ip1 = ip1, node2 = node2, ip2 = ip2 } }
  end,
  i18n_description = function(ifid, alert, p)
    local sub = type(alert) == "table" and alert.alert_subtype or ""
    return text("LLDP link %{node1} (%{ip1}) - %{node2} (%{ip2}) " .. (sub == "arc_removed" and "removed" or "changed"), p)
  end,
}

A.alert_suspicious_activity = {}
A.alert_tcp_syn_flood = { creator = C.createThresholdCross, i18n_description = threshold_text }
A.alert_tcp_syn_scan = { creator = C.createThresholdCross, i18n_description = threshold_text }
A.alert_threshold_cross = { creator = C.createThresholdCross, i18n_description = threshold_text }

A.alert_too_many_drops = {
  creator = function(sev, alert_granularity, drops, drop_perc, threshold)
    return { alert_severity = sev, alert_granularity = alert_granularity,
      alert_type_params = { drops = drops, drop_perc = drop_perc, edge = threshold } }
  end,
  i18n_description = function(ifid, alert, p)
    p = p or {}
    if p.drop_perc ~= nil then return text("%{drops} packets dropped (%{drop_perc}%, threshold %{edge}%)", p) end
    return text("%{drops} %{what} dropped", p)
  end,
}

A.alert_udp_unidirectional = { creator = no_params }

A.alert_user_activity = {
  creator = function(sev, scope, name, params, remote_addr, status)
    return { alert_severity = sev, alert_subtype = string.format("%s/%s/%s", tostring(scope), tostring(name), tostring(remote_addr)),
      alert_type_params = { scope = scope, name = name, params = params, remote_addr = remote_addr, status = status } }
  end,
  i18n_description = function(ifid, alert, p) return text("User activity %{scope}/%{name} from %{remote_addr}", p) end,
}

A.alert_user_script_calls_drops = {
  creator = function(sev, alert_granularity, subdir, drops)
    return { alert_severity = sev, alert_granularity = alert_granularity, alert_subtype = subdir,
      alert_type_params = { drops = drops } }
  end,
  i18n_description = function(ifid, alert, p)
    local sub = type(alert) == "table" and alert.alert_subtype or nil
    return text("%{drops} user script calls dropped", p) .. (sub and sub ~= "" and (" (" .. tostring(sub) .. ")") or "")
  end,
}

A.alert_web_mining = { creator = no_params }

A.alert_connection_issues = {
  creator = function(sev, tcp_stats, cli2srv_pkts, srv2cli_pkts, is_severe, client_issues, server_issues)
    return { alert_severity = sev, alert_type_params = { tcp_stats = tcp_stats, cli2srv_pkts = cli2srv_pkts,
      srv2cli_pkts = srv2cli_pkts, is_severe = is_severe, client_issues = client_issues, server_issues = server_issues } }
  end,
}

A.alert_suspicious_file_transfer = { creator = params_as_is }
A.alert_known_proto_on_non_std_port = { creator = params_as_is }

-- 4.2's odd argument order: the subtype comes first, the severity second.
A.alert_host_log = {
  creator = function(subtype, alert_severity, host, level, facility, message)
    return { alert_subtype = subtype, alert_severity = alert_severity,
      alert_type_params = { host = host, facility = facility, message = message } }
  end,
  i18n_description = function(ifid, alert, p) return text("[%{host}] %{facility}: %{message}", p) end,
}

A.alert_attack_mitigation_via_snmp = {
  creator = function(sev, alert_subtype, alert_granularity, metric, value, operator, threshold, access_port, success)
    return { alert_severity = sev, alert_subtype = alert_subtype, alert_granularity = alert_granularity,
      alert_type_params = { metric = metric, value = value, operator = operator, threshold = threshold,
        access_port = access_port, success = success } }
  end,
  i18n_description = function(ifid, alert, p)
    p = p or {}
    return threshold_text(ifid, alert, p) .. "; access port " .. tostring(p.access_port)
      .. (p.success and " shut down" or " could not be shut down")
  end,
}

A.alert_iec104_error = {
  creator = function(sev, alert_granularity, alert_subtype, last_error)
    return { alert_severity = sev, alert_granularity = alert_granularity, alert_subtype = alert_subtype,
      alert_type_params = { error_msg = last_error } }
  end,
  i18n_description = function(ifid, alert, p) return text("IEC 60870-5-104 error: %{error_msg}", p) end,
}

A.alert_flow_risk = {
  creator = function(sev, risk_id) return { alert_severity = sev, alert_type_params = { risk_id = risk_id } } end,
}

A.alert_unexpected_dns = { creator = params_as_is }
A.alert_unexpected_smtp = { creator = params_as_is }
A.alert_unexpected_dhcp = { creator = params_as_is }
A.alert_unexpected_ntp = { creator = params_as_is }

A.alert_lateral_movement = {
  creator = function(sev, alert_granularity, last_error)
    local e = type(last_error) == "table" and last_error or {}
    return { alert_severity = sev, alert_granularity = alert_granularity,
      alert_subtype = string.format("%s/%s/%s/%s/%s", tostring(e.shost), tostring(e.dhost), tostring(e.dport),
        tostring(e.l4), tostring(e.l7)),
      alert_type_params = { error_msg = last_error } }
  end,
  i18n_description = function(ifid, alert, p)
    local e = type(p) == "table" and type(p.error_msg) == "table" and p.error_msg or {}
    return text("Unexpected connection %{shost} -> %{dhost}:%{dport} (%{l4}/%{l7})", e)
  end,
}

A.alert_list_download_succeeded = {
  creator = function(sev, list_name) return { alert_severity = sev, alert_type_params = { name = list_name } } end,
  i18n_description = function(ifid, alert, p) return text("List %{name} downloaded", p) end,
}

-- Flow status formatters: fn(info), info = the alert params.
local S = {}

S.status_blacklisted = function(info)
  info = info or {}
  local parts = {}
  if info["blacklisted.cli"] then parts[#parts + 1] = "client" end
  if info["blacklisted.srv"] then parts[#parts + 1] = "server" end
  if info["blacklisted.cat"] then parts[#parts + 1] = "category" end
  if #parts == 0 then return "Blacklisted flow" end
  return "Blacklisted flow (" .. table.concat(parts, ", ") .. ")"
end

S.status_blacklisted_country = function(info)
  return A.alert_blacklisted_country.i18n_description(nil, nil, info)
end

S.status_device_protocol_not_allowed = function(info)
  info = info or {}
  local peer = info.devproto_forbidden_peer == "srv" and "server" or "client"
  local devtype = info.devproto_forbidden_peer == "srv" and info["srv.devtype"] or info["cli.devtype"]
  local proto = info.devproto_forbidden_id
  if type(interface) == "table" and type(interface.getnDPIProtoName) == "function" and proto ~= nil then
    local ok, name = pcall(interface.getnDPIProtoName, tonumber(proto))
    if ok and name then proto = name end
  end
  local s = string.format("Protocol %s is not allowed for the %s device type %s", tostring(proto), peer, tostring(devtype))
  if type(getDeviceProtocolPoliciesUrl) == "function" then
    local ok, url = pcall(getDeviceProtocolPoliciesUrl)
    if ok and type(url) == "string" then s = s .. " (policies: " .. url .. ")" end
  end
  return s
end

S.status_elephant_local_to_remote = function(info)
  info = info or {}
  return "Elephant flow, local to remote over " .. fmt_bytes(info["elephant.l2r_threshold"])
end
S.status_elephant_remote_to_local = function(info)
  info = info or {}
  return "Elephant flow, remote to local over " .. fmt_bytes(info["elephant.r2l_threshold"])
end

local ids_makers = { GPL = "GPL", SURICATA = "Suricata", ET = "Emerging Threats" }
S.status_external_alert = function(info)
  info = info or {}
  local a = type(info.alert) == "table" and info.alert or {}
  local sig = tostring(a.signature or "")
  if info.source == "suricata" and sig ~= "" then
    local words = {}
    for w in sig:gmatch("%S+") do words[#words + 1] = w end
    local maker = words[1] and ids_makers[words[1]]
    if maker and #words >= 3 then
      local msg = table.concat(words, " ", 3)
      local s = string.format("%s %s: %s", maker, words[2], msg)
      if a.category then s = s .. " [" .. tostring(a.category) .. "]" end
      return s
    end
  end
  if sig ~= "" then
    return sig .. (a.category and (" [" .. tostring(a.category) .. "]") or "")
  end
  return "External alert"
end

S.status_longlived = function(info)
  info = info or {}
  local t = tonumber(info["longlived.threshold"])
  if not t then return "Long-lived flow" end
  return string.format("Long-lived flow (longer than %d seconds)", t)
end

S.status_malicious_signature = function(info)
  info = info or {}
  local cli = info.cli_ja3_signature or info.ja3_signature
  local s = "Malicious JA3 signature"
  if cli then s = s .. " (client " .. tostring(cli) .. ")" end
  if info.srv_ja3_signature then s = s .. " (server " .. tostring(info.srv_ja3_signature) .. ")" end
  return s
end

local function issues(info)
  info = info or {}
  local st = type(info.tcp_stats) == "table" and info.tcp_stats or {}
  local function dir(side, pkts)
    local r, o, l = st[side .. ".retransmissions"], st[side .. ".out_of_order"], st[side .. ".lost"]
    local parts = {}
    if tonumber(r) and tonumber(r) > 0 then parts[#parts + 1] = r .. " retransmitted" end
    if tonumber(o) and tonumber(o) > 0 then parts[#parts + 1] = o .. " out of order" end
    if tonumber(l) and tonumber(l) > 0 then parts[#parts + 1] = l .. " lost" end
    if #parts == 0 then return nil end
    return table.concat(parts, ", ") .. " of " .. tostring(pkts or "?") .. " packets"
  end
  local out = {}
  local c = dir("cli2srv", info.cli2srv_pkts)
  local s = dir("srv2cli", info.srv2cli_pkts)
  if c then out[#out + 1] = "client to server: " .. c end
  if s then out[#out + 1] = "server to client: " .. s end
  if info.client_issues then out[#out + 1] = "client issues" end
  if info.server_issues then out[#out + 1] = "server issues" end
  if #out == 0 then return nil end
  return table.concat(out, "; ")
end
S.status_tcp_connection_issues = function(info)
  local d = issues(info)
  return "TCP connection issues" .. (d and (" (" .. d .. ")") or "")
end
S.status_tcp_severe_connection_issues = function(info)
  local d = issues(info)
  return "Severe TCP connection issues" .. (d and (" (" .. d .. ")") or "")
end

local function crt(info)
  info = info or {}
  return type(info.tls_crt) == "table" and info.tls_crt or {}
end
local function date(t)
  t = tonumber(t)
  if not t then return "?" end
  return os.date("!%Y-%m-%d %H:%M:%S", t)
end
S.status_tls_certificate_expired = function(info)
  local c = crt(info)
  return "TLS certificate outside its validity: valid from " .. date(c.notBefore) .. " to " .. date(c.notAfter)
end
S.status_tls_certificate_mismatch = function(info)
  local c = crt(info)
  return "TLS certificate mismatch: the client asked for " .. tostring(c.cli or "?") .. ", the certificate is for "
    .. tostring(c.srv or "?")
end
S.status_tls_certificate_selfsigned = function(info)
  local c = crt(info)
  return "Self-signed TLS certificate" .. (c.issuerDN and (" (issuer " .. tostring(c.issuerDN) .. ")") or "")
end
S.status_tls_old_protocol_version = function(info)
  info = info or {}
  local v = info.tls_version
  if v ~= nil and type(ntop) == "table" and type(ntop.getTLSVersionName) == "function" then
    local ok, name = pcall(ntop.getTLSVersionName, tonumber(v))
    if ok and name then v = name end
  end
  return "Old TLS protocol version" .. (v ~= nil and (" (" .. tostring(v) .. ")") or "")
end

S.status_suspicious_file_transfer = function(info)
  info = info or {}
  local url = info["protos.http.last_url"]
  return "Suspicious file transfer" .. (url and (": " .. tostring(url)) or "")
end

S.status_known_proto_on_non_std_port = function(info)
  info = info or {}
  local app = info["proto.ndpi_app"] or info["proto.ndpi"]
  return string.format("%s on non-standard port %s", tostring(app or "Known protocol"), tostring(info["srv.port"] or "?"))
end

-- nDPI's risk enumeration (flow_risk_utils has the same names when it is loaded).
local ndpi_risks = { [0] = "no_risk", "url_possible_xss", "url_possible_sql_injection", "url_possible_rce_injection",
  "binary_application_transfer", "known_protocol_on_non_standard_port", "tls_selfsigned_certificate",
  "tls_obsolete_version", "tls_weak_cipher", "tls_certificate_expired", "tls_certificate_mismatch",
  "http_suspicious_user_agent", "http_numeric_ip_host", "http_suspicious_url", "http_suspicious_header",
  "tls_not_carrying_https", "suspicious_dga_domain", "malformed_packet", "ssh_obsolete_client_version_or_cipher",
  "ssh_obsolete_server_version_or_cipher", "smb_insecure_version", "tls_suspicious_esni_usage", "unsafe_protocol",
  "dns_suspicious_traffic", "tls_missing_sni" }

S.status_flow_risk = function(info)
  info = info or {}
  local id = tonumber(info.risk_id)
  local fru = package and package.loaded and package.loaded.flow_risk_utils
  if type(fru) == "table" and type(fru.risk_id_2_i18n) == "function" and id then
    local ok, s = pcall(fru.risk_id_2_i18n, id)
    if ok and type(s) == "string" and s ~= "" then return s end
  end
  local name = id and ndpi_risks[id]
  if not name then return "Flow risk" .. (id and (" " .. id) or "") end
  local s = "Flow risk: " .. name:gsub("_", " ")
  if type(info.name) == "string" then s = s .. " (" .. info.name .. ")" end
  return s
end

-- Formatters of the alert types that had none: every core definition formats its
-- alerts (the message stored as `msg`). Flow alert types read the same params as
-- their statuses' formatters.
local function peers(p)
  p = p or {}
  local cli = p.cli_ip or p["cli.ip"] or p.src_ip
  local srv = p.srv_ip or p["srv.ip"] or p.dst_ip
  if cli == nil and srv == nil then return nil end
  local s = tostring(cli or "?")
  if p.cli_port or p.src_port then s = s .. ":" .. tostring(p.cli_port or p.src_port) end
  s = s .. " -> " .. tostring(srv or "?")
  local sp = p.srv_port or p["srv.port"] or p.dst_port
  if sp then s = s .. ":" .. tostring(sp) end
  return s
end
local function with_peers(s, p)
  local pr = peers(p)
  return pr and (s .. " (" .. pr .. ")") or s
end
local function as_status(status) return function(ifid, alert, p) return S[status](p) end end

A.alert_device_protocol_not_allowed.i18n_description = as_status("status_device_protocol_not_allowed")
A.alert_flow_blacklisted.i18n_description = as_status("status_blacklisted")
A.alert_malicious_signature.i18n_description = as_status("status_malicious_signature")
A.alert_suspicious_file_transfer.i18n_description = function(ifid, alert, p)
  p = p or {}
  if p.filename ~= nil then
    local s = "Executable file " .. tostring(p.filename) .. " transferred"
    if p.http_host or p.http_url then s = s .. " from " .. tostring(p.http_host or "") .. tostring(p.http_url or "") end
    if p.magic and p.magic ~= "" then s = s .. " (" .. tostring(p.magic) .. ")" end
    return with_peers(s, p)
  end
  return S.status_suspicious_file_transfer(p)
end
A.alert_known_proto_on_non_std_port.i18n_description = as_status("status_known_proto_on_non_std_port")
A.alert_flow_risk.i18n_description = as_status("status_flow_risk")
A.alert_connection_issues.i18n_description = function(ifid, alert, p)
  p = p or {}
  if p.is_severe then return S.status_tcp_severe_connection_issues(p) end
  return S.status_tcp_connection_issues(p)
end
A.alert_external_alert.i18n_description = function(ifid, alert, p)
  p = p or {}
  if type(p.alert) == "table" then return S.status_external_alert(p) end
  local s
  if p.signature ~= nil then
    s = "Suricata: " .. tostring(p.signature)
    if p.category ~= nil and p.category ~= "" then s = s .. " [" .. tostring(p.category) .. "]" end
  elseif p.anomaly_type ~= nil then
    s = "Suricata anomaly: " .. tostring(p.anomaly_type)
    if p.anomaly_event ~= nil and p.anomaly_event ~= p.anomaly_type then s = s .. " " .. tostring(p.anomaly_event) end
  else
    s = "External alert"
  end
  return with_peers(s, p)
end
A.alert_flow_blocked.i18n_description = function(ifid, alert, p) return with_peers("Flow blocked", p) end
A.alert_flow_misbehaviour.i18n_description = function(ifid, alert, p)
  p = p or {}
  if p["elephant.l2r_threshold"] ~= nil then return S.status_elephant_local_to_remote(p) end
  if p["elephant.r2l_threshold"] ~= nil then return S.status_elephant_remote_to_local(p) end
  if p["longlived.threshold"] ~= nil then return S.status_longlived(p) end
  return with_peers("Flow misbehaviour", p)
end
A.alert_none.i18n_description = function(ifid, alert, p) return "Normal flow" end
A.alert_potentially_dangerous_protocol.i18n_description = function(ifid, alert, p)
  p = p or {}
  local c = type(p.tls_crt) == "table" and p.tls_crt or {}
  if p.tls_version ~= nil then return S.status_tls_old_protocol_version(p) end
  if c.notAfter ~= nil or c.notBefore ~= nil then return S.status_tls_certificate_expired(p) end
  if c.srv ~= nil and c.cli ~= nil then return S.status_tls_certificate_mismatch(p) end
  if c.issuerDN ~= nil then return S.status_tls_certificate_selfsigned(p) end
  return with_peers("Potentially dangerous protocol", p)
end
A.alert_suspicious_activity.i18n_description = function(ifid, alert, p)
  p = p or {}
  if p.dns_query ~= nil or p.query ~= nil then
    return "Suspicious DNS activity: " .. tostring(p.dns_query or p.query)
  end
  return with_peers("Suspicious activity", p)
end
A.alert_udp_unidirectional.i18n_description = function(ifid, alert, p)
  return with_peers("Unidirectional UDP flow: no reply from the server", p)
end
A.alert_web_mining.i18n_description = function(ifid, alert, p)
  return with_peers("Cryptocurrency mining traffic", p)
end
local function unexpected(what)
  return function(ifid, alert, p)
    p = p or {}
    local s = "Unexpected " .. what .. " server " .. tostring(p.srv_ip or p["srv.ip"] or "?")
    if p.cli_ip or p["cli.ip"] then s = s .. " used by " .. tostring(p.cli_ip or p["cli.ip"]) end
    if type(p.info) == "string" and p.info ~= "" then s = s .. " (" .. p.info .. ")" end
    return s
  end
end
A.alert_unexpected_dns.i18n_description = unexpected("DNS")
A.alert_unexpected_smtp.i18n_description = unexpected("SMTP")
A.alert_unexpected_dhcp.i18n_description = unexpected("DHCP")
A.alert_unexpected_ntp.i18n_description = unexpected("NTP")

return { alert_creators = C, alerts = A, statuses = S, ndpi_risks = ndpi_risks }
