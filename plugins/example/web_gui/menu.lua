-- The plugin's menu entry: `label` and `script` (a file of web_gui/) are required.
return {
   label = "example.page_title",
   script = "example_traffic.lua",
   sort_order = -100, -- after the other plugin pages
   menu_entry = { key = "example_traffic", i18n_title = "example.page_title", section = "system_stats" },
}
