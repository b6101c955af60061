return {
   title = "DNS issues",
   description = "Malformed DNS, names long enough to carry data (DNS tunnelling), random-looking names (domain generation algorithms), and bursts of NXDOMAIN answers to one host",
   author = "weir",
   dependencies = {},
}
