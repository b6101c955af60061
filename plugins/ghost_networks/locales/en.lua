return {
   title = "Ghost networks",
   description = "Alerts on every undeclared local-looking network seen in the last `window` seconds",
   flow_title = "Ghost networks: find hosts",
   flow_description = "Records hosts with local-looking addresses outside the configured local networks",
   ranges_title = "Local-looking ranges",
   ranges_description = "Address ranges (CIDR) that only exist on local segments",
   alert_title = "Ghost network",
}
