return {
   title = "Suricata events",
   description = "Suricata Eve JSON over syslog: IDS alerts, anomalies and executable downloads become alerts, and flow statuses on the flows weir tracks",
   min_severity_title = "Lowest Suricata severity stored",
   min_severity_description = "Alerts with a Suricata severity above this number (1 high .. 3 low) are ignored",
}
