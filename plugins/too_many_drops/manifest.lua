return {
   title = "Too many drops",
   description = "Alerts when the capture drops more than a configured share of the packets on the interface",
   author = "weir",
}
