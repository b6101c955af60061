return {
   title = "Blacklisted hosts",
   description = "Flows whose client or server address, or server name (TLS SNI, HTTP Host, DNS query), is on one of the engine's block lists ([lists] in weir.toml, weir run --blocklist, blocklist.txt of the data directory), or whose category is Malware. The lists are reloaded when a file changes.",
}
