return {
   title = "Crypto mining",
   description = "Flows to known mining pools or browser-mining services (domain names in the list, matching the name and its subdomains), and unidentified TCP flows to Stratum ports",
   input_title = "Mining pool domains",
   input_description = "A flow whose DNS query, TLS server name or HTTP host is one of these domains or below it is flagged",
}
