return {
   title = "TLS certificate checks",
   description = "TLS server certificates that are self-signed, expired, not yet valid, valid for too long, or issued for another name than the one the client asked for (SNI)",
   author = "weir",
   dependencies = {},
}
