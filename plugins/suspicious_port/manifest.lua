return {
   title = "Suspicious HTTP port",
   description = "Sets the status suspicious_port on plain HTTP flows whose server port is not one of the expected HTTP ports (80 and 8080 by default): a web server hidden on an odd port, a proxy nobody set up, or malware talking HTTP to its controller",
   author = "weir",
   dependencies = {},
}
