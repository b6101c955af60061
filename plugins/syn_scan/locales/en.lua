return {
   title = "SYN scan",
   description = "Alerts on hosts sending, and on hosts and local networks receiving, more TCP SYNs that no SYN-ACK answers in a minute than a threshold",
   syn_scan_attacker_title = "SYN scan attacker",
   syn_scan_attacker_description = "A host sending more unanswered TCP SYNs (SYNs sent minus SYN-ACKs received) in a minute than the threshold",
   syn_scan_victim_title = "SYN scan victim",
   syn_scan_victim_description = "A host receiving more TCP SYNs it does not answer (SYNs received minus SYN-ACKs sent) in a minute than the threshold",
   syn_scan_victim_network_title = "SYN scan victim network",
   syn_scan_victim_network_description = "A local network whose hosts together receive more unanswered TCP SYNs in a minute than the threshold",
}
