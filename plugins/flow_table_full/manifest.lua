return {
   title = "Flow table full",
   description = "Alerts when the flow table is full and the engine evicts flows to make room for new ones",
   author = "weir",
}
