return {
   title = "Elephant flows",
   description = "Flows between a local and a remote host moving more bytes than the limit of their direction (l2r_bytes_value: local to remote, r2l_bytes_value: remote to local; items: protocols to ignore)",
}
