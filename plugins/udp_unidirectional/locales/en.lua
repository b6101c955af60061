return {
   title = "Unidirectional UDP flows",
   description = "UDP flows that ended without any packet from the server",
   exclude_title = "Ignored protocols",
   exclude_description = "Application protocols that are one-way by design (comma separated nDPI names)",
}
