return {
   title = "Remote to remote flows",
   description = "Flows between two hosts that are both outside the local networks",
}
