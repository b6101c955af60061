return {
   title = "Flow flood",
   description = "Hosts opening or receiving, and local networks receiving, more new flows per second than a threshold",
   author = "weir",
   dependencies = {},
}
