return {
   title = "Flow table full",
   description = "Alerts while the flow table is full: more flows than this were evicted from it in a minute, or it is still at capacity",
}
