return {
   title = "Unidirectional UDP flows",
   description = "Flags UDP flows that ended without a single packet from the server: an unreachable service, a dead server, or traffic nobody answers",
   author = "weir",
}
