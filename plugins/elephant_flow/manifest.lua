return {
   title = "Elephant flows",
   description = "Flags flows between a local and a remote host that move more bytes in one direction than configured",
   author = "weir",
}
