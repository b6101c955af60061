return {
   title = "Request/reply ratio",
   description = "Local hosts whose DNS or HTTP requests and replies are out of balance over 5 minutes (threshold: the smaller side in percent of the larger; min_requests: messages needed on the larger side)",
}
