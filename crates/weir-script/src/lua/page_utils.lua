-- page_utils and plugins_utils for plugin custom pages (spec plugins.md §15,
-- lua-api.md §11/§12). Loaded once per page VM by weir (crates/weir-script/src/page.rs);
-- P is the Rust side: the current request's title and active menu entry, the menu
-- entries of every plugin and the URL prefix. These plugins_utils functions extend the
-- module every VM has (lua/plugins_utils.lua: loadModule, getPluginDataDir, ...).
local P = ...

local function esc(s)
  return (tostring(s):gsub("[&<>\"']", {
    ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;",
  }))
end

local page_utils = {}

-- menu_entries[key] = {key=, i18n_title=, section=, label=, url=}: every plugin's
-- menu entry (web_gui/menu.lua).
page_utils.menu_entries = P.menu_entries

--- Marks `entry` (a menu_entries table or its key) as the current page: weir
--- highlights it in the menu and uses its title for the page.
function page_utils.set_active_menu_entry(entry, i18n_params, alt_title)
  local key, title
  if type(entry) == "table" then
    key, title = entry.key, entry.i18n_title
  elseif type(entry) == "string" then
    key = entry
    local e = P.menu_entries[entry]
    if e then title = e.i18n_title end
  end
  if alt_title ~= nil then
    title = tostring(alt_title)
  elseif type(title) == "string" then
    title = i18n(title, i18n_params) or title
  end
  P.set_active(key, title)
end

--- Sets the page title (weir draws the page frame; nothing is printed).
function page_utils.print_header(title)
  if title ~= nil then P.set_title(tostring(title)) end
end

--- ntopng prints the page heading; weir's frame already shows the title.
function page_utils.print_page_title(title)
  if title ~= nil then P.set_title(tostring(title)) end
end

--- A navigation bar: `items` = {{page_name=, label=, active=, hidden=, url=}, ...};
--- links go to `base_url?page=<page_name>` unless an item has its own `url`.
--- Labels may hold HTML (icons), the title is text.
function page_utils.print_navbar(title, base_url, items)
  base_url = tostring(base_url or "")
  local sep = base_url:find("?", 1, true) and "&" or "?"
  local out = { '<nav class="plugin-navbar"><span class="plugin-navbar-title">', esc(title or ""), "</span><ul>" }
  for _, it in ipairs(type(items) == "table" and items or {}) do
    if type(it) == "table" and not it.hidden then
      local url = it.url or (base_url .. sep .. "page=" .. tostring(it.page_name or ""))
      out[#out + 1] = '<li><a href="' .. esc(url) .. '"'
        .. (it.active and ' class="active" aria-current="page"' or "") .. ">"
        .. tostring(it.label or it.page_name or "") .. "</a></li>"
    end
  end
  out[#out + 1] = "</ul></nav>"
  P.write(table.concat(out))
end

--- HTML-escapes a string (weir extension, handy in pages).
page_utils.escape = esc

local plugins_utils = {}

--- The URL of a page of any plugin: `<http prefix>/plugins/<page>`.
function plugins_utils.getUrl(page)
  return P.prefix .. "/plugins/" .. tostring(page or "")
end

--- The menu entries of every plugin (same table as page_utils.menu_entries).
function plugins_utils.getMenuEntries()
  return P.menu_entries
end

--- The loaded plugins: {[key] = {key=, title=}}.
function plugins_utils.getLoadedPlugins()
  return P.plugins
end

return { page_utils = page_utils, plugins_utils = plugins_utils }
