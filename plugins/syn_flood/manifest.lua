return {
   title = "SYN flood",
   description = "Hosts sending or receiving, and local networks receiving, more TCP SYNs per second than a threshold: connection attempts that leave half-open connections behind",
   author = "weir",
   dependencies = {},
}
