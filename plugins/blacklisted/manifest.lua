return {
   title = "Blacklisted hosts",
   description = "Flows to or from addresses or names on the engine's block lists (flow.isBlacklisted())",
   author = "weir",
   dependencies = {},
}
