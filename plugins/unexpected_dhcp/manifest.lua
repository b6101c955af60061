return {
   title = "Unexpected DHCP server",
   description = "DHCP servers that are not in the allowed list; without a list, every DHCP server after the first one seen",
   author = "weir",
   dependencies = {},
}
