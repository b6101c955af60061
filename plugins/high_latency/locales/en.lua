return {
   title = "High latency RDP",
   description = "Remote Desktop flows whose network latency (TCP handshake round trip) is above the threshold",
   unit = "ms",
   alert_title = "High latency remote desktop",
   status_title = "High latency",
   status_description = "RDP %{cli_ip} -> %{srv_ip}: network latency %{latency_ms} ms (threshold %{threshold} ms)",
}
