return {
   syn_flood_attacker_host_title = "SYN flood attacker",
   syn_flood_attacker_host_description = "A host sends more TCP SYNs per second than the threshold (average over the last minute)",
   syn_flood_victim_host_title = "SYN flood victim",
   syn_flood_victim_host_description = "A host receives more TCP SYNs per second than the threshold (average over the last minute)",
   syn_flood_victim_network_title = "SYN flood victim network",
   syn_flood_victim_network_description = "The hosts of a local network together receive more TCP SYNs per second than the threshold (average over the last minute)",
}
