return {
  alert_title = "Flooder",
  host_title = "SYN flood victim",
  host_description = "A local host receives more SYNs per second than the threshold (minute average)",
}
