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
    CUSTOMPROTOCOLA = 438, "CustomProtocolA", WEB;
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
