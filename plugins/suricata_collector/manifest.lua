return {
   title = "Suricata Collector",
   description = "Turns Suricata Eve JSON events received over syslog into weir alerts and flow statuses",
   author = "weir",
   dependencies = {},
}
