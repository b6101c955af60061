return {
   title = "Host table full",
   description = "Alerts while the host table is full: more hosts than this were evicted from it in a minute, or it is still at capacity",
}
