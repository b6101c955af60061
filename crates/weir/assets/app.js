// weir web UI: fills the server-rendered pages from the REST API (/api/v1).
// Plain browser JavaScript, no build step. Data is inserted with textContent only.
"use strict";
(function () {
  const body = document.body;
  const page = body.dataset.page || "";

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
      const j = await api("/api/v1/interfaces/0");
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
        showError(opts.error, e);
      }
    }
    load();
    return load;
  }

  // ---- pages ---------------------------------------------------------------------
  function flowRow(f) {
    return el("tr", {},
      td(hostLink(f["cli.ip"], f["cli.port"])),
      td(hostLink(f["srv.ip"], f["srv.port"])),
      td(f["proto.l4"]),
      td(f["proto.ndpi"]),
      num(fmtBytes(f.bytes)),
      num(fmtNum(f.packets)),
      num(fmtDuration(f.duration)),
      num(f.score ? f.score.flow_score : 0),
      td(fmtTime(f["seen.last"])));
  }

  function flowsPage() {
    listTable({ table: "flows", form: "flow-filters", url: "/api/v1/flows", row: flowRow, error: "flows-error", empty: "No active flow matches." });
  }

  function hostsPage() {
    listTable({
      table: "hosts", form: "host-filters", url: "/api/v1/hosts", empty: "No active host matches.",
      row: (h) => el("tr", {},
        td(el("span", {}, hostLink(h.ip, 0, h.vlan), h.vlan ? el("span", { class: "tag", text: "vlan " + h.vlan }) : null)),
        td(el("span", { class: "tag" + (h.localhost ? " local" : ""), text: h.localhost ? "local" : "remote" })),
        num(fmtBytes(h["bytes.sent"])),
        num(fmtBytes(h["bytes.rcvd"])),
        num(h["active_flows.as_client"] + " / " + h["active_flows.as_server"]),
        num(fmtNum(h.contacted_peers)),
        num(h.score),
        td(fmtTime(h["seen.last"]))),
    });
  }

  async function hostPage() {
    const ip = body.dataset.ip;
    const q = encodeURIComponent(ip);
    const vlan = new URLSearchParams(location.search).get("vlan");
    const vq = vlan && /^\d+$/.test(vlan) ? "?vlan=" + vlan : "";
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
        ["Contacted peers", "~" + fmtNum(h.contacted_peers)],
        ["Contacted ports", "~" + fmtNum(h.contacted_ports)],
        ["Score", h.score + " (network " + h["score.network"] + ", security " + h["score.security"] + ")"],
      ];
      setRows(document.getElementById("host-summary"), kv.map(([k, v]) => el("tr", {}, td(k), td(v))), 2);
      const l7 = await api("/api/v1/hosts/" + q + "/l7" + vq);
      const sum = l7.data.reduce((a, r) => a + r.bytes, 0) || 1;
      setRows(document.getElementById("host-l7"), l7.data.map((r) => el("tr", {},
        td(r.proto), num(fmtBytes(r.bytes)), num(r.flows), td(bar(r.bytes / sum)))), 4);
      const peers = await api("/api/v1/hosts/" + q + "/peers?limit=20");
      setRows(document.getElementById("host-peers"), peers.data.map((r) => el("tr", {},
        td(hostLink(r.ip)), num(fmtBytes(r.bytes)), num(r.flows), num(r.flows_as_client))), 4, "No active peer.");
      const flows = await api("/api/v1/flows?host=" + q + "&limit=20");
      setRows(document.getElementById("host-flows"), flows.data.map((f) => el("tr", {},
        td(hostLink(f["cli.ip"], f["cli.port"])), td(hostLink(f["srv.ip"], f["srv.port"])),
        td(f["proto.l4"]), td(f["proto.ndpi"]), num(fmtBytes(f.bytes)), num(f.score ? f.score.flow_score : 0))), 6, "No active flow.");
    } catch (e) {
      showError("host-error", e);
    }
  }

  function alertRow(a) {
    const flow = a.alert_entity_name === "flow" && a.cli_addr !== undefined;
    const entity = flow
      ? el("span", {}, hostLink(a.cli_addr, a.cli_port), " → ", hostLink(a.srv_addr, a.srv_port),
        a.l7_proto ? el("span", { class: "tag", text: a.l7_proto }) : null)
      : el("span", {}, a.alert_entity_name + " ", el("strong", { text: a.alert_entity_val }));
    let details = a.alert_json && a.alert_json !== "{}" ? a.alert_json : "";
    if (flow && a.info) details = a.info + " " + details;
    if (a.count > 1) details = "×" + a.count + " " + details;
    return el("tr", {},
      td(fmtTime(a.alert_tstamp)),
      td(sevBadge(a.alert_severity_name)),
      td(a.alert_name || String(a.alert_type)),
      td(entity),
      num(a.score),
      td(details, "details"));
  }

  function alertsPage() {
    listTable({
      table: "alerts", form: "alert-filters", url: "/api/v1/alerts", row: alertRow, error: "alerts-error",
      fixed: { kind: body.dataset.kind }, empty: "No alert matches.",
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
    function drawChart() {
      if (typeof uPlot === "undefined") return;
      const width = Math.max(300, chartEl.clientWidth);
      if (!plot) {
        plot = new uPlot({
          width: width, height: 240,
          series: [{}, { label: "Throughput", stroke: "#1f6feb", fill: "rgba(31,111,235,0.12)", width: 2, value: (u, v) => v == null ? "–" : fmtBps(v) }],
          axes: [{}, { values: (u, vals) => vals.map(fmtBps), size: 90 }],
          scales: { x: { time: true } },
          legend: { show: true },
        }, [xs, ys], chartEl);
        window.addEventListener("resize", () => plot.setSize({ width: Math.max(300, chartEl.clientWidth), height: 240 }));
      } else {
        plot.setData([xs, ys]);
      }
    }
    async function refresh() {
      try {
        const i = await api("/api/v1/interfaces/0");
        const tp = await api("/api/v1/interfaces/0/throughput" + (since ? "?since=" + since : ""));
        for (const s of tp.data) { xs.push(s.time); ys.push(s.bps); since = s.time; }
        while (xs.length > 3600) { xs.shift(); ys.shift(); }
        const last = tp.data.length ? tp.data[tp.data.length - 1] : null;
        const bps = ys.length ? ys[ys.length - 1] : i.throughput_bps;
        cards.replaceChildren(
          card("Throughput", fmtBps(bps), "card-throughput"),
          card("Packets", fmtNum(i.packets), "card-packets"),
          card("Traffic", fmtBytes(i.bytes), "card-bytes"),
          card("Active flows", fmtNum(i.flows_active), "card-flows"),
          card("Active hosts", fmtNum(i.hosts_active), "card-hosts"),
          card("Packet rate", fmtPps(last ? last.pps : i.throughput_pps), "card-pps"));
        document.getElementById("chart-note").textContent = xs.length ? "packet time, " + xs.length + " samples" : "waiting for samples";
        drawChart();
        const hosts = await api("/api/v1/hosts?sort=bytes&limit=10");
        setRows(document.getElementById("top-hosts"), hosts.data.map((h) => el("tr", {},
          td(hostLink(h.ip, 0, h.vlan)), num(fmtBytes(h["bytes.sent"])), num(fmtBytes(h["bytes.rcvd"])), num(h.score))), 4, "No host yet.");
        const l7 = await api("/api/v1/interfaces/0/l7?limit=10");
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
    setInterval(refresh, 2000);
    setInterval(refreshAlerts, 10000);
  }

  updateClock();
  setInterval(updateClock, 5000);
  if (page === "dashboard") dashboard();
  else if (page === "flows") flowsPage();
  else if (page === "hosts" && body.dataset.ip) hostPage();
  else if (page === "hosts") hostsPage();
  else if (page.startsWith("alerts-")) alertsPage();
  else if (page === "admin-users") adminPage();
})();
