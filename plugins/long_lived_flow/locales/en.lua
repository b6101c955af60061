return {
   title = "Long-lived flows",
   description = "Flows open longer than min_duration seconds (items: protocols to ignore)",
   status_title = "Long-lived flow",
   status_description = "Flow open for %{duration} s (limit %{threshold} s)",
}
