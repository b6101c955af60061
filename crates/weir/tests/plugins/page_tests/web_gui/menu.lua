-- Test plugin for crates/weir/tests/web_pages.rs: a menu entry for administrators
-- only, and pages that work, fail, loop forever or answer CSV.
return {
  label = "Page tests",
  script = "pt_hello.lua",
  sort_order = 5,
  menu_entry = { key = "page_tests", i18n_title = "Page tests", section = "pollers" },
  is_shown = function()
    return isAdministrator()
  end,
}
