-- A custom page, served at /plugins/example_traffic.lua inside weir's page frame.
-- A page prints HTML. This one draws two bar charts as inline SVG (weir's pages
-- allow no inline scripts, and SVG needs none): the bytes per minute of the
-- example:traffic series the interface script writes, and the top protocols.
local page_utils = require("page_utils")
local ts_utils = require("ts_utils")

sendHTTPContentTypeHeader("text/html")
page_utils.set_active_menu_entry(page_utils.menu_entries.example_traffic)

local esc = page_utils.escape
local W, ROW = 720, 22 -- chart width, height of a horizontal bar

-- Vertical bars for `values` (numbers; NaN is a gap), with the largest labelled.
local function columns(values, unit)
   local H, max = 160, 0
   for _, v in ipairs(values) do
      if v == v and v > max then max = v end -- v == v is false for NaN
   end
   local out = { string.format('<svg width="%d" height="%d" role="img">', W, H + 20) }
   local bw = W / math.max(#values, 1)
   for i, v in ipairs(values) do
      if v == v and max > 0 then
         local h = math.max(1, H * v / max)
         out[#out + 1] = string.format('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#4a7bd0"/>',
            (i - 1) * bw, H - h, math.max(bw - 1, 1), h)
      end
   end
   out[#out + 1] = string.format('<text x="0" y="%d" font-size="12">max %s%s</text>', H + 16,
      esc(bytesToSize(max)), unit)
   out[#out + 1] = "</svg>"
   return table.concat(out)
end

-- Horizontal bars for `rows` = {{label, value}, ...}.
local function bars(rows)
   local max = rows[1] and rows[1].value or 0
   local out = { string.format('<svg width="%d" height="%d" role="img">', W, ROW * #rows) }
   for i, r in ipairs(rows) do
      local y = (i - 1) * ROW
      local w = max > 0 and (W - 260) * r.value / max or 0
      out[#out + 1] = string.format('<text x="0" y="%d" font-size="12">%s</text>', y + 15, esc(r.label))
      out[#out + 1] = string.format('<rect x="160" y="%d" width="%.1f" height="%d" fill="#4a7bd0"/>',
         y + 3, math.max(w, 1), ROW - 6)
      out[#out + 1] = string.format('<text x="%.1f" y="%d" font-size="12">%s</text>', 166 + w, y + 15,
         esc(bytesToSize(r.value)))
   end
   out[#out + 1] = "</svg>"
   return table.concat(out)
end

local stats = interface.getStats() -- what weir's web server last saw

print("<p>" .. esc(i18n("example.page_intro")) .. "</p>")
-- The last hour of the series, up to the packet clock (a replayed capture charts its
-- own hour). Counters come back as per-second rates; nil when the page cannot read
-- timeseries.
local now = stats.time or os.time()
local res = ts_utils.query("example:traffic", { ifid = tostring(interface.getId()) }, now - 3600, now)
local bytes
for _, s in ipairs(res and res.series or {}) do
   if s.label == "bytes" then bytes = s.data end
end
if bytes and #bytes > 0 then
   print(columns(bytes, "/s"))
else
   print('<p class="muted">' .. esc(i18n("example.page_no_series")) .. "</p>")
end

local rows = {}
for name, p in pairs(stats.ndpi or {}) do
   rows[#rows + 1] = { label = name, value = p.bytes or 0 }
end
table.sort(rows, function(a, b)
   return a.value > b.value
end)
while #rows > 10 do
   table.remove(rows)
end
print("<h3>" .. esc(i18n("example.page_protocols")) .. "</h3>")
print(bars(rows))
