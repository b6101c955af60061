// weir web UI: the Historical flows page (/flows/history), filled from
// /api/v1/flows/history, /top and /probes. Plain browser JavaScript; data is inserted
// with textContent only.
"use strict";
(function () {
  const form = document.getElementById("history-filters");
  if (!form) return;
  const errBox = document.getElementById("history-error");
  const source = document.getElementById("history-source");
  const LIMIT = 50;
  let offset = 0;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
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
  const fmtNum = (n) => (n || 0).toLocaleString("en-US");
  function fmtBytes(n) {
    const u = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    n = n || 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  }
  function fmtTime(us) {
    return new Date(us / 1000).toISOString().replace("T", " ").slice(0, 19);
  }
  const l4 = (p) => ({ 1: "ICMP", 6: "TCP", 17: "UDP", 58: "IPv6-ICMP" }[p] || String(p));
  const ep = (ip, port) => (ip.indexOf(":") >= 0 ? "[" + ip + "]" : ip) + (port ? ":" + port : "");

  function filters() {
    const p = new URLSearchParams();
    for (const k of ["since", "until", "host", "l7", "probe"]) {
      const v = (form.elements[k].value || "").trim();
      if (v) p.set(k, v);
    }
    return p;
  }
  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
    if (!rows.length) {
      const tr = el("tr");
      const td = el("td", "No flows in this range.", "empty");
      td.colSpan = tbody.parentElement.querySelectorAll("th").length;
      tr.append(td);
      tbody.append(tr);
    }
  }
  function topRows(data, link) {
    return data.map((t) => {
      const tr = el("tr");
      const k = el("td");
      const a = el("a", t.key);
      a.href = "#";
      a.addEventListener("click", (ev) => { ev.preventDefault(); link(t.key); });
      k.append(a);
      tr.append(k, el("td", fmtNum(t.flows), "num"), el("td", fmtBytes(t.bytes), "num"));
      return tr;
    });
  }
  async function load() {
    errBox.hidden = true;
    const p = filters();
    try {
      const fp = new URLSearchParams(p);
      fp.set("offset", offset);
      fp.set("limit", LIMIT);
      const th = new URLSearchParams(p); th.set("by", "host"); th.set("n", 10);
      const tl = new URLSearchParams(p); tl.set("by", "l7"); tl.set("n", 10);
      const [flows, hosts, l7] = await Promise.all([
        api("/api/v1/flows/history?" + fp), api("/api/v1/flows/history/top?" + th), api("/api/v1/flows/history/top?" + tl),
      ]);
      source.textContent = fmtNum(flows.total) + " flows, read from " + flows.source;
      fill(document.querySelector("#history-top-hosts tbody"),
        topRows(hosts.data, (k) => { form.elements.host.value = k; offset = 0; load(); }));
      fill(document.querySelector("#history-top-l7 tbody"),
        topRows(l7.data, (k) => { form.elements.l7.value = k; offset = 0; load(); }));
      fill(document.querySelector("#history-flows tbody"), flows.data.map((f) => {
        const tr = el("tr");
        tr.append(
          el("td", fmtTime(f.last_seen_us)), el("td", f.probe), el("td", ep(f.cli_ip, f.cli_port)),
          el("td", ep(f.srv_ip, f.srv_port)), el("td", l4(f.l4)), el("td", f.l7_proto),
          el("td", fmtBytes(f.cli2srv_bytes + f.srv2cli_bytes), "num"),
          el("td", fmtNum(f.cli2srv_packets + f.srv2cli_packets), "num"),
          el("td", ((f.last_seen_us - f.first_seen_us) / 1e6).toFixed(1) + " s", "num"),
          el("td", f.score, "num"), el("td", f.info));
        return tr;
      }));
      const pager = document.getElementById("history-pager");
      pager.querySelector(".range").textContent = flows.total
        ? (offset + 1) + "–" + (offset + flows.data.length) + " of " + fmtNum(flows.total) : "";
      pager.querySelector('[data-dir="-1"]').disabled = offset === 0;
      pager.querySelector('[data-dir="1"]').disabled = offset + flows.data.length >= flows.total;
      const q = filters();
      history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : ""));
    } catch (e) {
      errBox.textContent = e.message;
      errBox.hidden = false;
    }
  }
  async function probes() {
    try {
      const j = await api("/api/v1/flows/history/probes");
      const sel = document.getElementById("history-probe");
      const cur = sel.value;
      for (const p of j.data) {
        const o = el("option", p);
        o.value = p;
        sel.append(o);
      }
      sel.value = cur;
    } catch (e) { /* shown by load() */ }
  }
  // Filters from the address (a shared link).
  const init = new URLSearchParams(location.search);
  for (const k of ["since", "until", "host", "l7"]) if (init.has(k)) form.elements[k].value = init.get(k);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); offset = 0; load(); });
  document.getElementById("history-presets").addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    form.elements.since.value = b.dataset.since;
    form.elements.until.value = "";
    offset = 0;
    load();
  });
  document.getElementById("history-pager").addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    offset = Math.max(0, offset + Number(b.dataset.dir) * LIMIT);
    load();
  });
  probes().then(() => {
    if (init.has("probe")) form.elements.probe.value = init.get("probe");
    load();
  });
})();
