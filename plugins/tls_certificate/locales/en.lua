return {
   title = "TLS certificate checks",
   description = "Checks the server certificate of TLS flows (sent in clear up to TLS 1.2): self-signed, expired or not yet valid at the time of the handshake, valid for more days than the limit, or not matching the requested server name",
}
