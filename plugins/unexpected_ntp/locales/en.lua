return {
   title = "Unexpected NTP server",
   description = "Local hosts taking time from an NTP server outside the local networks that is not in the allowed list (disabled by default: configure the servers first)",
   input_title = "Allowed NTP servers",
   input_description = "Addresses or CIDR networks of allowed NTP servers outside the local networks (servers inside the local networks are always allowed)",
   -- The keys of ntopng 4.2's core definitions alert_unexpected_ntp and
   -- status_unexpected_ntp (in 4.2 they come from this plugin's locale).
   alert_unexpected_ntp_title = "Unexpected NTP server",
   unexpected_ntp_title = "Unexpected NTP server",
   status_unexpected_ntp_description = "%{cli_ip} uses the NTP server %{srv_ip}, which is neither local nor allowed",
}
