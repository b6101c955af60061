return {
   title = "Request/reply ratio",
   description = "Hosts whose DNS or HTTP requests and replies are out of balance over 5 minutes (threshold: the smaller side in percent of the larger; min_requests: messages needed on the larger side)",
   dns_flow_title = "Request/reply ratio: DNS counters",
   dns_flow_description = "Counts the DNS queries and answers of each host for the request/reply ratio check",
   http_flow_title = "Request/reply ratio: HTTP counters",
   http_flow_description = "Counts the HTTP requests and responses of each host for the request/reply ratio check",
}
