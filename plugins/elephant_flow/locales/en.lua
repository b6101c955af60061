return {
   title = "Elephant flows",
   description = "Flows between a local and a remote host moving more bytes than the limit of their direction (l2r_bytes_value: local to remote, r2l_bytes_value: remote to local; items: protocols to ignore)",
   misbehaviour_title = "Flow misbehaviour",
   l2r_title = "Elephant flow (local to remote)",
   l2r_description = "%{l2r_bytes} bytes sent from the local network (limit %{l2r_threshold})",
   r2l_title = "Elephant flow (remote to local)",
   r2l_description = "%{r2l_bytes} bytes received by the local network (limit %{r2l_threshold})",
}
