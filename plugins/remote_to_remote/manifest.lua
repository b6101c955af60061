return {
   title = "Remote to remote flows",
   description = "Flags flows between two hosts outside every local network: traffic that should not cross the monitored link",
   author = "weir",
   dependencies = {},
}
