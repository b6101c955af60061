return {
   title = "Host Log Collector",
   description = "Turns host syslog lines (sshd, sudo, su, kernel) into host alerts by configurable patterns and thresholds",
   author = "weir",
   dependencies = {},
}
