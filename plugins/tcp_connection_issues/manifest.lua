return {
   title = "TCP connection issues",
   description = "Flags TCP flows whose retransmissions, out-of-order or lost segments, or zero-window segments, exceed configured shares of their packets",
   author = "weir",
}
