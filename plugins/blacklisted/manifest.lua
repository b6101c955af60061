return {
   title = "Blacklisted hosts",
   description = "Flows to or from addresses listed in blocklist files (one IPv4/IPv6 address or CIDR network per line, # comments), re-read when a file changes",
   author = "weir",
   dependencies = {},
}
