return {
   title = "DNS issues",
   description = "Flags DNS flows with a malformed query, a name longer than the limits (tunnelling), or a random-looking domain label (DGA), and hosts receiving more NXDOMAIN answers per minute than the limit",
}
