return {
   flow_flood_attacker_host_title = "Flow flood attacker",
   flow_flood_attacker_host_description = "A host opens more flows per second than the threshold (average over the last minute)",
   flow_flood_victim_host_title = "Flow flood victim",
   flow_flood_victim_host_description = "A host is the server of more new flows per second than the threshold (average over the last minute)",
   flow_flood_victim_network_title = "Flow flood victim network",
   flow_flood_victim_network_description = "The hosts of a local network together receive more new flows per second than the threshold (average over the last minute)",
}
