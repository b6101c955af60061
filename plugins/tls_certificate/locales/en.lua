return {
   title = "TLS certificate checks",
   description = "Checks the server certificate of TLS flows (sent in clear up to TLS 1.2): self-signed, expired or not yet valid at the time of the handshake, valid for more days than the limit, or not matching the requested server name",
   alert_title = "TLS certificate problem",
   alert_description = "%{cli_ip} -> %{srv_ip} (%{sni}): %{problem}",
   selfsigned_title = "Self-signed TLS certificate",
   selfsigned_description = "%{srv_ip} (%{sni}) presents a self-signed certificate (%{subject})",
   validity_title = "TLS certificate validity",
   validity_description = "%{srv_ip} (%{sni}): %{problem}",
   mismatch_title = "TLS certificate mismatch",
   mismatch_description = "%{srv_ip}: the client asked for %{sni}, the certificate is for %{names}",
}
