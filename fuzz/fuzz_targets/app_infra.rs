//! Fuzz the `infra` family's probes (discovery, infrastructure, ICS over UDP): any
//! bytes, on any port the probes are told about, must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::infra as p;

fuzz_target!(|data: &[u8]| {
    let d = data;
    let _ = (
        p::probe_slp(d),
        p::probe_radius(d),
        p::probe_radius_header(d),
    );
    let _ = (
        p::probe_kerberos(d),
        p::probe_kerberos_tcp(d),
        p::probe_tuya(d),
    );
    let _ = (
        p::probe_bacnet(d),
        p::probe_bjnp(d),
        p::probe_natpmp(d),
        p::probe_can(d),
    );
    let _ = (
        p::probe_tftp_request(d),
        p::tftp_transfer(d),
        p::probe_coap(d),
    );
    let _ = (
        p::probe_collectd(d),
        p::probe_hsrp(d),
        p::probe_ubnt(d),
        p::probe_ssdp_response(d),
    );
    let _ = (
        p::probe_ripe_atlas(d),
        p::probe_wsd(d),
        p::probe_rmcp(d),
        p::probe_roughtime(d),
    );
    let _ = (
        p::probe_syslog(d),
        p::probe_netflow(d),
        p::probe_sflow(d),
        p::probe_capwap(d),
    );
    let _ = (
        p::probe_mgcp(d),
        p::probe_rx(d),
        p::probe_ptpv2(d),
        p::probe_bfd(d),
    );
    let _ = (
        p::probe_iec62056(d),
        p::probe_hart_ip(d),
        p::probe_trdp(d),
        p::probe_uftp(d),
    );
    let _ = (
        p::probe_c1222(d),
        p::probe_kismet(d),
        p::probe_pfcp(d),
        p::probe_tivoconnect(d),
    );
    let _ = (
        p::probe_xdmcp(d),
        p::probe_cpha(d),
        p::probe_cnp_ip(d),
        p::probe_ethersio(d),
    );
    let _ = (
        p::probe_ether_s_bus(d),
        p::probe_egd(d),
        p::probe_nest_log_sink(d),
        p::probe_hp_virtgrp(d),
    );
    let _ = (
        p::probe_snmp(d),
        p::probe_lisp_control(d),
        p::probe_lisp_tcp(d),
        p::probe_bfd_echo(d),
        p::probe_flute(d),
    );
    for port in [2152, 2123, 3386] {
        let _ = p::probe_gtp(d, port);
    }
    for tcp in [false, true] {
        let _ = (
            p::probe_sunrpc_nfs(d, tcp),
            p::probe_tplink_shp(d, tcp),
            p::probe_ldp(d, tcp),
        );
        let _ = (
            p::probe_someip(d, tcp),
            p::probe_dlep(d, tcp),
            p::probe_knxnet(d, tcp),
        );
        let _ = (p::probe_fins(d, tcp), p::probe_c37118(d, tcp));
    }
});
