return {
   title = "SYN scan",
   description = "Alerts on a host whose TCP connection attempts that never complete reach more distinct destinations (host and port) within a minute than the threshold, and on a host probed that way on more distinct ports than the threshold",
   input_title = "Distinct destinations per minute",
}
