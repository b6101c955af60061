-- The example plugin: one of each part of the plugin format, small enough to read
-- in one sitting. docs/plugins/structure.md walks through it. Its user scripts start
-- disabled (`weir scripts enable <key>` turns one on), so shipping it costs nothing.
return {
   title = "Example",
   description = "Reference plugin: flow, host, network, interface and system scripts, an alert shared by two scripts, a flow status, a timeseries, a custom page and an alert endpoint",
   author = "weir",
   dependencies = {},
}
