return {
   title = "Host table full",
   description = "Alerts when the host table is full and the engine evicts idle hosts to make room for new ones",
   author = "weir",
}
