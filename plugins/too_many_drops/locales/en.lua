return {
   title = "Too many drops",
   description = "Alerts when the packets dropped by the capture in a minute exceed this percentage of the packets seen plus dropped",
}
