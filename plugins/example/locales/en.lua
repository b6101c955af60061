-- English strings, reached as i18n("example.<key>"). Titles and descriptions in the
-- other files name these keys; %{name} is replaced by the alert's parameters.
return {
   alert_title = "Example alert",
   alert_description = "%{what}",
   status_title = "Watched port",
   status_description = "Flow to a watched server port (%{srv_port})",

   flow_title = "Example: watched ports",
   flow_description = "Flags flows whose server port is in the list",
   ports_title = "Watched ports",
   ports_description = "Server ports (numbers) to flag",
   host_title = "Example: busy hosts",
   host_description = "Alerts on local hosts that send more bytes in a minute than the threshold",
   network_title = "Example: busy networks",
   network_description = "Alerts on local networks whose egress traffic in a minute exceeds the threshold",
   interface_title = "Example: traffic series",
   interface_description = "Writes the interface's bytes and packets every minute to the example:traffic timeseries",
   system_title = "Example: summary line",
   system_description = "Writes a one-line summary of the interface to weir's output every 5 minutes",

   page_title = "Example traffic",
   page_intro = "Bytes per minute on the interface, from the example:traffic timeseries the plugin's interface script writes.",
   page_no_series = "No example:traffic points to show: enable the interface script (weir scripts enable example_traffic_series), run with timeseries on, and read them with a weir whose pages can query timeseries.",
   page_protocols = "Top protocols by bytes (interface counters)",
}
