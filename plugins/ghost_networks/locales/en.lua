return {
   title = "Ghost networks",
   description = "Alerts on every undeclared local-looking network (private, shared, link-local or unique-local addresses outside the configured local networks) seen in the last `window` seconds",
   alert_title = "Ghost network",
}
