return {
   title = "Crypto mining",
   description = "Flows in the nDPI category Mining: Stratum sessions recognised by the DPI, and flows to known mining pools or browser-mining services (server name in weir's category catalogue, or in the extra domains listed here)",
   input_title = "Extra mining pool domains",
   input_description = "A flow whose DNS query, TLS server name or HTTP host is one of these domains or below it gets the category Mining (the known pools are built in)",
}
