return {
   title = "Suricata events",
   description = "Suricata Eve JSON over syslog: IDS alerts, anomalies and executable downloads become alerts, and flow statuses on the flows weir tracks",
   alert_external_title = "IDS alert",
   alert_external_description = "Suricata: %{signature} [%{category}] (sid %{signature_id}, severity %{suricata_severity}) %{src_ip} -> %{dst_ip}",
   anomaly_description = "Suricata anomaly: %{anomaly_type} %{anomaly_event} %{src_ip} -> %{dst_ip}",
   status_external_title = "IDS alert",
   status_external_description = "Suricata signature: %{signature}",
   file_title = "Executable transfer",
   file_description = "Executable file %{filename} (%{magic}) %{src_ip} -> %{dst_ip}",
   min_severity_title = "Lowest Suricata severity stored",
   min_severity_description = "Alerts with a Suricata severity above this number (1 high .. 3 low) are ignored",
}
