return {
   title = "Unexpected SMTP server",
   description = "Local hosts delivering mail (SMTP, port 25) to a server outside the local networks that is not in the allowed list (disabled by default: configure the relays first)",
   author = "weir",
   dependencies = {},
}
