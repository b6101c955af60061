sendHTTPContentTypeHeader("text/csv", "attachment; filename=flows.csv")
io.write("packets\n", interface.getStats().packets, "\n")
