return {
   title = "DNS issues",
   description = "Flags DNS flows with a malformed query, a name longer than the limits (tunnelling), or a random-looking domain label (DGA)",
   nxdomain_title = "DNS issues: NXDOMAIN bursts",
   nxdomain_description = "Local hosts receiving more DNS error answers (NXDOMAIN) per minute than the limit",
}
