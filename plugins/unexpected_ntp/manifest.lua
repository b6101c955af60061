return {
   title = "Unexpected NTP server",
   description = "Local hosts taking time from an NTP server outside the local networks that is not in the allowed list (disabled by default: configure the servers first)",
   author = "weir",
   dependencies = {},
}
