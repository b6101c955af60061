return {
   title = "Unexpected DHCP server",
   description = "A host answering DHCP (from port 67) that is not an allowed DHCP server. With an empty list the first server seen answering is taken as the legitimate one (trust on first use) and every other one is flagged; list the servers to make this independent of what is seen first",
   input_title = "Allowed DHCP servers",
   input_description = "Addresses (or CIDR networks) of the DHCP servers; empty: trust the first one seen",
   -- The keys of ntopng 4.2's core definitions alert_unexpected_dhcp and
   -- status_unexpected_dhcp (in 4.2 they come from this plugin's locale).
   alert_unexpected_dhcp_title = "Unexpected DHCP server",
   unexpected_dhcp_title = "Unexpected DHCP server",
   status_unexpected_dhcp_description = "%{server_ip} answers DHCP but is not an allowed DHCP server (allowed: %{allowed})",
}
