// weir web UI: fills the server-rendered pages from the REST API (/api/v1).
// Plain browser JavaScript, no build step. Data is inserted with textContent only.
"use strict";
(function () {
  const body = document.body;
  const page = body.dataset.page || "";
  // The interface shown: ?ifid= in the address, else the last one chosen, else the first.
  const IFID = (function () {
    const q = new URLSearchParams(location.search).get("ifid");
    if (q && /^\d+$/.test(q)) { try { localStorage.setItem("weir-ifid", q); } catch (e) { /* private mode */ } return q; }
    let v = null;
    try { v = localStorage.getItem("weir-ifid"); } catch (e) { /* private mode */ }
    return v && /^\d+$/.test(v) ? v : "0";
  })();

  // ---- helpers -------------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const k of kids) {
      if (k === null || k === undefined) continue;
      e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return e;
  }
  const td = (v, cls) => el("td", { class: cls }, v);
  const num = (v) => td(v, "num");

  async function api(path) {
    const r = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (r.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      throw new Error("logged out");
    }
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(j.error || r.status + " " + r.statusText);
    return j;
  }

  // A state-changing call: JSON body, the session's CSRF token from the page.
  async function send(method, path, data) {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const init = { method: method, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRF-Token": csrf } };
    if (data !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(data); }
    const r = await fetch(path, init);
    if (r.status === 204) return {};
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(j.error || r.status + " " + r.statusText);
    return j;
  }

  function fmtNum(n) {
    return (n || 0).toLocaleString("en-US");
  }
  function fmtUnit(n, units, base) {
    n = n || 0;
    let i = 0;
    while (Math.abs(n) >= base && i < units.length - 1) { n /= base; i++; }
    return (i === 0 ? Math.round(n) : n.toFixed(n < 10 ? 2 : 1)) + " " + units[i];
  }
  const fmtBytes = (n) => fmtUnit(n, ["B", "KB", "MB", "GB", "TB", "PB"], 1000);
  const fmtBps = (n) => fmtUnit(n, ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"], 1000);
  const fmtPps = (n) => fmtUnit(n, ["pkt/s", "kpkt/s", "Mpkt/s"], 1000);
  function fmtTime(secs) {
    if (!secs) return "–";
    return new Date(secs * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  }
  function fmtDuration(s) {
    s = Math.round(s || 0);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  }
  // ---- charts ---------------------------------------------------------------------
  // Every chart spans the interface's packet-time range (first packet to the clock:
  // replay time, not wall time), picks its step from that range, and labels each axis
  // once: the unit in the axis title, plain scaled numbers on the ticks.
  async function timeRange() {
    const i = await api("/api/v1/interfaces/" + IFID);
    const to = Math.ceil((i.clock_us || 0) / 1e6);
    const from = Math.floor((i.first_packet_us || i.clock_us || 0) / 1e6);
    return { from: Math.min(from, to), to: to, finished: !!i.capture_finished };
  }
  // The step (seconds) giving at most `points` points over `range`; the store answers
  // at its own resolution when that is coarser.
  const STEPS = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400];
  function pickStep(range, points) {
    const span = Math.max(1, range.to - range.from);
    for (const s of STEPS) if (span / s <= points) return s;
    return 86400;
  }
  // 1234567 -> "1.23 M": the unit is the axis title's.
  function fmtSi(v) {
    if (v == null) return "";
    const units = ["", " k", " M", " G", " T", " P"];
    let i = 0;
    let n = Math.abs(v);
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    const x = v < 0 ? -n : n;
    return (i === 0 ? (Number.isInteger(x) ? x : x.toFixed(1)) : x.toFixed(n < 10 ? 2 : 1)) + units[i];
  }
  // uPlot options: a fixed x range, spaced ticks, the unit once on the y axis.
  function chartOpts(width, height, range, unit, series) {
    return {
      width: width, height: height,
      series: [{}].concat(series),
      axes: [
        { space: 90, values: (u, vals) => vals.map((v) => fmtAxisTime(v, range)) },
        { label: unit, size: 70, space: 40, values: (u, vals) => vals.map(fmtSi) },
      ],
      scales: { x: { time: true, range: () => [range.from, Math.max(range.to, range.from + 1)] } },
      legend: { show: true },
    };
  }
  // One tick label: time of day (UTC), with the date only when the range spans days.
  function fmtAxisTime(secs, range) {
    const iso = new Date(secs * 1000).toISOString();
    const long = range.to - range.from > 86400;
    return long ? iso.slice(5, 16).replace("T", " ") : iso.slice(11, range.to - range.from > 600 ? 16 : 19);
  }

  function hostLink(ip, port, vlan) {
    const a = el("a", { href: "/hosts/" + encodeURIComponent(ip) + (vlan ? "?vlan=" + vlan : ""), text: ip });
    if (port === undefined || port === 0) return a;
    const s = el("span", {}, a, ":" + port);
    return s;
  }
  function bar(share) {
    const s = el("span");
    s.style.width = Math.max(0, Math.min(100, share * 100)).toFixed(1) + "%";
    return el("div", { class: "bar", title: (share * 100).toFixed(1) + "%" }, s);
  }
  function setRows(table, rows, cols, emptyText) {
    const tb = table.tBodies[0];
    tb.replaceChildren(...rows);
    if (!rows.length) tb.append(el("tr", {}, el("td", { class: "empty", colspan: cols, text: emptyText || "Nothing to show." })));
  }
  function showError(id, err) {
    const p = document.getElementById(id);
    if (!p) return;
    if (err) { p.textContent = String(err.message || err); p.hidden = false; } else { p.hidden = true; }
  }
  const SEVERITIES = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
  const sevBadge = (name) => el("span", { class: "sev sev-" + name, text: name });

  async function updateClock() {
    const c = document.getElementById("clock");
    if (!c) return;
    try {
      const j = await api("/api/v1/interfaces/" + IFID);
      const t = j.clock_us ? fmtTime(Math.floor(j.clock_us / 1e6)) : "waiting for packets";
      c.textContent = t + (j.capture_finished ? " · replay finished" : "");
    } catch (e) { /* the page shows its own errors */ }
  }

  // A paginated, sortable, filterable table driven by query parameters.
  function listTable(opts) {
    const table = document.getElementById(opts.table);
    const pager = document.getElementById(opts.table + "-pager");
    const form = opts.form ? document.getElementById(opts.form) : null;
    const limit = opts.limit || 50;
    const urlParams = new URLSearchParams(location.search);
    let sort = urlParams.get("sort") || table.dataset.sort;
    let order = urlParams.get("order") || table.dataset.order || "desc";
    let offset = parseInt(urlParams.get("offset") || "0", 10) || 0;
    let total = 0;
    if (form) {
      for (const input of form.elements) {
        if (input.name && urlParams.has(input.name)) input.value = urlParams.get(input.name);
      }
      form.addEventListener("submit", (ev) => { ev.preventDefault(); offset = 0; load(); });
    }
    function params() {
      const p = new URLSearchParams();
      if (form) for (const input of form.elements) if (input.name && input.value !== "") p.set(input.name, input.value.trim());
      if (opts.fixed) for (const [k, v] of Object.entries(opts.fixed)) p.set(k, v);
      if (opts.perInterface) p.set("ifid", IFID);
      p.set("sort", sort); p.set("order", order); p.set("offset", offset); p.set("limit", limit);
      return p;
    }
    function markSort() {
      for (const th of table.tHead.querySelectorAll("th[data-sort]")) {
        th.classList.toggle("sorted-asc", th.dataset.sort === sort && order === "asc");
        th.classList.toggle("sorted-desc", th.dataset.sort === sort && order === "desc");
      }
    }
    for (const th of table.tHead.querySelectorAll("th[data-sort]")) {
      th.addEventListener("click", () => {
        if (sort === th.dataset.sort) order = order === "desc" ? "asc" : "desc";
        else { sort = th.dataset.sort; order = "desc"; }
        offset = 0; load();
      });
    }
    if (pager) {
      for (const b of pager.querySelectorAll("button")) {
        b.addEventListener("click", () => {
          const next = offset + parseInt(b.dataset.dir, 10) * limit;
          if (next < 0 || next >= total) return;
          offset = next; load();
        });
      }
    }
    async function load() {
      const p = params();
      const shown = new URLSearchParams(p);
      shown.delete("limit");
      history.replaceState(null, "", location.pathname + "?" + shown.toString());
      markSort();
      try {
        const j = await api(opts.url + "?" + p.toString());
        showError(opts.error, null);
        total = j.total;
        setRows(table, j.data.map(opts.row), table.tHead.rows[0].cells.length, opts.empty);
        table.dataset.total = String(j.total);
        if (pager) {
          const [prev, next] = pager.querySelectorAll("button");
          prev.disabled = offset === 0;
          next.disabled = offset + limit >= total;
          pager.querySelector(".range").textContent = total
            ? (offset + 1) + "–" + Math.min(offset + limit, total) + " of " + fmtNum(total) + (j.truncated ? " (snapshot truncated)" : "")
            : "none";
        }
      } catch (e) {
        // No rows under an error: they would not be what the filters asked for.
        showError(opts.error, e);
        total = 0;
        setRows(table, [], table.tHead.rows[0].cells.length, "No rows: see the error above.");
        table.dataset.total = "0";
        if (pager) {
          for (const b of pager.querySelectorAll("button")) b.disabled = true;
          pager.querySelector(".range").textContent = "none";
        }
      }
    }
    load();
    return load;
  }

  // ---- pages ---------------------------------------------------------------------
  // The application label, marked when it is a guess (by port or address, not DPI),
  // followed by the flow's nDPI risks.
  function appCell(f) {
    const conf = f["proto.confidence"];
    const guess = conf && conf !== "DPI" && conf !== "Unknown";
    const risks = Object.keys(f.flow_risk || {});
    return el("span", {},
      el("span", { text: f["proto.ndpi"] || "" }),
      guess ? el("span", { class: "tag", title: conf, text: "guess" }) : null,
      ...risks.map((r) => el("span", { class: "tag risk", title: "nDPI risk " + f.flow_risk[r], text: r })));
  }

  function flowRow(f) {
    return el("tr", {},
      td(hostLink(f["cli.ip"], f["cli.port"])),
      td(hostLink(f["srv.ip"], f["srv.port"])),
      td(f["proto.l4"]),
      td(appCell(f)),
      num(fmtBytes(f.bytes)),
      num(fmtNum(f.packets)),
      num(fmtDuration(f.duration)),
      num(f.score ? f.score.flow_score : 0),
      td(fmtTime(f["seen.last"])));
  }

  function flowsPage() {
    listTable({ table: "flows", form: "flow-filters", url: "/api/v1/flows", row: flowRow, error: "flows-error", empty: "No active flow matches.", perInterface: true });
  }

  function hostsPage() {
    listTable({
      table: "hosts", form: "host-filters", url: "/api/v1/hosts", empty: "No active host matches.", perInterface: true,
      row: (h) => el("tr", {},
        td(el("span", {}, hostLink(h.ip, 0, h.vlan), h.vlan ? el("span", { class: "tag", text: "vlan " + h.vlan }) : null)),
        td(el("span", { class: "tag" + (h.localhost ? " local" : ""), text: h.localhost ? "local" : "remote" })),
        num(fmtBytes(h["bytes.sent"])),
        num(fmtBytes(h["bytes.rcvd"])),
        num(h["active_flows.as_client"] + " / " + h["active_flows.as_server"]),
        num(fmtNum(h.contacted_peers) + " / " + fmtNum(h.contacted_by_peers)),
        num(h.score),
        td(fmtTime(h["seen.last"]))),
    });
  }

  async function hostPage() {
    const ip = body.dataset.ip;
    const q = encodeURIComponent(ip);
    const vlan = new URLSearchParams(location.search).get("vlan");
    const vq = "?ifid=" + IFID + (vlan && /^\d+$/.test(vlan) ? "&vlan=" + vlan : "");
    try {
      const h = await api("/api/v1/hosts/" + q + vq);
      const kv = [
        ["Address", ip + (h.vlan ? " (VLAN " + h.vlan + ")" : "")],
        ["Location", h.localhost ? "local" : "remote"],
        ["First seen", fmtTime(h["seen.first"])],
        ["Last seen", fmtTime(h["seen.last"])],
        ["Sent", fmtBytes(h["bytes.sent"]) + " · " + fmtNum(h["packets.sent"]) + " packets"],
        ["Received", fmtBytes(h["bytes.rcvd"]) + " · " + fmtNum(h["packets.rcvd"]) + " packets"],
        ["Active flows", h["active_flows.as_client"] + " as client, " + h["active_flows.as_server"] + " as server"],
        ["Total flows", h["flows.as_client"] + " as client, " + h["flows.as_server"] + " as server"],
        ["Peers", "~" + fmtNum(h.contacted_peers) + " as client, ~" + fmtNum(h.contacted_by_peers) + " as server"],
        ["Contacted ports", "~" + fmtNum(h.contacted_ports)],
        ["Score", h.score + " (network " + h["score.network"] + ", security " + h["score.security"] + ")" +
          (h["score.peak"] ? "; peak " + h["score.peak"] + " at " + fmtTime(h["score.peak_time"]) : "")],
      ];
      setRows(document.getElementById("host-summary"), kv.map(([k, v]) => el("tr", {}, td(k), td(v))), 2);
      const l7 = await api("/api/v1/hosts/" + q + "/l7" + vq);
      const sum = l7.data.reduce((a, r) => a + r.bytes, 0) || 1;
      setRows(document.getElementById("host-l7"), l7.data.map((r) => el("tr", {},
        td(r.proto), num(fmtBytes(r.bytes)), num(r.flows), td(bar(r.bytes / sum)))), 4);
      const peers = await api("/api/v1/hosts/" + q + "/peers?limit=20&ifid=" + IFID);
      setRows(document.getElementById("host-peers"), peers.data.map((r) => el("tr", {},
        td(hostLink(r.ip)), num(fmtBytes(r.bytes)), num(r.flows), num(r.flows_as_client))), 4, "No active peer.");
      const flows = await api("/api/v1/flows?host=" + q + "&limit=20&ifid=" + IFID);
      setRows(document.getElementById("host-flows"), flows.data.map((f) => el("tr", {},
        td(hostLink(f["cli.ip"], f["cli.port"])), td(hostLink(f["srv.ip"], f["srv.port"])),
        td(f["proto.l4"]), td(f["proto.ndpi"]), num(fmtBytes(f.bytes)), num(f.score ? f.score.flow_score : 0))), 6, "No active flow.");
    } catch (e) {
      showError("host-error", e);
    }
    // Stored for local hosts every 5 minutes, tagged ip (ip@vlan on a VLAN).
    const tagged = vlan && /^\d+$/.test(vlan) && vlan !== "0" ? ip + "@" + vlan : ip;
    tsChart("host:traffic", { "tag.ifid": IFID, "tag.host": tagged });
  }

  // A chart of a stored timeseries (bytes_sent + bytes_rcvd as bit/s) when the store
  // has the series; otherwise a note says why there is none.
  async function tsChart(schema, tags) {
    const chartEl = document.getElementById("ts-chart");
    const note = document.getElementById("ts-note");
    const panel = document.getElementById("ts-panel");
    if (!chartEl || typeof uPlot === "undefined") return;
    const p = new URLSearchParams(tags);
    p.set("schema", schema);
    let range, step;
    try { range = await timeRange(); } catch (e) { return; }
    if (range.to > range.from) {
      step = pickStep(range, 120);
      p.set("from", String(range.from - (range.from % 60)));
      p.set("to", String(range.to + 1));
      p.set("step", String(step));
    }
    let r;
    try { r = await api("/api/v1/timeseries/query?" + p.toString()); } catch (e) {
      if (note) note.textContent = "no stored series yet";
      return;
    }
    const series = r.data && r.data[0];
    if (!series || !series.points.length) { if (note) note.textContent = "no stored points yet"; return; }
    const sent = r.metrics.indexOf("bytes_sent"), rcvd = r.metrics.indexOf("bytes_rcvd");
    const xs = [], tx = [], rx = [];
    for (const pt of series.points) {
      xs.push(pt.ts);
      tx.push(sent >= 0 && pt.values[sent] != null ? pt.values[sent] * 8 : null);
      rx.push(rcvd >= 0 && pt.values[rcvd] != null ? pt.values[rcvd] * 8 : null);
    }
    if (panel) panel.hidden = false;
    if (note) note.textContent = schema + ", " + xs.length + " points of " + r.step_secs + " s, " + fmtTime(range.from) + " to " + fmtTime(range.to);
    chartEl.replaceChildren();
    chartEl.dataset.points = String(xs.length);
    chartEl.dataset.step = String(r.step_secs);
    chartEl.dataset.from = String(range.from);
    chartEl.dataset.to = String(range.to);
    const fmt = (u, v) => v == null ? "–" : fmtBps(v);
    new uPlot(chartOpts(Math.max(300, chartEl.clientWidth), 220, range, "bit/s", [
      { label: "Sent", stroke: "#1f6feb", width: 2, value: fmt, points: { show: xs.length < 3 } },
      { label: "Received", stroke: "#1a7f37", width: 2, value: fmt, points: { show: xs.length < 3 } },
    ]), [xs, tx, rx], chartEl);
  }

  // Local time (the browser's zone), with the UTC time as a tooltip.
  function fmtLocal(secs) {
    if (!secs) return "–";
    const d = new Date(secs * 1000);
    const p = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }
  function timeCell(secs) {
    const c = td(fmtLocal(secs));
    c.title = fmtTime(secs);
    return c;
  }

  function alertRow(a) {
    const flow = a.alert_entity_name === "flow" && a.cli_addr !== undefined;
    const entity = flow
      ? el("span", {}, hostLink(a.cli_addr, a.cli_port), " → ", hostLink(a.srv_addr, a.srv_port),
        a.l7_proto ? el("span", { class: "tag", text: a.l7_proto }) : null,
        a.info ? el("small", { class: "muted", text: " " + a.info }) : null)
      : el("span", {}, a.alert_entity_name + " ", el("strong", { text: a.alert_entity_val }));
    let msg = a.msg || "";
    if (a.count > 1) msg = msg + " (×" + a.count + ")";
    const tr = el("tr", { class: "clickable" + (a.acknowledged ? " acked" : ""), "data-id": a.rowid, title: "Show the details" },
      timeCell(a.alert_tstamp),
      td(sevBadge(a.alert_severity_name)),
      td(a.alert_name || String(a.alert_type)),
      td(entity),
      num(a.score),
      td(el("span", {}, msg, a.acknowledged ? el("span", { class: "tag", text: "ack" }) : null), "msg"));
    tr.addEventListener("click", (ev) => {
      if (ev.target.closest("a")) return;
      showAlert(a.rowid);
    });
    return tr;
  }

  // The detail view of one alert: every field laid out; the raw JSON on request.
  let reloadAlerts = null;
  let myRole = null;
  const FIELD_LABELS = [
    ["rowid", "Id"], ["alert_name", "Type"], ["alert_type", "Type key"], ["alert_subtype", "Subtype"],
    ["alert_severity_name", "Severity"], ["alert_entity_name", "Entity"], ["alert_entity_val", "Entity value"],
    ["alert_tstamp", "Time", "time"], ["alert_tstamp_end", "Released", "time"], ["last_seen", "Last seen", "time"],
    ["first_seen", "Flow first seen", "time"], ["alert_granularity", "Granularity (s)"], ["count", "Times triggered"],
    ["score", "Score"], ["cli_score", "Client score"], ["srv_score", "Server score"],
    ["cli_addr", "Client"], ["cli_port", "Client port"], ["srv_addr", "Server"], ["srv_port", "Server port"],
    ["vlan_id", "VLAN"], ["proto_name", "Protocol"], ["l7_proto", "Application"], ["info", "Info"],
    ["cli_country", "Client country"], ["srv_country", "Server country"], ["cli_asn", "Client ASN"], ["srv_asn", "Server ASN"],
    ["cli_blacklisted", "Client blacklisted"], ["srv_blacklisted", "Server blacklisted"],
    ["cli2srv_bytes", "Bytes client → server", "bytes"], ["srv2cli_bytes", "Bytes server → client", "bytes"],
    ["cli2srv_packets", "Packets client → server"], ["srv2cli_packets", "Packets server → client"],
    ["flow_status", "Flow status"], ["script_key", "Raised by script"], ["acknowledged", "Acknowledged"], ["ifid", "Interface"],
  ];
  // The params of alert_json as label/value pairs (nested objects flattened).
  function paramRows(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj || {})) {
      if (!prefix && (k === "alert_generation" || k === "ntopng.key" || k === "hash_entry_id")) continue;
      const key = prefix ? prefix + " " + k : k;
      if (v && typeof v === "object" && !Array.isArray(v)) paramRows(v, key, out);
      else if (v !== null && v !== "") out.push([key, Array.isArray(v) ? v.join(", ") : String(v)]);
    }
    return out;
  }
  async function showAlert(id) {
    const panel = document.getElementById("alert-detail");
    const kind = body.dataset.kind;
    let a;
    try {
      a = await api("/api/v1/alerts/" + kind + "/" + id);
    } catch (e) { showError("alerts-error", e); return; }
    showError("alert-detail-error", null);
    panel.dataset.id = String(id);
    document.getElementById("alert-detail-title").textContent = (a.alert_name || String(a.alert_type)) + " · " + a.alert_severity_name;
    document.getElementById("alert-detail-msg").textContent = a.msg || "(no message)";
    const dl = document.getElementById("alert-detail-fields");
    dl.replaceChildren();
    const add = (label, value) => { dl.append(el("dt", { text: label }), el("dd", { text: value })); };
    for (const [k, label, kind2] of FIELD_LABELS) {
      const v = a[k];
      if (v === undefined || v === null || v === "" || (v === 0 && k !== "score" && k !== "alert_type" && k !== "ifid")) continue;
      if (kind2 === "time") add(label, fmtLocal(v) + "  (" + fmtTime(v) + ")");
      else if (kind2 === "bytes") add(label, fmtBytes(v));
      else if (typeof v === "boolean") add(label, v ? "yes" : "no");
      else add(label, String(v));
    }
    let params = {};
    try { params = JSON.parse(a.alert_json || "{}"); } catch (e) { params = {}; }
    const gen = params.alert_generation;
    if (gen && gen.subdir) add("Script type", gen.subdir);
    for (const [k, v] of paramRows(params, "", [])) add(k, v);
    const raw = document.getElementById("alert-raw");
    raw.textContent = JSON.stringify(a, null, 2);
    raw.hidden = true;
    document.getElementById("alert-raw-toggle").textContent = "Show raw JSON";
    const admin = myRole === "admin";
    const ack = document.getElementById("alert-ack");
    ack.hidden = !admin;
    ack.textContent = a.acknowledged ? "Unacknowledge" : "Acknowledge";
    ack.dataset.acked = a.acknowledged ? "1" : "";
    document.getElementById("alert-delete").hidden = !admin || kind === "engaged";
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  }

  function rangePicker(form) {
    const sel = document.getElementById("alert-range");
    const from = document.getElementById("alert-from");
    const to = document.getElementById("alert-to");
    const since = form.elements.namedItem("since");
    const until = form.elements.namedItem("until");
    const custom = form.querySelectorAll(".range-custom");
    const toLocalInput = (secs) => {
      const d = new Date(secs * 1000 - new Date(secs * 1000).getTimezoneOffset() * 60000);
      return d.toISOString().slice(0, 19);
    };
    const fromLocalInput = (v) => (v ? Math.floor(new Date(v).getTime() / 1000) : "");
    const q = new URLSearchParams(location.search);
    if (q.get("since") || q.get("until")) {
      sel.value = "custom";
      if (q.get("since")) from.value = toLocalInput(parseInt(q.get("since"), 10));
      if (q.get("until")) to.value = toLocalInput(parseInt(q.get("until"), 10));
    }
    const showCustom = () => { for (const c of custom) c.hidden = sel.value !== "custom"; };
    showCustom();
    sel.addEventListener("change", showCustom);
    // Relative ranges end at the newest packet time (a replay's clock), else now.
    let clock = Math.floor(Date.now() / 1000);
    api("/api/v1/interfaces/" + IFID).then((j) => { if (j.clock_us) clock = Math.floor(j.clock_us / 1e6); }).catch(() => {});
    // Runs before the table's own submit handler: the hidden fields carry the range.
    form.addEventListener("submit", () => {
      if (sel.value === "custom") { since.value = fromLocalInput(from.value); until.value = fromLocalInput(to.value); }
      else if (sel.value) { since.value = String(clock - parseInt(sel.value, 10)); until.value = ""; }
      else { since.value = ""; until.value = ""; }
    });
  }

  function alertsPage() {
    const form = document.getElementById("alert-filters");
    rangePicker(form);
    reloadAlerts = listTable({
      table: "alerts", form: "alert-filters", url: "/api/v1/alerts", row: alertRow, error: "alerts-error",
      fixed: { kind: body.dataset.kind }, empty: "No alert matches.",
    });
    api("/api/v1/me").then((m) => { myRole = m.role; }).catch(() => {});
    api("/api/v1/alerts/counts?by=type&kind=" + body.dataset.kind).then((j) => {
      const dl = document.getElementById("alert-types");
      dl.replaceChildren(...j.data.map((r) => el("option", { value: r.name })));
    }).catch(() => {});
    const panel = document.getElementById("alert-detail");
    document.getElementById("alert-close").addEventListener("click", () => { panel.hidden = true; });
    document.getElementById("alert-raw-toggle").addEventListener("click", (ev) => {
      const raw = document.getElementById("alert-raw");
      raw.hidden = !raw.hidden;
      ev.target.textContent = raw.hidden ? "Show raw JSON" : "Hide raw JSON";
    });
    const act = async (method, suffix) => {
      const id = panel.dataset.id;
      try {
        await send(method, "/api/v1/alerts/" + body.dataset.kind + "/" + id + suffix);
        showError("alert-detail-error", null);
        if (method === "DELETE") panel.hidden = true; else await showAlert(id);
        if (reloadAlerts) reloadAlerts();
      } catch (e) { showError("alert-detail-error", e); }
    };
    document.getElementById("alert-ack").addEventListener("click", (ev) => {
      act("POST", ev.target.dataset.acked ? "/unack" : "/ack");
    });
    document.getElementById("alert-delete").addEventListener("click", () => {
      if (confirm("Delete this alert?")) act("DELETE", "");
    });
  }

  async function adminPage() {
    const users = document.getElementById("users");
    const tokens = document.getElementById("tokens");
    const tokenUser = document.getElementById("token-user");
    const secret = document.getElementById("new-token");
    const me = await api("/api/v1/me").catch(() => ({}));
    async function act(fn) {
      try { await fn(); showError("admin-error", null); } catch (e) { showError("admin-error", e); }
      await load();
    }
    function removeButton(label, onClick) {
      const b = el("button", { type: "button", class: "small", text: label });
      b.addEventListener("click", onClick);
      return b;
    }
    async function load() {
      const u = await api("/api/v1/users");
      setRows(users, u.data.map((x) => el("tr", { "data-user": x.name },
        td(x.name), td(x.role === "viewer" ? "viewer (read-only)" : x.role),
        td(x.name === me.user ? "you" : removeButton("Remove", () => {
          if (confirm("Remove user " + x.name + " and their tokens?")) act(() => send("DELETE", "/api/v1/users/" + encodeURIComponent(x.name)));
        })))), 3);
      tokenUser.replaceChildren(...u.data.map((x) => el("option", { value: x.name, text: x.name })));
      const t = await api("/api/v1/tokens");
      setRows(tokens, t.data.map((x) => el("tr", { "data-token": x.name },
        td(x.name), td(x.user), td(fmtTime(x.created)),
        td(removeButton("Revoke", () => act(() => send("DELETE", "/api/v1/tokens/" + encodeURIComponent(x.id))))))), 4, "No tokens.");
    }
    document.getElementById("user-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = ev.target;
      act(async () => {
        await send("POST", "/api/v1/users", { name: f.elements.name.value.trim(), password: f.elements.password.value, role: f.elements.role.value });
        f.reset();
      });
    });
    document.getElementById("token-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = ev.target;
      act(async () => {
        const j = await send("POST", "/api/v1/tokens", { name: f.elements.name.value.trim(), user: f.elements.user.value });
        secret.replaceChildren("Token ", el("strong", { text: j.name }), " for " + j.user + " (copy it now, it is not shown again): ",
          el("code", { id: "new-token-secret", text: j.token }));
        secret.hidden = false;
        f.elements.name.value = "";
      });
    });
    await load().catch((e) => showError("admin-error", e));
  }

  async function dashboard() {
    const cards = document.getElementById("cards");
    const chartEl = document.getElementById("chart");
    let plot = null;
    const xs = [], ys = [];
    let since = 0;
    function card(label, value, id) {
      return el("div", { class: "card", id: id }, el("div", { class: "label", text: label }), el("div", { class: "value", text: value }));
    }
    let range = { from: 0, to: 1 };
    let stored = false;
    function drawChart(cx, cy) {
      if (typeof uPlot === "undefined") return;
      const width = Math.max(300, chartEl.clientWidth);
      if (plot) plot.destroy();
      chartEl.replaceChildren();
      chartEl.dataset.points = String(cx.length);
      chartEl.dataset.from = String(range.from);
      chartEl.dataset.to = String(range.to);
      plot = new uPlot(chartOpts(width, 240, range, "bit/s", [
        { label: "Throughput", stroke: "#1f6feb", fill: "rgba(31,111,235,0.12)", width: 2, value: (u, v) => v == null ? "–" : fmtBps(v), points: { show: cx.length < 3 } },
      ]), [cx, cy], chartEl);
    }
    window.addEventListener("resize", () => { if (plot) plot.setSize({ width: Math.max(300, chartEl.clientWidth), height: 240 }); });
    // A finished replay is drawn from the stored interface series at a step picked
    // from its time range (the live samples are taken in wall time, a handful for a
    // fast replay); while packets arrive, from the live samples.
    async function storedThroughput() {
      const step = pickStep(range, 240);
      const p = new URLSearchParams({ schema: "iface:traffic_rxtx", "tag.ifid": IFID, from: String(range.from - (range.from % 60)), to: String(range.to + 1), step: String(step) });
      const r = await api("/api/v1/timeseries/query?" + p.toString());
      const series = r.data && r.data[0];
      if (!series || series.points.length < 2) return false;
      const sent = r.metrics.indexOf("bytes_sent"), rcvd = r.metrics.indexOf("bytes_rcvd");
      const cx = [], cy = [];
      for (const pt of series.points) {
        const a = pt.values[sent], b = pt.values[rcvd];
        cx.push(pt.ts);
        cy.push(a == null && b == null ? null : ((a || 0) + (b || 0)) * 8);
      }
      drawChart(cx, cy);
      chartEl.dataset.step = String(r.step_secs);
      document.getElementById("chart-note").textContent = "packet time, " + cx.length + " points of " + r.step_secs + " s (stored series), " + fmtTime(range.from) + " to " + fmtTime(range.to);
      return true;
    }
    async function refresh() {
      try {
        const i = await api("/api/v1/interfaces/" + IFID);
        const tp = await api("/api/v1/interfaces/" + IFID + "/throughput" + (since ? "?since=" + since : ""));
        for (const s of tp.data) { xs.push(s.time); ys.push(s.bps); since = s.time; }
        while (xs.length > 3600) { xs.shift(); ys.shift(); }
        const last = tp.data.length ? tp.data[tp.data.length - 1] : null;
        const bps = ys.length ? ys[ys.length - 1] : i.throughput_bps;
        cards.replaceChildren(
          card("Throughput", fmtBps(bps), "card-throughput"),
          card("Packets", fmtNum(i.packets), "card-packets"),
          card("Traffic", fmtBytes(i.bytes), "card-bytes"),
          card("Active flows", fmtNum(i.flows_active), "card-flows"),
          // After a replay: every host of the run, as the run summary counts them.
          card(i.capture_finished ? "Hosts in the run" : "Active hosts", fmtNum(i.hosts_active), "card-hosts"),
          card("Packet rate", fmtPps(last ? last.pps : i.throughput_pps), "card-pps"));
        if (!stored) {
          try { range = await timeRange(); } catch (e) { /* next refresh */ }
          if (range.finished) {
            try { stored = await storedThroughput(); } catch (e) { stored = false; }
          }
          if (!stored) {
            document.getElementById("chart-note").textContent = xs.length ? "packet time, " + xs.length + " samples, " + fmtTime(range.from) + " to " + fmtTime(range.to) : "waiting for samples";
            drawChart(xs, ys);
          }
        }
        const hosts = await api("/api/v1/hosts?sort=bytes&limit=10&ifid=" + IFID);
        setRows(document.getElementById("top-hosts"), hosts.data.map((h) => el("tr", {},
          td(hostLink(h.ip, 0, h.vlan)), num(fmtBytes(h["bytes.sent"])), num(fmtBytes(h["bytes.rcvd"])), num(h.score))), 4, "No host yet.");
        const l7 = await api("/api/v1/interfaces/" + IFID + "/l7?limit=10");
        const total = i.bytes || 1;
        setRows(document.getElementById("top-protocols"), l7.data.map((r) => el("tr", {},
          td(el("a", { href: "/flows?l7=" + encodeURIComponent(r.proto), text: r.proto })),
          num(fmtBytes(r.bytes)), num(fmtNum(r.flows)), td(bar(r.bytes / total)))), 4, "No traffic yet.");
      } catch (e) { /* retried at the next refresh */ }
    }
    async function refreshAlerts() {
      const counts = {};
      for (const kind of ["engaged", "past", "flow"]) {
        try {
          const j = await api("/api/v1/alerts/counts?by=severity&kind=" + kind);
          for (const r of j.data) { (counts[r.name] = counts[r.name] || {})[kind] = r.count; }
        } catch (e) { /* store unavailable: shown as no alerts */ }
      }
      const rows = SEVERITIES.slice().reverse().filter((s) => counts[s]).map((s) => el("tr", { "data-severity": s },
        td(sevBadge(s)),
        ...["engaged", "past", "flow"].map((k) => num(el("a", { href: "/alerts/" + k + "?severity=" + s, text: fmtNum(counts[s][k] || 0) })))));
      setRows(document.getElementById("alert-counts"), rows, 4, "No alerts.");
    }
    await refresh();
    await refreshAlerts();
    tsChart("iface:traffic_rxtx", { "tag.ifid": IFID });
    setInterval(refresh, 2000);
    setInterval(refreshAlerts, 10000);
    setInterval(() => tsChart("iface:traffic_rxtx", { "tag.ifid": IFID }), 60000);
  }

  // ---- user scripts ---------------------------------------------------------------
  const SUBDIR_TITLES = { flow: "Flow scripts", host: "Host scripts", interface: "Interface scripts", network: "Network scripts", system: "System scripts", syslog: "Syslog scripts", snmp_device: "SNMP device scripts" };

  function confText(conf) {
    if (!conf || typeof conf !== "object") return "";
    const keys = Object.keys(conf);
    if (!keys.length) return "–";
    if (conf.threshold !== undefined && keys.length <= 2) return (conf.operator === "lt" ? "< " : "> ") + conf.threshold;
    return keys.map((k) => k + " = " + (Array.isArray(conf[k]) ? conf[k].join(", ") : JSON.stringify(conf[k]))).join("; ");
  }

  // The inputs of a script's configuration form, from its gui model.
  function confInputs(s, conf) {
    const g = s.gui || {};
    const unit = g.unit ? String(g.unit).split(".").pop() : "";
    const number = (name, label, value, min, max, step) => el("label", {}, label,
      el("input", { type: "number", name: name, value: value === undefined ? "" : value, min: min, max: max, step: step || "any", "data-kind": "number" }),
      unit && name === "threshold" ? el("span", { class: "unit", text: unit }) : null);
    const items = (value) => el("label", { class: "wide" }, g.input_title || "Items (comma-separated)",
      el("input", { name: "items", value: Array.isArray(value) ? value.join(", ") : (typeof value === "string" ? value : ""), "data-kind": "list", placeholder: g.item_list_type === "country" ? "e.g. IT, DE" : "" }));
    switch (s.input_builder) {
      case "threshold_cross": {
        const op = el("select", { name: "operator", "data-kind": "text" }, el("option", { value: "gt", text: ">" }), el("option", { value: "lt", text: "<" }));
        op.value = conf.operator || g.field_operator || "gt";
        if (g.field_operator) op.disabled = true;
        const range = (g.field_min !== undefined || g.field_max !== undefined)
          ? el("span", { class: "muted", text: (g.field_min !== undefined ? g.field_min : "") + "–" + (g.field_max !== undefined ? g.field_max : "") + (unit ? " " + unit : "") }) : null;
        return [el("label", {}, "Operator", op), number("threshold", "Threshold", conf.threshold, g.field_min, g.field_max, g.field_step), range];
      }
      case "items_list": case "multi_select": return [items(conf.items)];
      case "long_lived": return [number("min_duration", "Min duration (s)", conf.min_duration, 0), items(conf.items)];
      case "elephant_flows": return [number("l2r_bytes_value", "Local → remote bytes", conf.l2r_bytes_value, 0), number("r2l_bytes_value", "Remote → local bytes", conf.r2l_bytes_value, 0), items(conf.items)];
      default:
        // Free-form configuration: one input per field the script's defaults have.
        return Object.keys(conf).filter((k) => conf[k] === null || typeof conf[k] !== "object" || Array.isArray(conf[k])).map((k) =>
          typeof conf[k] === "number" ? number(k, k, conf[k])
            : Array.isArray(conf[k]) ? el("label", { class: "wide" }, k, el("input", { name: k, value: conf[k].join(", "), "data-kind": "list" }))
            : typeof conf[k] === "boolean" ? el("label", {}, k, el("select", { name: k, "data-kind": "bool" }, el("option", { value: "true", text: "true", selected: conf[k] ? "" : null }), el("option", { value: "false", text: "false", selected: conf[k] ? null : "" })))
            : el("label", {}, k, el("input", { name: k, value: conf[k] === null ? "" : String(conf[k]), "data-kind": "text" })));
    }
  }

  // Nanoseconds as ns, µs, ms or s.
  function fmtNs(ns) {
    if (ns == null) return "–";
    if (ns < 1e3) return ns + " ns";
    if (ns < 1e6) return (ns / 1e3).toFixed(1) + " µs";
    if (ns < 1e9) return (ns / 1e6).toFixed(1) + " ms";
    return (ns / 1e9).toFixed(2) + " s";
  }

  // The cost columns of the user scripts tables: (sort key, title, help).
  const COST_COLUMNS = [
    ["calls", "Calls", "Hook calls so far"],
    ["time_ns", "Total time", "Wall time in the script's hooks"],
    ["mean_ns", "Mean", "Mean time per call"],
    ["max_ns", "Slowest", "The slowest call"],
    ["alloc_bytes", "Memory", "Memory its calls left allocated in the Lua VM (growth across each call, summed)"],
  ];

  function scriptsPage() {
    let cost = {};
    // Click a cost header: rows by that figure, largest first (again: smallest first).
    function sortableCost(table, scripts) {
      for (const th of table.tHead.querySelectorAll("th[data-sort]")) {
        th.addEventListener("click", () => {
          const k = th.dataset.sort;
          const desc = !th.classList.contains("sorted-desc");
          for (const o of table.tHead.querySelectorAll("th[data-sort]")) o.classList.remove("sorted-asc", "sorted-desc");
          th.classList.add(desc ? "sorted-desc" : "sorted-asc");
          const val = (tr) => { const c = cost[tr.dataset.script]; return c ? Number(c[k]) : -1; };
          const rows = [...table.tBodies[0].rows].sort((a, b) => desc ? val(b) - val(a) : val(a) - val(b));
          table.tBodies[0].append(...rows);
        });
      }
    }
    const groups = document.getElementById("script-groups");
    const form = document.getElementById("script-filters");
    const admin = body.dataset.role === "admin";
    const params = new URLSearchParams(location.search);
    for (const input of form.elements) if (input.name && params.has(input.name)) input.value = params.get(input.name);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });

    function scriptRow(s) {
      const id = s.subdir + "-" + s.key;
      const hooks = s.hooks && s.hooks.length ? s.hooks : ["all"];
      let hook = hooks.includes("min") ? "min" : hooks[0];
      const conf = (s.conf && s.conf[hook]) || {};
      const toggle = el("input", { type: "checkbox", class: "toggle", id: "enable-" + id, "data-script": s.subdir + "/" + s.key, "aria-label": "enabled" });
      toggle.checked = !!s.enabled;
      toggle.disabled = !admin;
      const err = el("p", { class: "error", id: "script-error-" + id, role: "alert", hidden: "" });
      const msg = el("span", { class: "muted saved", id: "script-saved-" + id });
      toggle.addEventListener("change", async () => {
        try {
          const r = await send("POST", "/api/v1/scripts/" + encodeURIComponent(s.subdir) + "/" + encodeURIComponent(s.key) + (toggle.checked ? "/enable" : "/disable"));
          toggle.checked = !!r.enabled;
          row.classList.toggle("disabled", !r.enabled);
          showError(err.id, null);
          msg.textContent = (r.enabled ? "enabled" : "disabled") + ", applies " + r.applies;
        } catch (e) { toggle.checked = !toggle.checked; showError(err.id, e); }
      });
      const inputs = confInputs(s, conf);
      let cfgForm = null;
      if (inputs.length) {
        // novalidate: weir validates against the model and names the field in its answer.
        cfgForm = el("form", { class: "script-conf", id: "conf-" + id, novalidate: "" }, ...inputs);
        if (hooks.length > 1) {
          // One configuration per hook (granularity): pick which one the form edits.
          const pick = el("select", { name: "hook", class: "hook", "data-kind": "hook" }, ...hooks.map((h) => el("option", { value: h, text: h })));
          pick.value = hook;
          pick.addEventListener("change", () => {
            hook = pick.value;
            const c = (s.conf && s.conf[hook]) || {};
            for (const i of cfgForm.querySelectorAll("input, select")) {
              if (i === pick || !i.name || c[i.name] === undefined) continue;
              i.value = Array.isArray(c[i.name]) ? c[i.name].join(", ") : c[i.name];
            }
          });
          cfgForm.prepend(el("label", {}, "Hook", pick));
        }
        if (s.subdir === "host" || s.subdir === "network") {
          // Per-entity override: only for this host or network (empty: the script).
          const entity = el("input", { name: "entity", "data-kind": "entity", placeholder: "all", maxlength: "64", class: "entity" });
          const save = cfgForm.querySelector("button");
          const label = el("label", {}, "For host/network", entity);
          if (save) save.before(label); else cfgForm.append(label);
        }
        if (admin) cfgForm.append(el("button", { type: "submit", text: "Save" }));
        else for (const i of cfgForm.querySelectorAll("input, select")) i.disabled = true;
        cfgForm.addEventListener("submit", async (ev) => {
          ev.preventDefault();
          const c = {};
          for (const i of cfgForm.querySelectorAll("input, select")) {
            if (!i.name || i.disabled || i.dataset.kind === "hook" || i.dataset.kind === "entity") continue;
            const v = i.value.trim();
            if (i.dataset.kind === "number") c[i.name] = v === "" ? null : Number(v);
            else if (i.dataset.kind === "list") c[i.name] = v === "" ? [] : v.split(",").map((x) => x.trim()).filter((x) => x);
            else if (i.dataset.kind === "bool") c[i.name] = v === "true";
            else c[i.name] = v;
          }
          try {
            const r = await send("PUT", "/api/v1/scripts/" + encodeURIComponent(s.subdir) + "/" + encodeURIComponent(s.key) + "/config", {
              conf: c, hook: hooks.length > 1 ? hook : undefined,
              entity: cfgForm.elements.entity && cfgForm.elements.entity.value.trim() ? cfgForm.elements.entity.value.trim() : undefined,
            });
            showError(err.id, null);
            s.conf = r.conf;
            const ent = cfgForm.elements.entity ? cfgForm.elements.entity.value.trim() : "";
            msg.textContent = ent
              ? "saved for " + ent + " (overrides: " + Object.keys(r.entity_overrides || {}).join(", ") + ")"
              : "saved: " + Object.entries(r.conf).map(([h, v]) => h + ": " + confText(v)).join(", ");
            for (const i of cfgForm.querySelectorAll("input")) i.classList.remove("invalid");
          } catch (e) {
            showError(err.id, e);
            msg.textContent = "";
          }
        });
      }
      const current = el("div", { class: "muted" }, Object.entries(s.conf || {}).map(([h, v]) => h + ": " + confText(v)).join(" · "));
      // What it cost so far on this interface (GET /api/v1/scripts/stats).
      const c = cost[s.id];
      const hookTitle = c && c.hooks ? c.hooks.map((h) => h.hook + ": " + fmtNum(h.calls) + " calls, " + fmtNs(h.time_ns) + ", mean " + fmtNs(h.mean_ns) + ", slowest " + fmtNs(h.max_ns)).join("\n") : "";
      const costCell = (text, cls) => { const cell = td(text, "cost " + cls); if (hookTitle) cell.title = hookTitle; return cell; };
      const costCells = c ? [
        costCell(fmtNum(c.calls), "calls"), costCell(fmtNs(c.time_ns), "time"), costCell(fmtNs(c.mean_ns), "mean"),
        costCell(fmtNs(c.max_ns), "max"), costCell(fmtBytes(c.alloc_bytes), "memory"),
      ] : ["calls", "time", "mean", "max", "memory"].map((k) => td("–", "cost " + k));
      if (c && c.disabled && c.reason) current.append(el("div", { class: "error", text: c.reason }));
      const overrides = Object.keys(s.entity_overrides || {});
      const row = el("tr", { "data-script": s.subdir + "/" + s.key, class: s.enabled ? "" : "disabled" },
        td(toggle),
        td(el("div", {}, el("strong", { text: s.title || s.key }), el("div", { class: "muted", text: s.id + " · " + s.plugin }),
          s.description ? el("div", { class: "desc", text: s.description }) : null,
          s.note ? el("div", { class: "muted", text: s.note }) : null), "script"),
        td(el("div", {}, cfgForm || el("span", { class: "muted", text: "no settings" }), current,
          overrides.length ? el("div", { class: "muted", text: "overrides: " + overrides.join(", ") }) : null, err, msg), "conf"),
        ...costCells);
      if (c) { row.dataset.time = c.time_ns; row.dataset.calls = c.calls; }
      return row;
    }

    async function load() {
      const p = new URLSearchParams();
      for (const input of form.elements) if (input.name && input.value !== "") p.set(input.name, input.value);
      history.replaceState(null, "", location.pathname + (p.toString() ? "?" + p.toString() : ""));
      p.set("limit", "1000");
      try {
        const j = await api("/api/v1/scripts?" + p.toString());
        showError("scripts-error", null);
        cost = {};
        try {
          const st = await api("/api/v1/scripts/stats?limit=1000&ifid=" + IFID);
          for (const c of st.data) cost[c.id] = c;
        } catch (e) { /* no engine yet: no cost columns */ }
        const by = {};
        for (const s of j.data) (by[s.subdir] = by[s.subdir] || []).push(s);
        const sections = Object.keys(SUBDIR_TITLES).filter((d) => by[d]).map((d) => {
          const t = el("table", { class: "data scripts sortable", id: "scripts-" + d },
            el("thead", {}, el("tr", {}, el("th", { text: "On" }), el("th", { text: "Script" }), el("th", { text: "Configuration" }),
              ...COST_COLUMNS.map(([k, title, help]) => el("th", { text: title, title: help, class: "cost", "data-sort": k })))),
            el("tbody", {}, ...by[d].map(scriptRow)));
          sortableCost(t, by[d]);
          return el("section", { class: "panel", id: "group-" + d }, el("h2", { text: SUBDIR_TITLES[d] + " (" + by[d].length + ")" }), t);
        });
        groups.replaceChildren(...(sections.length ? sections : [el("p", { class: "muted", text: "No user script matches." })]));
      } catch (e) { showError("scripts-error", e); }
    }
    load();
  }

  // ---- plugins --------------------------------------------------------------------
  function pluginsPage() {
    const reload = document.getElementById("plugins-reload");
    function render(j) {
      setRows(document.getElementById("plugin-problems"), j.problems.map((p) => el("tr", { class: "problem-" + p.level },
        td(sevBadge(p.level === "error" ? "error" : "warning")), td(el("code", { text: p.location })), td(p.message, "details"))), 3, "No load problems.");
      document.getElementById("problems-note").textContent = j.errors + " errors, " + j.problems.length + " problems; loaded " + fmtTime(j.loaded_at);
      setRows(document.getElementById("plugins"), j.data.map((p) => el("tr", { "data-plugin": p.key },
        td(el("div", {}, el("strong", { text: p.title || p.key }), el("div", { class: "muted", text: p.key + (p.description ? " · " + p.description : "") }))),
        td(el("div", {}, ...p.scripts.map((s) => el("div", { class: s.active ? "" : "muted", text: s.subdir + "/" + s.key + (s.active ? "" : " (inactive" + (s.inactive_reason ? ": " + s.inactive_reason : "") + ")") })))),
        td(el("div", {}, ...p.alert_definitions.concat(p.status_definitions).map((d) => el("div", { text: d })))),
        td(el("code", { text: p.dir })))), 4, "No plugins.");
    }
    async function load() {
      try { render(await api("/api/v1/plugins?limit=1000")); showError("plugins-error", null); } catch (e) { showError("plugins-error", e); }
    }
    if (reload) reload.addEventListener("click", async () => {
      reload.disabled = true;
      try {
        const j = await send("POST", "/api/v1/plugins/reload");
        render(j);
        document.getElementById("plugins-reloaded").textContent = "reloaded: " + j.data.length + " plugins, " + j.active_scripts + " active scripts";
        showError("plugins-error", null);
      } catch (e) { showError("plugins-error", e); }
      reload.disabled = false;
    });
    load();
  }

  // Several interfaces: a selector in the header instead of the name.
  async function interfaceSelector() {
    const span = document.querySelector(".top .iface");
    if (!span) return;
    try {
      const j = await api("/api/v1/interfaces");
      if (!j.data.some((i) => String(i.ifid) === IFID)) {
        // A choice remembered from another run: back to the first interface.
        try { localStorage.removeItem("weir-ifid"); } catch (e) { /* private mode */ }
        const p = new URLSearchParams(location.search);
        if (j.data.length && (p.has("ifid") || IFID !== "0")) { p.delete("ifid"); location.search = p.toString(); }
        return;
      }
      if (j.data.length < 2) return;
      const sel = el("select", { id: "iface-select", class: "iface", "aria-label": "interface" },
        ...j.data.map((i) => el("option", { value: String(i.ifid), text: i.ifid + ": " + i.name })));
      sel.value = IFID;
      sel.addEventListener("change", () => {
        try { localStorage.setItem("weir-ifid", sel.value); } catch (e) { /* private mode */ }
        const p = new URLSearchParams(location.search);
        p.set("ifid", sel.value);
        p.delete("offset");
        location.search = p.toString();
      });
      span.replaceWith(sel);
    } catch (e) { /* keep the name */ }
  }

  updateClock();
  setInterval(updateClock, 5000);
  interfaceSelector();
  if (page === "dashboard") dashboard();
  else if (page === "flows") flowsPage();
  else if (page === "hosts" && body.dataset.ip) hostPage();
  else if (page === "hosts") hostsPage();
  else if (page.startsWith("alerts-")) alertsPage();
  else if (page === "admin-users") adminPage();
  else if (page === "scripts") scriptsPage();
  else if (page === "plugins-status") pluginsPage();
})();
