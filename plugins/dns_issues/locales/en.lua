return {
   title = "DNS issues",
   description = "Flags DNS flows with a malformed query, a name longer than the limits (tunnelling), or a random-looking domain label (DGA), and hosts receiving more NXDOMAIN answers per minute than the limit",
   alert_title = "DNS issue",
   alert_description = "%{cli_ip}: %{problem}",
   invalid_title = "Malformed DNS",
   invalid_description = "%{cli_ip} -> %{srv_ip}: %{problem}",
   exfiltration_title = "DNS tunnelling",
   exfiltration_description = "%{cli_ip} -> %{srv_ip}: %{problem}",
   random_title = "Random-looking DNS name",
   random_description = "%{cli_ip} -> %{srv_ip}: %{problem}",
}
