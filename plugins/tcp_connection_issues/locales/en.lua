return {
   title = "TCP connection issues",
   description = "TCP flows with too many retransmitted, out-of-order or lost segments, or segments advertising a zero window (percent of a direction's packets; min_packets: directions with fewer packets are ignored; severe: the percentage that makes the issue severe)",
}
