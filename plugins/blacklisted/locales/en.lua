return {
   title = "Blacklisted hosts",
   description = "Flows whose client or server address is in one of the blocklist files. Each file holds one IPv4 or IPv6 address or CIDR network per line; text after # or ; is a comment. A relative file name is looked up in the data directory, then in this plugin's directory. Files are re-read when they change.",
   input_title = "Blocklist files",
   input_description = "Paths of the blocklist files (default: blocklist.txt in the data directory)",
}
