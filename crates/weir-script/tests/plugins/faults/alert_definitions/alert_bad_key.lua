-- Invalid: a bare number is not an alert key.
return {
   alert_key = 42,
   i18n_title = "Bad",
   icon = "fas fa-bug",
}
