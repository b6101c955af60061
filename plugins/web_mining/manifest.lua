return {
   title = "Crypto mining",
   description = "Hosts mining cryptocurrency: DNS lookups and TLS/HTTP connections to known mining pools and browser-mining services, and unidentified TCP connections to the ports Stratum pools listen on",
   author = "weir",
   dependencies = {},
}
