//! Capture-file reading (pcap and pcapng). Filled in by the capture-reader work.
