return {
   title = "Threshold cross",
   description = "Alerts when the traffic of a host, a local network or the interface crosses a configured threshold in a minute, 5 minutes, an hour or a day",
   author = "weir",
}
