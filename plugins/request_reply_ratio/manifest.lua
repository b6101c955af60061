return {
   title = "Request/reply ratio",
   description = "Flags hosts whose DNS or HTTP requests and replies are out of balance: requests nobody answers, or replies nobody asked for",
   author = "weir",
}
