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
    IPP = 6, "IPP", SYSTEM;
    HTTP = 7, "HTTP", WEB;
    MDNS = 8, "MDNS", NETWORK;
    NTP = 9, "NTP", SYSTEM;
    NETBIOS = 10, "NetBIOS", SYSTEM;
    NFS = 11, "NFS", DATA_TRANSFER;
    SSDP = 12, "SSDP", SYSTEM;
    BGP = 13, "BGP", NETWORK;
    SNMP = 14, "SNMP", NETWORK;
    XDMCP = 15, "XDMCP", REMOTE_ACCESS;
    SMBV1 = 16, "SMBv1", SYSTEM;
    SYSLOG = 17, "Syslog", SYSTEM;
    DHCP = 18, "DHCP", NETWORK;
    POSTGRESQL = 19, "PostgreSQL", DATABASE;
    MYSQL = 20, "MySQL", DATABASE;
    OUTLOOK = 21, "Outlook", NETWORK;
    VK = 22, "VK", SOCIAL_NETWORK;
    POP3S = 23, "POPS", EMAIL;
    TAILSCALE = 24, "Tailscale", VPN;
    YANDEX = 25, "Yandex", WEB;
    NTOP = 26, "ntop", NETWORK;
    COAP = 27, "COAP", RPC;
    VMWARE = 28, "VMware", REMOTE_ACCESS;
    SMTPS = 29, "SMTPS", EMAIL;
    DTLS = 30, "DTLS", WEB;
    UBNTAC2 = 31, "UBNTAC2", NETWORK;
    BFCP = 32, "BFCP", VIDEO;
    YANDEXMAIL = 33, "YandexMail", EMAIL;
    YANDEXMUSIC = 34, "YandexMusic", MUSIC;
    GNUTELLA = 35, "Gnutella", DOWNLOAD;
    EDONKEY = 36, "eDonkey", DOWNLOAD;
    BITTORRENT = 37, "BitTorrent", DOWNLOAD;
    SKYPE_TEAMSCALL = 38, "Skype_TeamsCall", VOIP;
    SIGNAL = 39, "Signal", CHAT;
    MEMCACHED = 40, "Memcached", NETWORK;
    SMBV23 = 41, "SMBv23", SYSTEM;
    MINING = 42, "Mining", MINING;
    NESTLOGSINK = 43, "NestLogSink", CLOUD;
    MODBUS = 44, "Modbus", IOT_SCADA;
    WHATSAPPCALL = 45, "WhatsAppCall", VOIP;
    DATASAVER = 46, "DataSaver", WEB;
    XBOX = 47, "Xbox", GAME;
    QQ = 48, "QQ", CHAT;
    TIKTOK = 49, "TikTok", SOCIAL_NETWORK;
    RTSP = 50, "RTSP", MEDIA;
    IMAPS = 51, "IMAPS", EMAIL;
    CPHA = 53, "CPHA", NETWORK;
    IQIYI = 54, "iQIYI", STREAMING;
    ZATTOO = 55, "Zattoo", VIDEO;
    YANDEXMARKET = 56, "YandexMarket", SHOPPING;
    YANDEXDISK = 57, "YandexDisk", CLOUD;
    DISCORD = 58, "Discord", COLLABORATIVE;
    ADOBECONNECT = 59, "AdobeConnect", VIDEO;
    MONGODB = 60, "MongoDB", DATABASE;
    PLURALSIGHT = 61, "Pluralsight", STREAMING;
    YANDEXCLOUD = 62, "YandexCloud", CLOUD;
    OCSP = 63, "OCSP", NETWORK;
    IRC = 65, "IRC", CHAT;
    MERAKICLOUD = 66, "MerakiCloud", NETWORK;
    JABBER = 67, "Jabber", WEB;
    NATS = 68, "Nats", RPC;
    AMONGUS = 69, "AmongUs", GAME;
    YAHOO = 70, "Yahoo", WEB;
    DISNEYPLUS = 71, "DisneyPlus", STREAMING;
    HART_IP = 72, "HART-IP", IOT_SCADA;
    VRRP = 73, "VRRP", NETWORK;
    STEAM = 74, "Steam", GAME;
    HALFLIFE2 = 75, "HalfLife2", GAME;
    WORLDOFWARCRAFT = 76, "WorldOfWarcraft", GAME;
    TELNET = 77, "Telnet", REMOTE_ACCESS;
    STUN = 78, "STUN", NETWORK;
    IPSEC = 79, "IPSec", VPN;
    GRE = 80, "GRE", NETWORK;
    ICMP = 81, "ICMP", NETWORK;
    IGMP = 82, "IGMP", NETWORK;
    EGP = 83, "EGP", NETWORK;
    SCTP = 84, "SCTP", NETWORK;
    OSPF = 85, "OSPF", NETWORK;
    IP_IN_IP = 86, "IP_in_IP", NETWORK;
    RTP = 87, "RTP", MEDIA;
    RDP = 88, "RDP", REMOTE_ACCESS;
    VNC = 89, "VNC", REMOTE_ACCESS;
    TUMBLR = 90, "Tumblr", SOCIAL_NETWORK;
    TLS = 91, "TLS", WEB;
    SSH = 92, "SSH", REMOTE_ACCESS;
    USENET = 93, "Usenet", WEB;
    MGCP = 94, "MGCP", VOIP;
    IAX = 95, "IAX", VOIP;
    TFTP = 96, "TFTP", DATA_TRANSFER;
    AFP = 97, "AFP", DATA_TRANSFER;
    YANDEXMETRIKA = 98, "YandexMetrika", WEB;
    YANDEXDIRECT = 99, "YandexDirect", ADVERTISEMENT;
    SIP = 100, "SIP", VOIP;
    TRUPHONE = 101, "TruPhone", VOIP;
    ICMPV6 = 102, "ICMPV6", NETWORK;
    DHCPV6 = 103, "DHCPV6", NETWORK;
    ADS_ANALYTIC_TRACK = 107, "ADS_Analytic_Track", ADVERTISEMENT;
    ADULTCONTENT = 108, "AdultContent", ADULT_CONTENT;
    AMAZONALEXA = 110, "AmazonAlexa", VIRT_ASSISTANT;
    KERBEROS = 111, "Kerberos", NETWORK;
    LDAP = 112, "LDAP", SYSTEM;
    MAPLESTORY = 113, "MapleStory", GAME;
    MSSQL_TDS = 114, "MsSQL-TDS", DATABASE;
    PPTP = 115, "PPTP", VPN;
    SLACK = 118, "Slack", COLLABORATIVE;
    FACEBOOK = 119, "Facebook", SOCIAL_NETWORK;
    TWITTER = 120, "Twitter", SOCIAL_NETWORK;
    DROPBOX = 121, "Dropbox", CLOUD;
    GOOGLEMAPS = 123, "GoogleMaps", WEB;
    YOUTUBE = 124, "YouTube", MEDIA;
    SKYPE_TEAMS = 125, "Skype_Teams", VOIP;
    GOOGLE = 126, "Google", WEB;
    NETFLOW = 128, "NetFlow", NETWORK;
    SFLOW = 129, "sFlow", NETWORK;
    HTTP_PROXY = 131, "HTTP_Proxy", WEB;
    CITRIX = 132, "Citrix", NETWORK;
    NETFLIX = 133, "NetFlix", VIDEO;
    LASTFM = 134, "LastFM", MUSIC;
    WAZE = 135, "Waze", WEB;
    YOUTUBEUPLOAD = 136, "YouTubeUpload", MEDIA;
    HULU = 137, "Hulu", STREAMING;
    CHECKMK = 138, "CHECKMK", DATA_TRANSFER;
    AJP = 139, "AJP", WEB;
    APPLE = 140, "Apple", NETWORK;
    WEBEX = 141, "Webex", VOIP;
    WHATSAPP = 142, "WhatsApp", CHAT;
    APPLEICLOUD = 143, "AppleiCloud", WEB;
    VIBER = 144, "Viber", VOIP;
    APPLEITUNES = 145, "AppleiTunes", NETWORK;
    RADIUS = 146, "Radius", NETWORK;
    WINDOWSUPDATE = 147, "WindowsUpdate", SOFTWARE_UPDATE;
    TEAMVIEWER = 148, "TeamViewer", REMOTE_ACCESS;
    ETHERNETGLOBALDATA = 149, "EthernetGlobalData", IOT_SCADA;
    LOTUSNOTES = 150, "LotusNotes", COLLABORATIVE;
    GTP = 152, "GTP", NETWORK;
    WSD = 153, "WSD", NETWORK;
    LLMNR = 154, "LLMNR", NETWORK;
    TOCABOCA = 155, "TocaBoca", GAME;
    SPOTIFY = 156, "Spotify", MUSIC;
    FACEBOOKMESSENGER = 157, "FacebookMessenger", CHAT;
    H323 = 158, "H323", VOIP;
    OPENVPN = 159, "OpenVPN", VPN;
    CISCOVPN = 161, "CiscoVPN", VPN;
    TEAMSPEAK = 162, "TeamSpeak", VOIP;
    TOR = 163, "Tor", VPN;
    CISCOSKINNY = 164, "CiscoSkinny", VOIP;
    RTCP = 165, "RTCP", VOIP;
    RSYNC = 166, "RSYNC", DATA_TRANSFER;
    ORACLE = 167, "Oracle", DATABASE;
    CORBA = 168, "Corba", RPC;
    UBUNTUONE = 169, "UbuntuONE", CLOUD;
    WHOIS_DAS = 170, "Whois-DAS", NETWORK;
    SD_RTN = 171, "SD-RTN", MEDIA;
    SOCKS = 172, "SOCKS", WEB;
    NINTENDO = 173, "Nintendo", GAME;
    RTMP = 174, "RTMP", MEDIA;
    FTP_DATA = 175, "FTP_DATA", DOWNLOAD;
    WIKIPEDIA = 176, "Wikipedia", NETWORK;
    AMAZON = 178, "Amazon", WEB;
    EBAY = 179, "eBay", SHOPPING;
    CNN = 180, "CNN", WEB;
    MEGACO = 181, "Megaco", VOIP;
    RESP = 182, "RESP", DATABASE;
    PINTEREST = 183, "Pinterest", SOCIAL_NETWORK;
    TELEGRAM = 185, "Telegram", CHAT;
    COD_MOBILE = 186, "CoD_Mobile", GAME;
    PANDORA = 187, "Pandora", STREAMING;
    QUIC = 188, "QUIC", WEB;
    ZOOM = 189, "Zoom", VIDEO;
    EAQ = 190, "EAQ", NETWORK;
    OOKLA = 191, "Ookla", NETWORK;
    AMQP = 192, "AMQP", RPC;
    KAKAOTALK = 193, "KakaoTalk", NETWORK;
    KAKAOTALK_VOICE = 194, "KakaoTalk_Voice", VOIP;
    TWITCH = 195, "Twitch", VIDEO;
    DOH_DOT = 196, "DoH_DoT", NETWORK;
    WECHAT = 197, "WeChat", CHAT;
    MPEG_TS = 198, "MPEG_TS", MEDIA;
    SNAPCHAT = 199, "Snapchat", SOCIAL_NETWORK;
    SINA = 200, "Sina", SOCIAL_NETWORK;
    GOOGLE_MEET = 201, "GoogleMeet", CHAT;
    IFLIX = 202, "IFLIX", VIDEO;
    GITHUB = 203, "Github", COLLABORATIVE;
    BJNP = 204, "BJNP", SYSTEM;
    REDDIT = 205, "Reddit", SOCIAL_NETWORK;
    WIREGUARD = 206, "WireGuard", VPN;
    SMPP = 207, "SMPP", DOWNLOAD;
    DNSCRYPT = 208, "DNScrypt", NETWORK;
    TINC = 209, "TINC", VPN;
    DEEZER = 210, "Deezer", MUSIC;
    INSTAGRAM = 211, "Instagram", SOCIAL_NETWORK;
    MICROSOFT = 212, "Microsoft", CLOUD;
    STARCRAFT = 213, "Starcraft", GAME;
    TEREDO = 214, "Teredo", NETWORK;
    IMO = 216, "IMO", VOIP;
    GOOGLEDRIVE = 217, "GoogleDrive", CLOUD;
    OCS = 218, "OCS", MEDIA;
    MICROSOFT365 = 219, "Microsoft365", COLLABORATIVE;
    CLOUDFLARE = 220, "Cloudflare", WEB;
    MS_ONEDRIVE = 221, "MS_OneDrive", CLOUD;
    MQTT = 222, "MQTT", RPC;
    RX = 223, "RX", RPC;
    APPLESTORE = 224, "AppleStore", SOFTWARE_UPDATE;
    GIT = 226, "Git", COLLABORATIVE;
    DRDA = 227, "DRDA", DATABASE;
    PLAYSTORE = 228, "PlayStore", SOFTWARE_UPDATE;
    SOMEIP = 229, "SOMEIP", RPC;
    FIX = 230, "FIX", RPC;
    PLAYSTATION = 231, "Playstation", GAME;
    PASTEBIN = 232, "Pastebin", DOWNLOAD;
    LINKEDIN = 233, "LinkedIn", SOCIAL_NETWORK;
    SOUNDCLOUD = 234, "SoundCloud", MUSIC;
    STEAMDATAGRAMRELAY = 235, "SteamDatagramRelay", GAME;
    LISP = 236, "LISP", CLOUD;
    DIAMETER = 237, "Diameter", NETWORK;
    APPLEPUSH = 238, "ApplePush", CLOUD;
    GOOGLE_SERVICES = 239, "GoogleServices", WEB;
    AMAZONVIDEO = 240, "AmazonVideo", VIDEO;
    GOOGLEDOCS = 241, "GoogleDocs", COLLABORATIVE;
    WHATSAPPFILES = 242, "WhatsAppFiles", DOWNLOAD;
    TARGUSDATASPEED = 243, "TargusDataspeed", NETWORK;
    DNP3 = 244, "DNP3", IOT_SCADA;
    IEC60870 = 245, "IEC60870", IOT_SCADA;
    BLOOMBERG = 246, "Bloomberg", CLOUD;
    CAPWAP = 247, "CAPWAP", NETWORK;
    ZABBIX = 248, "Zabbix", NETWORK;
    S7COMM = 249, "S7Comm", IOT_SCADA;
    TEAMS = 250, "Teams", COLLABORATIVE;
    WEBSOCKET = 251, "WebSocket", WEB;
    ANYDESK = 252, "AnyDesk", REMOTE_ACCESS;
    SOAP = 253, "SOAP", RPC;
    APPLESIRI = 254, "AppleSiri", VIRT_ASSISTANT;
    SNAPCHATCALL = 255, "SnapchatCall", VOIP;
    HP_VIRTGRP = 256, "HP_VIRTGRP", NETWORK;
    GENSHINIMPACT = 257, "GenshinImpact", GAME;
    ACTIVISION = 258, "Activision", GAME;
    FORTICLIENT = 259, "FortiClient", VPN;
    Z3950 = 260, "Z3950", NETWORK;
    LIKEE = 261, "Likee", SOCIAL_NETWORK;
    GITLAB = 262, "GitLab", COLLABORATIVE;
    AVASTSECUREDNS = 263, "AVASTSecureDNS", NETWORK;
    CASSANDRA = 264, "Cassandra", DATABASE;
    AMAZON_AWS = 265, "AmazonAWS", CLOUD;
    SALESFORCE = 266, "Salesforce", CLOUD;
    VIMEO = 267, "Vimeo", STREAMING;
    FACEBOOKVOIP = 268, "FacebookVoip", VOIP;
    SIGNALVOIP = 269, "SignalVoip", VOIP;
    FUZE = 270, "Fuze", VOIP;
    GTP_U = 271, "GTP_U", NETWORK;
    GTP_C = 272, "GTP_C", NETWORK;
    GTP_PRIME = 273, "GTP_PRIME", NETWORK;
    ALIBABA = 274, "Alibaba", WEB;
    CRASHLYTICS = 275, "Crashlytics", DATA_TRANSFER;
    AZURE = 276, "Azure", CLOUD;
    ETHERNETIP = 278, "EthernetIP", NETWORK;
    BADOO = 279, "Badoo", SOCIAL_NETWORK;
    ACCUWEATHER = 280, "AccuWeather", WEB;
    GOOGLECLASSROOM = 281, "GoogleClassroom", COLLABORATIVE;
    HSRP = 282, "HSRP", NETWORK;
    CYBERSEC = 283, "Cybersec", CYBERSECURITY;
    GOOGLECLOUD = 284, "GoogleCloud", ADVERTISEMENT;
    RAKNET = 286, "RakNet", GAME;
    XIAOMI = 287, "Xiaomi", WEB;
    CACHEFLY = 289, "Cachefly", CLOUD;
    SOFTETHER = 290, "Softether", VPN;
    MPEGDASH = 291, "MpegDash", MEDIA;
    DAZN = 292, "Dazn", STREAMING;
    RSH = 294, "RSH", REMOTE_ACCESS;
    P_1KXUN = 295, "1kxun", STREAMING;
    PGM = 296, "PGM", NETWORK;
    IP_PIM = 297, "IP_PIM", NETWORK;
    COLLECTD = 298, "collectd", SYSTEM;
    TUNNELBEAR = 299, "TunnelBear", VPN;
    CLOUDFLAREWARP = 300, "CloudflareWarp", VPN;
    I3D = 301, "i3D", GAME;
    RIOTGAMES = 302, "RiotGames", GAME;
    PSIPHON = 303, "Psiphon", VPN;
    ULTRASURF = 304, "UltraSurf", VPN;
    THREEMA = 305, "Threema", CHAT;
    ALICLOUD = 306, "AliCloud", CLOUD;
    AVAST = 307, "AVAST", NETWORK;
    TIVOCONNECT = 308, "TiVoConnect", NETWORK;
    KISMET = 309, "Kismet", NETWORK;
    FASTCGI = 310, "FastCGI", NETWORK;
    FTPS = 311, "FTPS", DOWNLOAD;
    NAT_PMP = 312, "NAT-PMP", NETWORK;
    SYNCTHING = 313, "Syncthing", DOWNLOAD;
    CRYNETWORK = 314, "CryNetwork", GAME;
    LINE = 315, "Line", CHAT;
    LINECALL = 316, "LineCall", VOIP;
    MUNIN = 329, "Munin", SYSTEM;
    ELASTICSEARCH = 330, "Elasticsearch", SYSTEM;
    TUYALP = 331, "TuyaLP", IOT_SCADA;
    TPLINK_SHP = 332, "TPLINK_SHP", IOT_SCADA;
    SOURCE_ENGINE = 333, "Source_Engine", GAME;
    BACNET = 334, "BACnet", IOT_SCADA;
    OICQ = 335, "OICQ", CHAT;
    HEROES_OF_THE_STORM = 336, "Heroes_of_the_Storm", GAME;
    FBOOKREELSTORY = 337, "FbookReelStory", SOCIAL_NETWORK;
    SRTP = 338, "SRTP", MEDIA;
    OPERAVPN = 339, "OperaVPN", VPN;
    EPICGAMES = 340, "EpicGames", GAME;
    GEFORCENOW = 341, "GeForceNow", GAME;
    BITCOIN = 343, "BITCOIN", CRYPTO_CURRENCY;
    PROTONVPN = 344, "ProtonVPN", VPN;
    THRIFT = 345, "Thrift", RPC;
    ROBLOX = 346, "Roblox", GAME;
    SERVICE_LOCATION_PROTOCOL = 347, "Service_Location_Protocol", RPC;
    MULLVAD = 348, "Mullvad", NETWORK;
    HTTP2 = 349, "HTTP2", WEB;
    HAPROXY = 350, "HAProxy", WEB;
    RMCP = 351, "RMCP", SYSTEM;
    CONTROLLER_AREA_NETWORK = 352, "Controller_Area_Network", SYSTEM;
    PROTOBUF = 353, "Protobuf", NETWORK;
    ETHEREUM = 354, "ETHEREUM", CRYPTO_CURRENCY;
    TELEGRAMVOIP = 355, "TelegramVoip", VOIP;
    SINAWEIBO = 356, "SinaWeibo", NETWORK;
    PTPV2 = 358, "PTPv2", SYSTEM;
    RTPS = 359, "RTPS", RPC;
    OPC_UA = 360, "OPC-UA", IOT_SCADA;
    S7COMMPLUS = 361, "S7CommPlus", IOT_SCADA;
    FINS = 362, "FINS", IOT_SCADA;
    ETHERSIO = 363, "EtherSIO", IOT_SCADA;
    UMAS = 364, "UMAS", IOT_SCADA;
    BECKHOFFADS = 365, "BeckhoffADS", IOT_SCADA;
    ISO9506_1_MMS = 366, "ISO9506-1-MMS", IOT_SCADA;
    IEEE_C37118 = 367, "IEEE-C37118", IOT_SCADA;
    ETHER_S_BUS = 368, "Ether-S-Bus", IOT_SCADA;
    MONERO = 369, "Monero", CRYPTO_CURRENCY;
    DCERPC = 370, "DCERPC", RPC;
    PROFINET_IO = 371, "PROFINET_IO", IOT_SCADA;
    HISLIP = 372, "HiSLIP", IOT_SCADA;
    UFTP = 373, "UFTP", DOWNLOAD;
    OPENFLOW = 374, "OpenFlow", NETWORK;
    JSON_RPC = 375, "JSON-RPC", RPC;
    WEBDAV = 376, "WebDAV", COLLABORATIVE;
    KAFKA = 377, "Kafka", RPC;
    NOMACHINE = 378, "NoMachine", REMOTE_ACCESS;
    IEC62056 = 379, "IEC62056", IOT_SCADA;
    HL7 = 380, "HL7", RPC;
    CEPH = 381, "Ceph", DATA_TRANSFER;
    GOOGLECHAT = 382, "GoogleChat", CHAT;
    ROUGHTIME = 383, "Roughtime", SYSTEM;
    PRIVATEINTERNETACCESS = 384, "PrivateInternetAccess", VPN;
    KCP = 385, "KCP", NETWORK;
    DOTA2 = 386, "Dota2", GAME;
    MUMBLE = 387, "Mumble", VOIP;
    YOJIMBO = 388, "Yojimbo", GAME;
    ELECTRONICARTS = 389, "ElectronicArts", GAME;
    STOMP = 390, "STOMP", RPC;
    RADMIN = 391, "Radmin", REMOTE_ACCESS;
    RAFT = 392, "Raft", NETWORK;
    CIP = 393, "CIP", IOT_SCADA;
    GEARMAN = 394, "Gearman", RPC;
    TENCENTGAMES = 395, "TencentGames", GAME;
    GAIJINENTERTAINMENT = 396, "GaijinEntertainment", GAME;
    ANSI_C1222 = 397, "ANSI_C1222", IOT_SCADA;
    HUAWEI = 398, "Huawei", WEB;
    HUAWEICLOUD = 399, "HuaweiCloud", CLOUD;
    DLEP = 400, "DLEP", NETWORK;
    BFD = 401, "BFD", NETWORK;
    NETEASEGAMES = 402, "NetEaseGames", GAME;
    PATHOFEXILE = 403, "PathofExile", GAME;
    GOOGLECALL = 404, "GoogleCall", VOIP;
    PFCP = 405, "PFCP", NETWORK;
    FLUTE = 406, "FLUTE", DOWNLOAD;
    LOLWILDRIFT = 407, "LoLWildRift", GAME;
    TES_ONLINE = 408, "TES_Online", GAME;
    LDP = 409, "LDP", NETWORK;
    KNXNET_IP = 410, "KNXnet_IP", IOT_SCADA;
    BLUESKY = 411, "Bluesky", SOCIAL_NETWORK;
    MASTODON = 412, "Mastodon", SOCIAL_NETWORK;
    THREADS = 413, "Threads", SOCIAL_NETWORK;
    VIBERVOIP = 414, "ViberVoip", VOIP;
    ZUG = 415, "ZUG", CRYPTO_CURRENCY;
    JRMI = 416, "JRMI", RPC;
    RIPEATLAS = 417, "RipeAtlas", NETWORK;
    HLS = 418, "HLS", WEB;
    NANO = 420, "Nano", CRYPTO_CURRENCY;
    OPENWIRE = 421, "OpenWire", RPC;
    CNP_IP = 422, "CNP-IP", IOT_SCADA;
    ATG = 423, "ATG", IOT_SCADA;
    TRDP = 424, "TRDP", IOT_SCADA;
    LUSTRE = 425, "Lustre", DATA_TRANSFER;
    NORDVPN = 426, "NordVPN", VPN;
    SURFSHARK = 427, "SurfShark", VPN;
    WINDSCRIBE = 429, "Windscribe", VPN;
    SONOS = 430, "Sonos", MUSIC;
    DINGTALK = 431, "DingTalk", CHAT;
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
    DATA_TRANSFER = 4, "DataTransfer";
    WEB = 5, "Web";
    SOCIAL_NETWORK = 6, "SocialNetwork";
    DOWNLOAD = 7, "Download";
    GAME = 8, "Game";
    CHAT = 9, "Chat";
    VOIP = 10, "VoIP";
    DATABASE = 11, "Database";
    REMOTE_ACCESS = 12, "RemoteAccess";
    CLOUD = 13, "Cloud";
    NETWORK = 14, "Network";
    COLLABORATIVE = 15, "Collaborative";
    RPC = 16, "RPC";
    STREAMING = 17, "Streaming";
    SYSTEM = 18, "System";
    SOFTWARE_UPDATE = 19, "SoftwareUpdate";
    MUSIC = 25, "Music";
    VIDEO = 26, "Video";
    SHOPPING = 27, "Shopping";
    PRODUCTIVITY = 28, "Productivity";
    FILE_SHARING = 29, "FileSharing";
    CONN_CHECK = 30, "ConnCheck";
    IOT_SCADA = 31, "IoT-Scada";
    VIRT_ASSISTANT = 32, "VirtAssistant";
    CYBERSECURITY = 33, "Cybersecurity";
    ADULT_CONTENT = 34, "AdultContent";
    MINING = 99, "Mining";
    MALWARE = 100, "Malware";
    ADVERTISEMENT = 101, "Advertisement";
    BANNED_SITE = 102, "Banned_Site";
    SITE_UNAVAILABLE = 103, "Site_Unavailable";
    ALLOWED_SITE = 104, "Allowed_Site";
    ANTIMALWARE = 105, "Antimalware";
    CRYPTO_CURRENCY = 106, "Crypto_Currency";
    GAMBLING = 107, "Gambling";
}

/// Transport a default port belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Tcp,
    Udp,
    Both,
}

impl On {
    fn has(self, l4: u8) -> bool {
        matches!(
            (self, l4),
            (On::Both, 6 | 17) | (On::Tcp, 6) | (On::Udp, 17)
        )
    }
}

/// nDPI's default ports of the protocols: the ports a protocol is expected on (risk
/// "Known Proto on Non Std Port") and, for a flow whose payload named nothing, the
/// guess by port (nDPI's "Match by port"). Earlier rows win for a port listed twice.
const DEFAULT_PORTS: &[(Proto, On, &[u16])] = &[
    (Proto::HTTP, On::Tcp, &[80]),
    (Proto::HTTP_PROXY, On::Tcp, &[8080, 3128]),
    (Proto::TLS, On::Tcp, &[443]),
    (Proto::QUIC, On::Udp, &[443]),
    (Proto::SSH, On::Tcp, &[22]),
    (Proto::TELNET, On::Tcp, &[23]),
    (Proto::FTP_CONTROL, On::Tcp, &[21, 2121]),
    (Proto::FTP_DATA, On::Tcp, &[20]),
    (Proto::FTPS, On::Tcp, &[990]),
    (Proto::SMTP, On::Tcp, &[25, 587]),
    (Proto::SMTPS, On::Tcp, &[465]),
    (Proto::POP3, On::Tcp, &[110]),
    (Proto::POP3S, On::Tcp, &[995]),
    (Proto::IMAP, On::Tcp, &[143]),
    (Proto::IMAPS, On::Tcp, &[993]),
    (Proto::DNS, On::Both, &[53]),
    (Proto::DOH_DOT, On::Tcp, &[853]),
    (Proto::MDNS, On::Udp, &[5353]),
    (Proto::LLMNR, On::Udp, &[5355]),
    (Proto::NTP, On::Udp, &[123]),
    (Proto::DHCP, On::Udp, &[67, 68]),
    (Proto::DHCPV6, On::Udp, &[546, 547]),
    (Proto::NETBIOS, On::Both, &[137, 138, 139]),
    (Proto::SMBV23, On::Tcp, &[445]),
    (Proto::SSDP, On::Udp, &[1900]),
    (Proto::SNMP, On::Udp, &[161, 162]),
    (Proto::SYSLOG, On::Both, &[514, 601, 6514]),
    (Proto::TFTP, On::Udp, &[69]),
    (Proto::BGP, On::Tcp, &[179]),
    (Proto::LDAP, On::Both, &[389]),
    (Proto::KERBEROS, On::Both, &[88]),
    (Proto::RADIUS, On::Udp, &[1812, 1813, 1645, 1646]),
    (Proto::NFS, On::Both, &[2049]),
    (Proto::RDP, On::Tcp, &[3389]),
    (Proto::VNC, On::Tcp, &[5900, 5901, 5800]),
    (Proto::MYSQL, On::Tcp, &[3306]),
    (Proto::POSTGRESQL, On::Tcp, &[5432]),
    (Proto::MSSQL_TDS, On::Tcp, &[1433, 1434]),
    (Proto::ORACLE, On::Tcp, &[1521]),
    (Proto::MONGODB, On::Tcp, &[27017]),
    (Proto::RESP, On::Tcp, &[6379]),
    (Proto::MEMCACHED, On::Both, &[11211]),
    (Proto::CASSANDRA, On::Tcp, &[9042]),
    (Proto::ELASTICSEARCH, On::Tcp, &[9200]),
    (Proto::KAFKA, On::Tcp, &[9092]),
    (Proto::AMQP, On::Tcp, &[5672]),
    (Proto::MQTT, On::Tcp, &[1883, 8883]),
    (Proto::STOMP, On::Tcp, &[61613]),
    (Proto::ZABBIX, On::Tcp, &[10050, 10051]),
    (Proto::NATS, On::Tcp, &[4222]),
    (Proto::MODBUS, On::Tcp, &[502]),
    (Proto::DNP3, On::Tcp, &[20000]),
    (Proto::IEC60870, On::Tcp, &[2404]),
    (Proto::S7COMM, On::Tcp, &[102]),
    (Proto::BACNET, On::Udp, &[47808]),
    (Proto::ETHERNETIP, On::Both, &[44818]),
    (Proto::OPC_UA, On::Tcp, &[4840]),
    (Proto::COAP, On::Udp, &[5683, 5684]),
    (Proto::SIP, On::Both, &[5060, 5061]),
    (Proto::H323, On::Both, &[1719, 1720]),
    (Proto::MGCP, On::Udp, &[2427, 2727]),
    (Proto::IAX, On::Udp, &[4569]),
    (Proto::RTSP, On::Both, &[554]),
    (Proto::RTMP, On::Tcp, &[1935]),
    (Proto::STUN, On::Both, &[3478, 5349]),
    (Proto::TEREDO, On::Udp, &[3544]),
    (Proto::IPSEC, On::Udp, &[500, 4500]),
    (Proto::OPENVPN, On::Both, &[1194]),
    (Proto::WIREGUARD, On::Udp, &[51820]),
    (Proto::PPTP, On::Tcp, &[1723]),
    (Proto::SOCKS, On::Tcp, &[1080]),
    (Proto::TOR, On::Tcp, &[9001, 9030]),
    (Proto::IRC, On::Tcp, &[194, 6667]),
    (Proto::JABBER, On::Tcp, &[5222, 5223, 5269]),
    (Proto::USENET, On::Tcp, &[119, 563]),
    (Proto::AFP, On::Tcp, &[548]),
    (Proto::RSYNC, On::Tcp, &[873]),
    (Proto::GIT, On::Tcp, &[9418]),
    (Proto::WHOIS_DAS, On::Tcp, &[43, 4343]),
    (Proto::CITRIX, On::Tcp, &[1494, 2598]),
    (Proto::TEAMVIEWER, On::Both, &[5938]),
    (Proto::ANYDESK, On::Tcp, &[6568]),
    (Proto::NOMACHINE, On::Both, &[4000]),
    (Proto::RADMIN, On::Tcp, &[4899]),
    (Proto::XDMCP, On::Udp, &[177]),
    (Proto::RSH, On::Tcp, &[514]),
    (Proto::LOTUSNOTES, On::Tcp, &[1352]),
    (Proto::CISCOSKINNY, On::Tcp, &[2000]),
    (Proto::CISCOVPN, On::Both, &[10000, 8008]),
    (Proto::DCERPC, On::Tcp, &[135]),
    (Proto::AJP, On::Tcp, &[8009]),
    (Proto::DIAMETER, On::Tcp, &[3868]),
    (Proto::SMPP, On::Tcp, &[2775]),
    (Proto::NETFLOW, On::Udp, &[2055]),
    (Proto::SFLOW, On::Udp, &[6343]),
    (Proto::COLLECTD, On::Udp, &[25826]),
    (Proto::GTP, On::Udp, &[2152, 2123]),
    (Proto::CAPWAP, On::Udp, &[5246, 5247]),
    (Proto::BJNP, On::Udp, &[8611, 8612]),
    (Proto::NAT_PMP, On::Udp, &[5351]),
    (
        Proto::RX,
        On::Udp,
        &[7000, 7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008, 7009],
    ),
    (Proto::SERVICE_LOCATION_PROTOCOL, On::Both, &[427]),
    (Proto::WSD, On::Udp, &[3702]),
    (
        Proto::BITTORRENT,
        On::Tcp,
        &[6881, 6882, 6883, 6884, 6885, 6886, 6887, 6888, 6889],
    ),
    (Proto::GNUTELLA, On::Both, &[6346, 6347]),
    (Proto::EDONKEY, On::Tcp, &[4662]),
    (Proto::STEAM, On::Udp, &[27015, 27016, 27017]),
    (Proto::STARCRAFT, On::Tcp, &[1119]),
    (Proto::HALFLIFE2, On::Udp, &[27005]),
    (Proto::DROPBOX, On::Udp, &[17500]),
    (Proto::SPOTIFY, On::Udp, &[57621]),
    (Proto::SYNCTHING, On::Udp, &[21027]),
    (Proto::MUNIN, On::Tcp, &[4949]),
    (Proto::CHECKMK, On::Tcp, &[6556]),
    (Proto::APPLEPUSH, On::Tcp, &[5223]),
    (Proto::ULTRASURF, On::Tcp, &[9666]),
    (Proto::HSRP, On::Udp, &[1985, 2029]),
    (Proto::MPEG_TS, On::Udp, &[1234]),
    (Proto::ROUGHTIME, On::Both, &[2002]),
    (Proto::KISMET, On::Tcp, &[2501]),
    (Proto::ZUG, On::Udp, &[29840]),
    (Proto::UBNTAC2, On::Udp, &[10001]),
    (Proto::TPLINK_SHP, On::Tcp, &[9999]),
    (Proto::TUYALP, On::Udp, &[6667]),
    (Proto::SOMEIP, On::Both, &[30490, 30491, 30501]),
    (Proto::PTPV2, On::Udp, &[319, 320]),
    (Proto::LISP, On::Udp, &[4342]),
    (Proto::BFD, On::Udp, &[3784, 3785]),
    (Proto::CPHA, On::Udp, &[8116]),
    (Proto::IEC62056, On::Both, &[4059]),
    (Proto::HART_IP, On::Both, &[5094]),
    (Proto::FINS, On::Both, &[9600]),
    (Proto::DLEP, On::Both, &[854]),
    (Proto::KNXNET_IP, On::Both, &[3671]),
    (Proto::HISLIP, On::Tcp, &[4880]),
    (Proto::LDP, On::Both, &[646]),
    (Proto::TIVOCONNECT, On::Both, &[2190]),
    (Proto::NESTLOGSINK, On::Tcp, &[11095]),
    (Proto::BITCOIN, On::Tcp, &[8333]),
    (Proto::ETHEREUM, On::Tcp, &[30303]),
    (Proto::IPSEC, On::Tcp, &[500]),
];

fn by_port(l4: u8, port: u16) -> Option<Proto> {
    DEFAULT_PORTS
        .iter()
        .find(|(_, on, ports)| on.has(l4) && ports.contains(&port))
        .map(|(p, _, _)| *p)
}

/// Port-based guess for a flow whose payload was not recognised (nDPI "match by port").
pub fn guess_by_port(l4: u8, sport: u16, dport: u16) -> Proto {
    // The lower (service-like) port first, as servers usually hold it.
    let (lo, hi) = if sport <= dport {
        (sport, dport)
    } else {
        (dport, sport)
    };
    by_port(l4, lo)
        .or_else(|| by_port(l4, hi))
        .unwrap_or(Proto::UNKNOWN)
}

/// The default ports of `proto` on transport `l4` (empty when nDPI names none).
pub fn default_ports(l4: u8, proto: Proto) -> &'static [u16] {
    DEFAULT_PORTS
        .iter()
        .find(|(p, on, _)| *p == proto && on.has(l4))
        .map_or(&[], |(_, _, ports)| ports)
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
        assert_eq!(guess_by_port(6, 51000, 443), Proto::TLS);
        assert_eq!(guess_by_port(17, 53, 40000), Proto::DNS);
        assert_eq!(guess_by_port(17, 40000, 40001), Proto::UNKNOWN);
        let mut ids: Vec<u16> = Proto::ALL.iter().map(|p| p.0).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "protocol ids are unique");
    }
}
