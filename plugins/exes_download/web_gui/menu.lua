-- The menu entry of the exes_download custom page (spec plugins.md §15).
return {
   label = "exes_download.menu_label",
   script = "exes_download.lua",
   sort_order = 100,
   menu_entry = {
      key = "exes_download",
      i18n_title = "exes_download.title",
      section = "system_stats",
   },
   -- Shown to every user; a plugin could hide its page, e.g. from read-only users
   -- with `return isAdministrator()`.
   is_shown = function()
      return true
   end,
}
