return {
   title = "Suspicious HTTP port",
   description = "Plain HTTP on a server port other than the expected HTTP ports (list below, default 80 and 8080)",
   input_title = "Expected HTTP server ports",
   input_description = "Server ports where plain HTTP is normal; HTTP on any other port sets the status",
}
