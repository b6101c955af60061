return {
   title = "Unexpected DNS server",
   description = "Local hosts sending DNS queries to a server outside the local networks that is not in the allowed list (default: the large public resolvers)",
   author = "weir",
   dependencies = {},
}
