return {
   title = "Unexpected DNS server",
   description = "Local hosts sending DNS queries to a server outside the local networks that is not in the allowed list (default: the large public resolvers)",
   input_title = "Allowed DNS servers",
   input_description = "Addresses or CIDR networks of allowed DNS servers outside the local networks (servers inside the local networks are always allowed)",
   alert_title = "Unexpected DNS server",
   status_title = "Unexpected DNS server",
   status_description = "%{cli_ip} uses the DNS server %{srv_ip}, which is neither local nor allowed",
}
