//! L7 protocol identifiers, names and categories, numbered and named as nDPI does
//! (plugins filter on these names: `l7_proto`).

/// An nDPI protocol id (0 = Unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Proto(pub u16);

/// A protocol category (nDPI numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Category(pub u8);

macro_rules! protocols {
    ($($konst:ident = $id:literal, $name:literal, $cat:ident;)*) => {
        impl Proto {
            $(
                #[doc = concat!("nDPI `", $name, "`.")]
                pub const $konst: Proto = Proto($id);
            )*

            /// nDPI's name for the protocol (`"Unknown"` for ids weir does not know).
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($id => $name,)*
                    _ => "Unknown",
                }
            }

            /// The protocol's default category.
            pub fn category(self) -> Category {
                match self.0 {
                    $($id => Category::$cat,)*
                    _ => Category::UNSPECIFIED,
                }
            }

            /// Looks a protocol up by nDPI name (case-insensitive).
            pub fn from_name(name: &str) -> Option<Proto> {
                $(if name.eq_ignore_ascii_case($name) { return Some(Proto($id)); })*
                None
            }

            /// Every protocol weir names, in id order.
            pub const ALL: &'static [Proto] = &[$(Proto($id),)*];
        }
    };
}

protocols! {
    UNKNOWN = 0, "Unknown", UNSPECIFIED;
    FTP_CONTROL = 1, "FTP_CONTROL", DOWNLOAD;
    POP3 = 2, "POP3", EMAIL;
    SMTP = 3, "SMTP", EMAIL;
    IMAP = 4, "IMAP", EMAIL;
    DNS = 5, "DNS", NETWORK;
    HTTP = 7, "HTTP", WEB;
    MDNS = 8, "MDNS", NETWORK;
    NTP = 9, "NTP", SYSTEM;
    NETBIOS = 10, "NetBIOS", SYSTEM;
    SSDP = 12, "SSDP", SYSTEM;
    BGP = 13, "BGP", NETWORK;
    SMBV1 = 16, "SMBv1", SYSTEM;
    DHCP = 18, "DHCP", NETWORK;
    POP3S = 23, "POP3S", EMAIL;
    NTOP = 26, "ntop", NETWORK;
    SMTPS = 29, "SMTPS", EMAIL;
    GNUTELLA = 35, "Gnutella", DOWNLOAD;
    SMBV23 = 41, "SMBv23", SYSTEM;
    MINING = 42, "Mining", MINING;
    DATASAVER = 46, "DataSaver", WEB;
    IMAPS = 51, "IMAPS", EMAIL;
    NATS = 68, "Nats", RPC;
    YAHOO = 70, "Yahoo", WEB;
    HALFLIFE2 = 75, "HalfLife2", GAME;
    ICMP = 81, "ICMP", NETWORK;
    RTP = 87, "RTP", MEDIA;
    RDP = 88, "RDP", REMOTE_ACCESS;
    TLS = 91, "TLS", WEB;
    SSH = 92, "SSH", REMOTE_ACCESS;
    SIP = 100, "SIP", VOIP;
    ICMPV6 = 102, "ICMPV6", NETWORK;
    DHCPV6 = 103, "DHCPV6", NETWORK;
    FACEBOOK = 119, "Facebook", SOCIAL_NETWORK;
    TWITTER = 120, "Twitter", SOCIAL_NETWORK;
    DROPBOX = 121, "Dropbox", CLOUD;
    YOUTUBE = 124, "YouTube", MEDIA;
    GOOGLE = 126, "Google", WEB;
    HTTP_PROXY = 131, "HTTP_Proxy", WEB;
    NETFLIX = 133, "NetFlix", VIDEO;
    APPLE = 140, "Apple", WEB;
    WHATSAPP = 142, "WhatsApp", CHAT;
    SPOTIFY = 156, "Spotify", MUSIC;
    TOR = 163, "Tor", VPN;
    WIKIPEDIA = 176, "Wikipedia", WEB;
    AMAZON = 178, "Amazon", SHOPPING;
    TELEGRAM = 185, "Telegram", CHAT;
    QUIC = 188, "QUIC", WEB;
    KAKAOTALK = 193, "KakaoTalk", CHAT;
    GOOGLE_MEET = 201, "GoogleMeet", CHAT;
    GITHUB = 203, "Github", COLLABORATIVE;
    INSTAGRAM = 211, "Instagram", SOCIAL_NETWORK;
    MICROSOFT = 212, "Microsoft", CLOUD;
    STARCRAFT = 213, "Starcraft", GAME;
    TEREDO = 214, "Teredo", NETWORK;
    CLOUDFLARE = 220, "Cloudflare", WEB;
    PLAYSTORE = 228, "PlayStore", SOFTWARE_UPDATE;
    LINKEDIN = 233, "LinkedIn", SOCIAL_NETWORK;
    GOOGLE_SERVICES = 239, "GoogleServices", WEB;
    AMAZON_AWS = 265, "AmazonAWS", CLOUD;
    TIKTOK = 285, "TikTok", FUN;
    CYBERSEC = 283, "Cybersec", CYBERSECURITY;
    PSIPHON = 303, "Psiphon", VPN;
    STUN = 78, "STUN", NETWORK;
    PROTOBUF = 353, "Protobuf", NETWORK;
}

macro_rules! categories {
    ($($konst:ident = $id:literal, $name:literal;)*) => {
        impl Category {
            $(
                #[doc = concat!("nDPI category `", $name, "`.")]
                pub const $konst: Category = Category($id);
            )*

            /// nDPI's category name.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($id => $name,)*
                    _ => "Unspecified",
                }
            }

            /// Looks a category up by nDPI name (case-insensitive).
            pub fn from_name(name: &str) -> Option<Category> {
                $(if name.eq_ignore_ascii_case($name) { return Some(Category($id)); })*
                None
            }
        }
    };
}

categories! {
    UNSPECIFIED = 0, "Unspecified";
    MEDIA = 1, "Media";
    VPN = 2, "VPN";
    EMAIL = 3, "Email";
    WEB = 5, "Web";
    SOCIAL_NETWORK = 6, "SocialNetwork";
    DOWNLOAD = 7, "Download";
    GAME = 8, "Game";
    CHAT = 9, "Chat";
    VOIP = 10, "VoIP";
    REMOTE_ACCESS = 12, "RemoteAccess";
    CLOUD = 13, "Cloud";
    NETWORK = 14, "Network";
    COLLABORATIVE = 15, "Collaborative";
    RPC = 16, "RPC";
    SYSTEM = 18, "System";
    SOFTWARE_UPDATE = 19, "SoftwareUpdate";
    MUSIC = 25, "Music";
    VIDEO = 26, "Video";
    SHOPPING = 27, "Shopping";
    CONN_CHECK = 30, "ConnCheck";
    CYBERSECURITY = 33, "Cybersecurity";
    FUN = 4, "Fun";
    MINING = 99, "Mining";
    MALWARE = 100, "Malware";
    ADVERTISEMENT = 101, "Advertisement";
    BANNED_SITE = 102, "Banned_Site";
    SITE_UNAVAILABLE = 103, "Site_Unavailable";
    ALLOWED_SITE = 104, "Allowed_Site";
    ANTIMALWARE = 105, "Antimalware";
}

/// Well-known services recognised from a host name (HTTP Host, TLS SNI, DNS query,
/// QUIC SNI): `(suffix, app)`. A name matches when it equals the suffix or ends with
/// `.` + suffix. Longest suffix wins (the table is searched in order; more specific
/// entries come first).
pub const HOST_SERVICES: &[(&str, Proto)] = &[
    ("meet.google.com", Proto::GOOGLE_MEET),
    ("android.clients.google.com", Proto::PLAYSTORE),
    ("play.google.com", Proto::PLAYSTORE),
    ("datasaver.googleapis.com", Proto::DATASAVER),
    ("googlezip.net", Proto::DATASAVER),
    ("googleapis.com", Proto::GOOGLE_SERVICES),
    ("youtube.com", Proto::YOUTUBE),
    ("youtu.be", Proto::YOUTUBE),
    ("ytimg.com", Proto::YOUTUBE),
    ("googlevideo.com", Proto::YOUTUBE),
    ("youtube-nocookie.com", Proto::YOUTUBE),
    ("gstatic.com", Proto::GOOGLE),
    ("google.com", Proto::GOOGLE),
    ("googleusercontent.com", Proto::GOOGLE),
    ("gmail.com", Proto::GOOGLE),
    ("1e100.net", Proto::GOOGLE),
    ("app-measurement.com", Proto::GOOGLE),
    ("google-analytics.com", Proto::GOOGLE),
    ("googletagmanager.com", Proto::GOOGLE),
    ("instagram.com", Proto::INSTAGRAM),
    ("cdninstagram.com", Proto::INSTAGRAM),
    ("whatsapp.net", Proto::WHATSAPP),
    ("whatsapp.com", Proto::WHATSAPP),
    ("facebook.com", Proto::FACEBOOK),
    ("facebook.net", Proto::FACEBOOK),
    ("fbcdn.net", Proto::FACEBOOK),
    ("fbsbx.com", Proto::FACEBOOK),
    ("twitter.com", Proto::TWITTER),
    ("twimg.com", Proto::TWITTER),
    ("netflix.com", Proto::NETFLIX),
    ("nflxvideo.net", Proto::NETFLIX),
    ("kakao.com", Proto::KAKAOTALK),
    ("kakao.co.kr", Proto::KAKAOTALK),
    ("kakaocdn.net", Proto::KAKAOTALK),
    ("github.com", Proto::GITHUB),
    ("githubusercontent.com", Proto::GITHUB),
    ("amazonaws.com", Proto::AMAZON_AWS),
    ("amazon.com", Proto::AMAZON),
    ("microsoft.com", Proto::MICROSOFT),
    ("live.com", Proto::MICROSOFT),
    ("msn.com", Proto::MICROSOFT),
    ("windows.net", Proto::MICROSOFT),
    ("msads.net", Proto::MICROSOFT),
    ("msecnd.net", Proto::MICROSOFT),
    ("bing.com", Proto::MICROSOFT),
    ("office.com", Proto::MICROSOFT),
    ("abuse.ch", Proto::CYBERSEC),
    ("apple.com", Proto::APPLE),
    ("icloud.com", Proto::APPLE),
    ("mzstatic.com", Proto::APPLE),
    ("dropbox.com", Proto::DROPBOX),
    ("spotify.com", Proto::SPOTIFY),
    ("scdn.co", Proto::SPOTIFY),
    ("wikipedia.org", Proto::WIKIPEDIA),
    ("linkedin.com", Proto::LINKEDIN),
    ("telegram.org", Proto::TELEGRAM),
    ("tiktok.com", Proto::TIKTOK),
    ("yahoo.com", Proto::YAHOO),
    ("ntop.org", Proto::NTOP),
    ("cloudflare.com", Proto::CLOUDFLARE),
    ("cloudflare-ech.com", Proto::CLOUDFLARE),
];

/// The well-known service a host name belongs to.
pub fn service_for_host(host: &[u8]) -> Option<Proto> {
    let host = host.strip_suffix(b".").unwrap_or(host);
    HOST_SERVICES.iter().find_map(|(suffix, app)| {
        let s = suffix.as_bytes();
        let hit = host.len() >= s.len()
            && host
                .get(host.len() - s.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(s))
            && (host.len() == s.len() || host.get(host.len() - s.len() - 1) == Some(&b'.'));
        hit.then_some(*app)
    })
}

/// Address blocks of a few well-known services (IPv4 `(network, prefix length, app)`),
/// used only when a flow's content named nothing, as nDPI's IP-based match does.
pub const IP_SERVICES: &[([u8; 4], u8, Proto)] = &[
    ([216, 239, 32, 0], 19, Proto::GOOGLE),
    ([172, 217, 0, 0], 16, Proto::GOOGLE),
    ([173, 194, 0, 0], 16, Proto::GOOGLE),
    ([74, 125, 0, 0], 16, Proto::GOOGLE),
    ([142, 250, 0, 0], 15, Proto::GOOGLE),
    ([216, 58, 192, 0], 19, Proto::GOOGLE),
    ([8, 8, 8, 0], 24, Proto::GOOGLE),
    ([31, 13, 64, 0], 18, Proto::FACEBOOK),
    ([157, 240, 0, 0], 16, Proto::FACEBOOK),
    ([173, 252, 64, 0], 18, Proto::FACEBOOK),
    ([17, 0, 0, 0], 8, Proto::APPLE),
];

/// The well-known service an address belongs to (IPv4 only).
pub fn service_for_ip(ip: std::net::IpAddr) -> Option<Proto> {
    let std::net::IpAddr::V4(v4) = ip else {
        return None;
    };
    let a = u32::from(v4);
    IP_SERVICES.iter().find_map(|(net, len, app)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
        (a & mask == u32::from_be_bytes(*net) & mask).then_some(*app)
    })
}

/// Port-based guess for a flow whose payload was not recognised (nDPI "match by port").
pub fn guess_by_port(l4: u8, sport: u16, dport: u16) -> Proto {
    let by = |p: u16| -> Option<Proto> {
        Some(match (l4, p) {
            (6, 80) => Proto::HTTP,
            (6, 8080 | 3128) => Proto::HTTP_PROXY,
            (6, 1119) => Proto::STARCRAFT,
            (6, 443) => Proto::TLS,
            (6, 22) => Proto::SSH,
            (6, 21) => Proto::FTP_CONTROL,
            (6, 25) => Proto::SMTP,
            (6, 465) => Proto::SMTPS,
            (6, 110) => Proto::POP3,
            (6, 995) => Proto::POP3S,
            (6, 143) => Proto::IMAP,
            (6, 993) => Proto::IMAPS,
            (6, 445) => Proto::SMBV23,
            (6, 139) => Proto::NETBIOS,
            (6, 3389) => Proto::RDP,
            (6, 179) => Proto::BGP,
            (6, 4222) => Proto::NATS,
            (6 | 17, 53) => Proto::DNS,
            (17, 5353) => Proto::MDNS,
            (17, 123) => Proto::NTP,
            (17, 67 | 68) => Proto::DHCP,
            (17, 546 | 547) => Proto::DHCPV6,
            (17, 137 | 138) => Proto::NETBIOS,
            (17, 1900) => Proto::SSDP,
            (17, 443) => Proto::QUIC,
            (17, 3544) => Proto::TEREDO,
            (17 | 6, 5060 | 5061) => Proto::SIP,
            (17, 3478) => Proto::STUN,
            (17, 17500) => Proto::DROPBOX,
            (17, 57621) => Proto::SPOTIFY,
            _ => return None,
        })
    };
    // The lower (service-like) port first, as servers usually hold it.
    let (lo, hi) = if sport <= dport {
        (sport, dport)
    } else {
        (dport, sport)
    };
    by(lo).or_else(|| by(hi)).unwrap_or(Proto::UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_services() {
        assert_eq!(Proto::TLS.name(), "TLS");
        assert_eq!(Proto(65000).name(), "Unknown");
        assert_eq!(Proto::from_name("tls"), Some(Proto::TLS));
        assert_eq!(Proto::YOUTUBE.category().name(), "Media");
        assert_eq!(service_for_host(b"www.youtube.com"), Some(Proto::YOUTUBE));
        assert_eq!(service_for_host(b"youtube.com."), Some(Proto::YOUTUBE));
        assert_eq!(service_for_host(b"notyoutube.com"), None);
        assert_eq!(
            service_for_host(b"meet.google.com"),
            Some(Proto::GOOGLE_MEET)
        );
        assert_eq!(service_for_host(b"x.google.com"), Some(Proto::GOOGLE));
        assert_eq!(guess_by_port(6, 51000, 443), Proto::TLS);
        assert_eq!(
            service_for_ip("216.239.38.120".parse().unwrap()),
            Some(Proto::GOOGLE)
        );
        assert_eq!(service_for_ip("10.0.0.1".parse().unwrap()), None);
        assert_eq!(service_for_ip("::1".parse().unwrap()), None);
        assert_eq!(guess_by_port(17, 53, 40000), Proto::DNS);
        assert_eq!(guess_by_port(17, 40000, 40001), Proto::UNKNOWN);
        let mut ids: Vec<u16> = Proto::ALL.iter().map(|p| p.0).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "protocol ids are unique");
    }
}
