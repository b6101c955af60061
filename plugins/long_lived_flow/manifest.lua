return {
   title = "Long-lived flows",
   description = "Flags flows that stay open longer than configured",
   author = "weir",
   -- status_longlived and its alert type alert_flow_misbehaviour are core definitions
   -- (ntopng 4.2's): the plugin needs no other plugin.
}
