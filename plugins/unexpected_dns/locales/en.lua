return {
   title = "Unexpected DNS server",
   description = "Local hosts sending DNS queries to a server outside the local networks that is not in the allowed list (default: the large public resolvers)",
   input_title = "Allowed DNS servers",
   input_description = "Addresses or CIDR networks of allowed DNS servers outside the local networks (servers inside the local networks are always allowed)",
   -- The keys of ntopng 4.2's core definitions alert_unexpected_dns and
   -- status_unexpected_dns (in 4.2 they come from this plugin's locale).
   alert_unexpected_dns_title = "Unexpected DNS server",
   unexpected_dns_title = "Unexpected DNS server",
   status_unexpected_dns_description = "%{cli_ip} uses the DNS server %{srv_ip}, which is neither local nor allowed",
}
