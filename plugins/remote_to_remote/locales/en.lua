return {
   title = "Remote to remote flows",
   description = "Flows between two hosts that are both outside the local networks",
   alert_title = "Remote to remote flow",
   alert_description = "Flow between two remote hosts: %{cli_ip} -> %{srv_ip}:%{srv_port} (%{proto})",
   status_title = "Remote to remote",
   status_description = "Both peers are outside the local networks",
}
