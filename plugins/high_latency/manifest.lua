return {
   title = "High latency remote desktop",
   description = "Sets the status high_latency on Remote Desktop (RDP) flows whose network round-trip time, measured on the TCP handshake, is above a threshold (250 ms by default): sessions that will feel sluggish, or that cross a link they should not",
   author = "weir",
   dependencies = {},
}
