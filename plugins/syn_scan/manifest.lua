return {
   title = "SYN scan",
   description = "A host probing many ports or hosts with TCP SYNs that never become connections (unanswered, refused, or reset by the prober), and the hosts probed on many ports",
   author = "weir",
   dependencies = {},
}
