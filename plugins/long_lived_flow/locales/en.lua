return {
   title = "Long-lived flows",
   description = "Flows open longer than min_duration seconds (items: protocols to ignore)",
}
