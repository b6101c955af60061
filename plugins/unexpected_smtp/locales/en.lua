return {
   title = "Unexpected SMTP server",
   description = "Local hosts delivering mail (SMTP, port 25) to a server outside the local networks that is not in the allowed list (disabled by default: configure the relays first)",
   input_title = "Allowed SMTP servers",
   input_description = "Addresses or CIDR networks of allowed SMTP servers outside the local networks (servers inside the local networks are always allowed)",
   -- The keys of ntopng 4.2's core definitions alert_unexpected_smtp and
   -- status_unexpected_smtp (in 4.2 they come from this plugin's locale).
   alert_unexpected_smtp_title = "Unexpected SMTP server",
   unexpected_smtp_title = "Unexpected SMTP server",
   status_unexpected_smtp_description = "%{cli_ip} uses the SMTP server %{srv_ip}, which is neither local nor allowed",
}
