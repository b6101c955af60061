return {
  title = "SYNs received",
  description = "Timeseries acceptance: SYNs received by each local host, every minute",
  author = "weir tests",
}
